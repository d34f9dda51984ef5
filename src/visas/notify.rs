//! The e-mails of a visa round, in French: the request to each member's référents (the exact
//! versions attached), the reminders, and the summary to the coordonnateur when a round is
//! complete or blocked. Built here, enqueued by the caller inside its transaction.

use super::rules::{MemberVisaStatus, RoundStatus};
use super::store::{self, RoundData};
use crate::calendar::french_date;
use crate::db::entities::{app_user, consultation};
use crate::error::{AppError, escape_html};
use crate::mail::{OutgoingAttachment, OutgoingEmail, Recipient};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// The active accounts of `role` in a groupement (for one member when given).
///
/// # Errors
/// Database errors.
pub async fn accounts<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    role: crate::auth::Role,
    member_id: Option<i32>,
) -> Result<Vec<Recipient>, AppError> {
    let mut q = app_user::Entity::find()
        .filter(app_user::Column::GroupementId.eq(gid))
        .filter(app_user::Column::Role.eq(role.as_str()))
        .filter(app_user::Column::Active.eq(true));
    if let Some(m) = member_id {
        q = q.filter(app_user::Column::MemberId.eq(m));
    }
    Ok(q.order_by_asc(app_user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| Recipient::named(u.email, u.display_name))
        .collect())
}

/// Link to a round's page.
#[must_use]
pub fn round_url(base_url: &str, gid: i32, cid: i32, rid: i32) -> String {
    format!(
        "{}/g/{gid}/consultations/{cid}/visas/rounds/{rid}",
        base_url.trim_end_matches('/')
    )
}

fn html_of(text: &str) -> String {
    text.split("\n\n")
        .map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")))
        .collect()
}

