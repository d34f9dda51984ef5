//! The « Attribution et notification » page: per lot, the ranking and the attempts; the
//! letters; the standstill; the members' validations; the signature, the NOTI5 and its
//! acknowledgement; the deadlines that follow (R2183-1, R2196-1).

use super::ranking::{self, LotRanking};
use super::rules::{self, AttributionStatus};
use super::store::{self, LetterMeta, LifecycleFacts};
use crate::auth::{CurrentUser, Role};
use crate::calendar::french_date;
use crate::consultations::lifecycle::Status;
use crate::consultations::service::Detail;
use crate::db::entities::{
    attribution, contract_dispatch, member, member_validation, pli, signed_acte,
};
use crate::scoring::format_points;
use chrono::{DateTime, Months, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use serde::Serialize;

#[derive(Serialize)]
pub struct RankLine {
    pub pli_id: i32,
    pub rank: u32,
    pub bidder: String,
    pub total: String,
    pub failed: bool,
    pub next: bool,
}

#[derive(Serialize)]
pub struct CertLine {
    pub index: usize,
    pub label: String,
    pub received_on: String,
}

#[derive(Serialize)]
pub struct AttemptView {
    pub id: i32,
    pub attempt: i32,
    pub bidder: String,
    pub amount_ht: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub basis: String,
    pub reasons: String,
    pub deadline: String,
    pub overdue: bool,
    pub awaiting: bool,
    pub certificates: Vec<CertLine>,
    pub failure_reason: String,
    pub signed_on: String,
    pub signatory: String,
    pub noti5_sent_at: String,
    pub acknowledged_at: String,
    /// The offer is retained or the marché signed: its AE may be filled, signed and uploaded.
    pub ae_ready: bool,
    /// The latest signed acte uploaded (name, size, SHA-256, date), if any.
    pub signed_acte: String,
}

#[derive(Serialize)]
pub struct LotView {
    pub lot_id: String,
    pub label: String,
    pub blocked: String,
    pub ranking: Vec<RankLine>,
    pub attempts: Vec<AttemptView>,
    /// The pli to award now (first not failed), when the lot has no current attempt.
    pub proposal: Option<RankLine>,
    pub proposed_reasons: String,
    pub plis: usize,
}

#[derive(Serialize)]
pub struct LetterLine {
    pub id: i32,
    pub kind: String,
    pub recipient: String,
    pub sent_on: String,
    pub electronic: bool,
    pub filename: String,
    pub sha256: String,
}

#[derive(Serialize)]
pub struct ValidationLine {
    pub member_id: i32,
    pub member: String,
    pub validated: String,
    pub mine: bool,
}

#[derive(Serialize)]
pub struct AttributionPage {
    pub cid: i32,
    pub reference: String,
    pub objet: String,
    pub status: &'static str,
    pub is_coordonnateur: bool,
    pub sees_offers: bool,
    pub lots: Vec<LotView>,
    pub letters: Vec<LetterLine>,
    pub can_decide: bool,
    pub can_send_rejections: bool,
    pub standstill: String,
    pub validations: Vec<ValidationLine>,
    pub validations_done: usize,
    pub validations_total: usize,
    pub can_validate: bool,
    pub can_sign: bool,
    pub signature_blocked: String,
    pub can_notify: bool,
    pub notified: bool,
    pub avis: String,
    pub avis_overdue: bool,
    pub decp: String,
    pub dispatches: Vec<String>,
    pub can_dispatch: bool,
    pub default_deadline: String,
    pub signatory_name: String,
    pub signatory_quality: String,
    pub today: String,
    /// Before the analysis: why nothing can be attributed yet, and the step that comes first.
    pub not_yet: Option<NotYet>,
}

/// What a page says when its action is not possible yet.
#[derive(Serialize)]
pub struct NotYet {
    pub why: String,
    pub href: String,
    pub label: &'static str,
}

/// Why the attribution cannot be decided at `status`, and the page of the step that comes
/// first (none once the offers are being analysed).
#[must_use]
pub fn not_yet(status: Status, gid: i32, cid: i32) -> Option<NotYet> {
    let (step, path, label) = match status {
        Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier => (
            "préparer les pièces, recueillir les visas des membres et publier la consultation",
            "pieces",
            "Aller aux pièces du marché",
        ),
        Status::Publiee | Status::RemiseClose => (
            "recevoir les plis jusqu'à la date limite, puis ouvrir l'analyse des offres",
            "offres",
            "Aller aux offres et à l'analyse",
        ),
        _ => return None,
    };
    Some(NotYet {
        why: format!(
            "Rien à attribuer pour l'instant : la consultation est au stade « {} ». L'attribution se décide après l'analyse et le classement des offres ; d'abord, {step}.",
            status.label()
        ),
        href: format!("/g/{gid}/consultations/{cid}/{path}"),
        label,
    })
}

fn paris(dt: DateTime<Utc>) -> String {
    dt.with_timezone(&Paris)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

fn attempt_view(
    a: &attribution::Model,
    plis: &[pli::Model],
    signed: &[signed_acte::Model],
    now: DateTime<Utc>,
) -> AttemptView {
    let status = store::status(a);
    let acte = signed.iter().rfind(|s| s.attribution_id == a.id);
    let certs = store::certificates(a);
    AttemptView {
        id: a.id,
        attempt: a.attempt,
        bidder: plis
            .iter()
            .find(|p| p.id == a.pli_id)
            .map(|p| p.bidder_name.clone())
            .unwrap_or_default(),
        amount_ht: crate::docgen::format::money_fr(a.amount_ht.parse().unwrap_or_default()),
        status: status.label(),
        status_code: status.code(),
        basis: if a.basis == "cao" {
            "décision de la commission d'appel d'offres".into()
        } else {
            "décision du coordonnateur (procédure adaptée)".into()
        },
        reasons: a.reasons.clone(),
        deadline: a.certificates_deadline.map(paris).unwrap_or_default(),
        overdue: status == AttributionStatus::EnAttentePieces
            && a.certificates_deadline.is_some_and(|d| now > d),
        awaiting: status == AttributionStatus::EnAttentePieces,
        certificates: certs
            .iter()
            .enumerate()
            .map(|(index, c)| CertLine {
                index,
                label: c.label.clone(),
                received_on: c.received_on.map(french_date).unwrap_or_default(),
            })
            .collect(),
        failure_reason: a.failure_reason.clone().unwrap_or_default(),
        signed_on: a.signed_on.map(french_date).unwrap_or_default(),
        signatory: match (&a.signatory_name, &a.signatory_quality) {
            (Some(n), Some(q)) => format!("{n}, {q}"),
            _ => String::new(),
        },
        noti5_sent_at: a.noti5_sent_at.map(paris).unwrap_or_default(),
        acknowledged_at: a.acknowledged_at.map(paris).unwrap_or_default(),
        ae_ready: matches!(
            status,
            AttributionStatus::Retenue | AttributionStatus::Signee
        ),
        signed_acte: acte
            .map(|s| {
                format!(
                    "« {} » ({} octets, SHA-256 {}), déposé le {}",
                    s.file_name,
                    s.size,
                    s.sha256,
                    paris(s.uploaded_at)
                )
            })
            .unwrap_or_default(),
    }
}

fn lot_view(
    lr: &LotRanking,
    all: &[attribution::Model],
    signed: &[signed_acte::Model],
    now: DateTime<Utc>,
) -> LotView {
    let mine: Vec<&attribution::Model> = all.iter().filter(|a| a.lot_id == lr.lot_id()).collect();
    let failed = store::failed(all, lr.lot_id());
    let current = store::current(all, lr.lot_id());
    let next = if current.is_none() && lr.blocked.is_none() {
        rules::next_ranked(&lr.order(), &failed)
    } else {
        None
    };
    let name = |id: i32| {
        lr.plis
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.bidder_name.clone())
            .unwrap_or_default()
    };
    let line = |r: &ranking::Ranked| RankLine {
        pli_id: r.pli_id,
        rank: r.rank,
        bidder: name(r.pli_id),
        total: format_points(r.total).replace('.', ","),
        failed: failed.contains(&r.pli_id),
        next: Some(r.pli_id) == next,
    };
    let proposal = next.and_then(|id| lr.ranked(id)).map(line);
    let proposed_reasons = next
        .and_then(|id| lr.ranked(id))
        .map(|r| {
            format!(
                "offre économiquement la plus avantageuse au regard des critères pondérés du règlement de la consultation, classée {} avec {} points sur 100 ({})",
                if r.rank == 1 { "première".to_owned() } else { format!("au rang {}", r.rank) },
                format_points(r.total).replace('.', ","),
                r.marks
                    .iter()
                    .map(|m| format!("{} : {}/{}", m.criterion, format_points(m.score).replace('.', ","), m.max.normalize()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .unwrap_or_default();
    LotView {
        lot_id: lr.lot_id().map(|i| i.to_string()).unwrap_or_default(),
        label: lr.label.clone(),
        blocked: lr.blocked.clone().unwrap_or_default(),
        ranking: lr.ranked.iter().map(line).collect(),
        attempts: mine
            .iter()
            .map(|a| attempt_view(a, &lr.plis, signed, now))
            .collect(),
        proposal,
        proposed_reasons,
        plis: lr.plis.len(),
    }
}

/// Everything the page shows.
pub struct PageInput<'a> {
    pub user: &'a CurrentUser,
    pub d: &'a Detail,
    pub rankings: &'a [LotRanking],
    pub attributions: &'a [attribution::Model],
    pub signed: &'a [signed_acte::Model],
    pub letters: &'a [LetterMeta],
    pub members: &'a [member::Model],
    pub validations: &'a [member_validation::Model],
    pub dispatches: &'a [contract_dispatch::Model],
    pub facts: &'a LifecycleFacts,
    pub signature_gate: Result<(), String>,
    pub now: DateTime<Utc>,
}

/// Builds the page.
#[must_use]
pub fn page(i: &PageInput<'_>) -> AttributionPage {
    let today = i.now.with_timezone(&Paris).date_naive();
    let coord = i.user.role == Role::Coordonnateur;
    let sees_offers = matches!(i.user.role, Role::Coordonnateur | Role::Cao | Role::Amoa);
    let st = i.d.status;
    let c = &i.d.c;
    let cal = i.d.calendar.as_ref().and_then(|c| c.as_ref().ok());
    let standstill = match (c.rejection_letters_sent_on, cal) {
        (Some(sent), Some(cal)) if cal.standstill_last_day.is_some() => format!(
            "Lettres de rejet envoyées le {} : délai de suspension de {} jours jusqu'au {} inclus, signature possible à compter du {} (R2182-1).",
            french_date(sent),
            cal.standstill_days.unwrap_or_default(),
            cal.standstill_last_day.map(french_date).unwrap_or_default(),
            cal.earliest_signature.map(french_date).unwrap_or_default()
        ),
        (Some(sent), _) => format!("Lettres de rejet envoyées le {}.", french_date(sent)),
        (None, _) => "Les lettres de rejet ne sont pas encore envoyées.".into(),
    };
    let avis_due = c
        .signed_on
        .map(|s| crate::calendar::add_calendar_days(s, 30));
    let avis = match (i.facts.avis_published_on, avis_due) {
        (Some(p), _) => format!(
            "Avis d'attribution envoyé à la publication le {}.",
            french_date(p)
        ),
        (None, Some(due)) => format!(
            "À faire : envoyer l'avis d'attribution à la publication au plus tard le {} (30 jours après la signature, R2183-1).",
            french_date(due)
        ),
        (None, None) => String::new(),
    };
    let decp = c
        .notified_on
        .and_then(|n| n.checked_add_months(Months::new(2)))
        .map(|due: NaiveDate| {
            format!(
                "Données essentielles à publier sur data.gouv.fr au plus tard le {} (2 mois après la notification, R2196-1).",
                french_date(due)
            )
        })
        .unwrap_or_default();
    let validations: Vec<ValidationLine> = i
        .members
        .iter()
        .map(|m| {
            let v = i.validations.iter().find(|v| v.member_id == m.id);
            ValidationLine {
                member_id: m.id,
                member: m.name.clone(),
                validated: v
                    .map(|v| {
                        let how = v
                            .comment
                            .clone()
                            .map(|c| format!(" — {c}"))
                            .unwrap_or_default();
                        format!("validé le {} par {}{how}", paris(v.validated_at), v.actor)
                    })
                    .unwrap_or_default(),
                mine: v.is_none()
                    && (coord || (i.user.role == Role::Referent && i.user.member_id == Some(m.id))),
            }
        })
        .collect();
    let all_current_decided = i
        .rankings
        .iter()
        .filter(|r| !r.plis.is_empty())
        .all(|r| store::current(i.attributions, r.lot_id()).is_some());
    let rep = i
        .members
        .iter()
        .find(|m| m.role.as_deref() == Some("coordonnateur"));
    AttributionPage {
        cid: c.id,
        reference: c.reference.clone(),
        objet: c.objet.clone(),
        status: st.label(),
        is_coordonnateur: coord,
        sees_offers,
        lots: i
            .rankings
            .iter()
            .map(|lr| lot_view(lr, i.attributions, i.signed, i.now))
            .collect(),
        letters: i
            .letters
            .iter()
            .map(|l| LetterLine {
                id: l.id,
                kind: l.kind.to_uppercase().replace('_', " "),
                recipient: if l.recipient_email.is_empty() {
                    l.recipient_name.clone()
                } else {
                    format!("{} <{}>", l.recipient_name, l.recipient_email)
                },
                sent_on: french_date(l.sent_on),
                electronic: l.electronic,
                filename: l.filename.clone(),
                sha256: l.docx_sha256.chars().take(12).collect(),
            })
            .collect(),
        can_decide: coord && matches!(st, Status::Analyse | Status::AttributionDecidee),
        can_send_rejections: coord
            && st == Status::AttributionDecidee
            && all_current_decided
            && i.facts.certificates_received,
        standstill,
        validations_done: i.validations.len(),
        validations_total: i.members.len(),
        validations,
        can_validate: matches!(
            st,
            Status::AttributionDecidee | Status::LettresEnvoyees | Status::Suspension
        ),
        can_sign: coord && matches!(st, Status::LettresEnvoyees | Status::Suspension),
        signature_blocked: i.signature_gate.clone().err().unwrap_or_default(),
        can_notify: coord && st == Status::Signee,
        notified: c.notified_on.is_some(),
        avis,
        avis_overdue: i.facts.avis_published_on.is_none() && avis_due.is_some_and(|d| today > d),
        decp,
        dispatches: i
            .dispatches
            .iter()
            .map(|d| {
                format!(
                    "{} : {} courriel(s), {} fichier(s), par {}",
                    paris(d.sent_at),
                    d.recipients,
                    d.files,
                    d.actor
                )
            })
            .collect(),
        can_dispatch: coord && matches!(st, Status::Notifiee | Status::Close),
        default_deadline: (i.now + chrono::Duration::days(7))
            .with_timezone(&Paris)
            .format("%Y-%m-%dT12:00")
            .to_string(),
        not_yet: not_yet(st, c.groupement_id, c.id),
        signatory_name: rep
            .map(|m| m.representative_name.clone())
            .unwrap_or_default(),
        signatory_quality: rep
            .map(|m| {
                format!(
                    "{} ({}), coordonnateur du groupement de commandes",
                    m.representative_title, m.name
                )
            })
            .unwrap_or_default(),
        today: today.to_string(),
    }
}

#[cfg(test)]
mod not_yet_tests {
    use super::*;

    #[test]
    fn before_the_analysis_the_page_says_why_and_leads_to_the_step_before() {
        let n = not_yet(Status::Brouillon, 3, 7).expect("draft");
        assert!(n.why.contains("Rien à attribuer"));
        assert!(n.why.contains("Brouillon"), "{}", n.why);
        assert_eq!(n.href, "/g/3/consultations/7/pieces");
        let n = not_yet(Status::Publiee, 3, 7).expect("published");
        assert_eq!(n.href, "/g/3/consultations/7/offres");
        assert!(not_yet(Status::Analyse, 3, 7).is_none());
        assert!(not_yet(Status::Notifiee, 3, 7).is_none());
    }
}