fn piece_lines(data: &RoundData) -> String {
    data.pieces
        .iter()
        .map(|p| {
            format!(
                "- {} version {} (empreinte SHA-256 {})",
                store::kind_code(&p.piece_kind),
                p.version_number,
                p.docx_sha256
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn pieces_short(data: &RoundData) -> String {
    data.pieces
        .iter()
        .map(|p| format!("{} v{}", store::kind_code(&p.piece_kind), p.version_number))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a request needs besides the round.
pub struct RequestFacts<'a> {
    pub consultation: &'a consultation::Model,
    pub member_name: &'a str,
    pub url: String,
    /// Last day before tacit approval, when the groupement enabled it.
    pub tacit_deadline: Option<NaiveDate>,
}

/// The request for visa sent to one référent, every version attached.
#[must_use]
pub fn request(
    to: Recipient,
    data: &RoundData,
    f: &RequestFacts<'_>,
    attachments: Vec<OutgoingAttachment>,
) -> OutgoingEmail {
    let c = f.consultation;
    let tacit = f.tacit_deadline.map_or_else(String::new, |d| {
        format!(
            "\n\nSans réponse au plus tard le {}, le visa de {} sera réputé favorable (visa tacite, règle du groupement).",
            french_date(d),
            f.member_name
        )
    });
    let text = format!(
        "Bonjour,\n\nLe coordonnateur du groupement demande le visa de {member} sur les pièces suivantes de la consultation {r} — {o} (convention, articles 5.4 et 6.2) :\n{lines}\n\nRéponse attendue au plus tard le {due}.{tacit}\n\nLes pièces sont jointes à ce courriel. Le visa porte sur ces versions exactes : toute nouvelle version demandera un nouveau visa.\n\nPour répondre (favorable, favorable avec réserves ou défavorable) : {url}\n\nCoordo, pour le coordonnateur du groupement",
        member = f.member_name,
        r = c.reference,
        o = c.objet,
        lines = piece_lines(data),
        due = french_date(data.round.due_on),
        url = f.url,
    );
    OutgoingEmail {
        kind: "visa_demande".into(),
        to,
        subject: format!(
            "Visa demandé — {} : {} — réponse avant le {}",
            c.reference,
            pieces_short(data),
            french_date(data.round.due_on)
        ),
        html: Some(html_of(&text)),
        text,
        attachments,
    }
}

/// A reminder to one référent whose member has not answered on every version.
#[must_use]
pub fn reminder(
    to: Recipient,
    data: &RoundData,
    c: &consultation::Model,
    member_name: &str,
    url: &str,
) -> OutgoingEmail {
    let text = format!(
        "Bonjour,\n\nRappel : le visa de {member_name} est attendu au plus tard le {due} sur les pièces suivantes de la consultation {r} — {o} :\n{lines}\n\nPour répondre : {url}\n\nCoordo, pour le coordonnateur du groupement",
        due = french_date(data.round.due_on),
        r = c.reference,
        o = c.objet,
        lines = piece_lines(data),
    );
    OutgoingEmail {
        kind: "visa_rappel".into(),
        to,
        subject: format!(
            "Rappel : visa attendu avant le {} — {}",
            french_date(data.round.due_on),
            c.reference
        ),
        html: Some(html_of(&text)),
        text,
        attachments: Vec::new(),
    }
}

fn member_line(status: MemberVisaStatus) -> &'static str {
    match status {
        MemberVisaStatus::EnAttente => "en attente",
        MemberVisaStatus::Favorable => "favorable",
        MemberVisaStatus::FavorableAvecReserves => "favorable avec réserves",
        MemberVisaStatus::Defavorable => "DÉFAVORABLE",
        MemberVisaStatus::Tacite => "tacite",
    }
}

/// The summary sent to the coordonnateur when a round is complete or blocked.
#[must_use]
pub fn summary(
    to: Recipient,
    data: &RoundData,
    c: &consultation::Model,
    status: RoundStatus,
    today: NaiveDate,
    url: &str,
) -> OutgoingEmail {
    let mut body = String::new();
    for p in &data.pieces {
        let s = data.piece_state(p, today);
        body.push_str(&format!(
            "\n\n{} version {} ({}) — {} :",
            store::kind_code(&p.piece_kind),
            p.version_number,
            s.progress(),
            store::status_label(s.status)
        ));
        for m in &s.per_member {
            let comment = m
                .comment
                .as_deref()
                .map_or_else(String::new, |c| format!(" — « {c} »"));
            body.push_str(&format!(
                "\n- {} : {}{comment}",
                m.member_name,
                member_line(m.status)
            ));
        }
    }
    let head = match status {
        RoundStatus::Complet => "est complet : chaque membre a donné un visa favorable",
        RoundStatus::Bloque => "est bloqué : au moins un membre a donné un visa défavorable",
        RoundStatus::EnCours => "est en cours",
    };
    let text = format!(
        "Bonjour,\n\nLe tour de visa n° {rid} de la consultation {r} — {o} {head}.{body}\n\nDétail : {url}\n\nCoordo",
        rid = data.round.id,
        r = c.reference,
        o = c.objet,
    );
    OutgoingEmail {
        kind: "visa_synthese".into(),
        to,
        subject: format!(
            "Tour de visa n° {} {} — {}",
            data.round.id,
            store::status_label(status),
            c.reference
        ),
        html: Some(html_of(&text)),
        text,
        attachments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::entities::{visa, visa_round, visa_round_member, visa_round_piece};
    use chrono::{TimeZone, Utc};

    const H: &str = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    fn data(visas: Vec<visa::Model>) -> RoundData {
        RoundData {
            round: visa_round::Model {
                id: 4,
                consultation_id: 1,
                requested_at: Utc
                    .with_ymd_and_hms(2026, 5, 12, 7, 0, 0)
                    .single()
                    .expect("t"),
                requested_on: d(5, 12),
                due_on: d(5, 29),
                tacit_jours_ouvres: Some(7),
                status: "en_cours".into(),
                created_by_user_id: None,
                created_by: "coordonnateur".into(),
            },
            pieces: vec![visa_round_piece::Model {
                id: 1,
                round_id: 4,
                piece_id: 1,
                piece_version_id: 9,
                piece_kind: "rc".into(),
                version_number: 2,
                docx_sha256: H.into(),
            }],
            members: ["SANTELYS", "CCAS DE RONCHIN"]
                .iter()
                .enumerate()
                .map(|(i, n)| visa_round_member::Model {
                    id: i32::try_from(i).expect("small"),
                    round_id: 4,
                    member_id: i32::try_from(i).expect("small") + 10,
                    member_name: (*n).into(),
                })
                .collect(),
            visas,
        }
    }

    fn consultation() -> consultation::Model {
        let at = Utc
            .with_ymd_and_hms(2026, 5, 1, 0, 0, 0)
            .single()
            .expect("t");
        consultation::Model {
            id: 1,
            groupement_id: 1,
            reference: "2026-DUI".into(),
            objet: "Dossier usager informatisé".into(),
            nature: "services".into(),
            cpv: "48000000-8".into(),
            ccag: "tic".into(),
            vat_rate: "20".into(),
            status: "pieces_en_visa".into(),
            procedure_chosen: None,
            procedure_justification: None,
            launch_date: None,
            publication_date: None,
            offers_deadline: None,
            questions_deadline: None,
            offers_validity_days: None,
            electronic: true,
            preinformation: false,
            urgence: false,
            status_motif: None,
            rejection_letters_sent_on: None,
            signed_on: None,
            notified_on: None,
            technique: crate::consultations::rules::technique::Technique::Aucune,
            execution: None,
            attributaires: None,
            sad_reference: None,
            technique_justification: None,
            dce_modification_open: false,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn the_request_names_the_exact_version_the_due_date_and_the_tacit_deadline() {
        let c = consultation();
        let r = data(vec![]);
        let f = RequestFacts {
            consultation: &c,
            member_name: "SANTELYS",
            url: "http://x/g/1/consultations/1/visas/rounds/4".into(),
            // 7 jours ouvrés after 12 May 2026, Ascension (14 May) excluded.
            tacit_deadline: super::super::rules::tacit_deadline(d(5, 12), r.tacit()),
        };
        let e = request(Recipient::named("r@x.fr", "Référent"), &r, &f, vec![]);
        assert_eq!(
            e.subject,
            "Visa demandé — 2026-DUI : RC v2 — réponse avant le 29 mai 2026"
        );
        assert!(
            e.text
                .contains(&format!("RC version 2 (empreinte SHA-256 {H})")),
            "{}",
            e.text
        );
        assert!(e.text.contains("au plus tard le 22 mai 2026"), "{}", e.text);
        assert!(e.text.contains("/visas/rounds/4"), "{}", e.text);
        assert!(
            e.html
                .as_deref()
                .is_some_and(|h| h.starts_with("<p>Bonjour,</p>"))
        );
        assert_eq!(e.kind, "visa_demande");
    }

    #[test]
    fn the_summary_lists_each_member_with_its_comment() {
        let c = consultation();
        let v = visa::Model {
            id: 1,
            round_id: 4,
            piece_version_id: 9,
            docx_sha256: H.into(),
            member_id: 11,
            actor_member_id: 11,
            actor_user_id: Some(3),
            actor: "referent@x.fr".into(),
            decision: "defavorable".into(),
            comment: Some("Délai trop court".into()),
            given_at: Utc
                .with_ymd_and_hms(2026, 5, 13, 8, 0, 0)
                .single()
                .expect("t"),
        };
        let r = data(vec![v]);
        let e = summary(
            Recipient::named("c@x.fr", "Coordonnateur"),
            &r,
            &c,
            RoundStatus::Bloque,
            d(5, 13),
            "http://x",
        );
        assert_eq!(
            e.subject,
            "Tour de visa n° 4 bloqué (visa défavorable) — 2026-DUI"
        );
        assert!(e.text.contains("RC version 2 (0/2)"), "{}", e.text);
        assert!(e.text.contains("- SANTELYS : en attente"), "{}", e.text);
        assert!(
            e.text
                .contains("- CCAS DE RONCHIN : DÉFAVORABLE — « Délai trop court »"),
            "{}",
            e.text
        );
    }
}
