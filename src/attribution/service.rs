//! The decision: attribution of a lot to the best-ranked bidder (after the CAO's deliberation
//! when it is competent, L1414-2; by the coordonnateur for a MAPA), the NOTI1 with its
//! certificates and deadline (R2144-4), their receipt, and the rejection of a bidder that does
//! not produce them, which opens the lot to the next-ranked one (R2144-7).

use super::docs::{self, lot_ref};
use super::letters::{self, Mail};
use super::ranking::{self, LotRanking};
use super::rules::{self, AttributionStatus, Certificate};
use super::store::{self, NewLetter};
use crate::audit::{self, Actor};
use crate::consultations::lifecycle::{Status, TransitionContext};
use crate::consultations::{self, service as consultation_service};
use crate::db::entities::{attribution, cao_agenda_item, cao_deliberation};
use crate::docgen::DocKind;
use crate::error::AppError;
use crate::offers::{analysis, register};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

/// Minimum length of the motifs du choix (they go into every NOTI3, R2181-3 1°).
pub const MIN_REASONS_CHARS: usize = 20;

/// What the coordonnateur submits to award a lot.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecideInput {
    /// Lot id, empty for a consultation without lots.
    pub lot_id: String,
    pub pli_id: String,
    pub reasons: String,
    /// Paris wall-clock deadline of the certificates, `YYYY-MM-DDTHH:MM`.
    pub deadline: String,
}

/// The rankings of every lot, from the offers' snapshot.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn rankings<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
) -> Result<Vec<LotRanking>, AppError> {
    let s = analysis::load(db, gid, cid).await?;
    Ok(ranking::rankings(&s))
}

/// The adopted deliberation of the CAO on this lot (or on the whole consultation), if any.
async fn cao_decision<C: ConnectionTrait>(
    db: &C,
    cid: i32,
    lot_id: Option<i32>,
) -> Result<Option<cao_deliberation::Model>, AppError> {
    let items = cao_agenda_item::Entity::find()
        .filter(cao_agenda_item::Column::ConsultationId.eq(cid))
        .all(db)
        .await?;
    let ids: Vec<i32> = items
        .iter()
        .filter(|i| i.lot_id.is_none() || i.lot_id == lot_id)
        .map(|i| i.id)
        .collect();
    Ok(cao_deliberation::Entity::find()
        .filter(cao_deliberation::Column::AgendaItemId.is_in(ids))
        .filter(cao_deliberation::Column::Result.is_in(["adoptee", "adoptee_voix_preponderante"]))
        .one(db)
        .await?)
}

fn parse_id(field: &str, v: &str, what: &str) -> Result<Option<i32>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| AppError::field(field, format!("{what} invalide : « {v} ».")))
}

/// Awards a lot and sends the NOTI1, in one transaction; returns the attempt.
///
/// # Errors
/// `Validation` for a bad field, `Conflict` with the French reason (ranking not established,
/// not the best-ranked bidder, no CAO decision, lot already awarded, no email), database errors.
#[allow(clippy::too_many_lines)]
pub async fn decide(
    st: &AppState,
    actor: &Actor,
    gid: i32,
    cid: i32,
    input: &DecideInput,
) -> Result<attribution::Model, AppError> {
    let now = st.clock.now();
    let today = now.with_timezone(&Paris).date_naive();
    let d = consultation_service::detail(&st.db, gid, cid, today).await?;
    if !matches!(d.status, Status::Analyse | Status::AttributionDecidee) {
        return Err(AppError::Conflict(format!(
            "La consultation est à l'état « {} » : l'attribution se décide pendant l'analyse des offres.",
            d.status.label()
        )));
    }
    let lot_id = parse_id("lot_id", &input.lot_id, "Lot")?;
    let pli_id = parse_id("pli_id", &input.pli_id, "Pli")?
        .ok_or_else(|| AppError::field("pli_id", "Choisissez le soumissionnaire attributaire."))?;
    let reasons = input.reasons.trim().to_owned();
    if reasons.chars().count() < MIN_REASONS_CHARS {
        return Err(AppError::field(
            "reasons",
            format!(
                "Motivez le choix de l'offre en {MIN_REASONS_CHARS} caractères au moins : ces motifs figurent dans chaque lettre de rejet (R2181-3 1°)."
            ),
        ));
    }
    let deadline_at = register::parse_paris_instant(&input.deadline)
        .map_err(|e| AppError::field("deadline", e))?;
    rules::check_certificates_deadline(deadline_at, now, &register::paris_label(deadline_at))
        .map_err(|e| AppError::field("deadline", e.to_string()))?;
    let rs = rankings(&st.db, gid, cid).await?;
    let lr = rs
        .iter()
        .find(|r| r.lot_id() == lot_id)
        .ok_or_else(|| AppError::field("lot_id", "Ce lot n'a reçu aucun pli."))?;
    if let Some(why) = &lr.blocked {
        return Err(AppError::Conflict(format!(
            "{} : attribution impossible, {why}.",
            lr.label
        )));
    }
    let all = store::attributions(&st.db, cid).await?;
    if let Some(cur) = store::current(&all, lot_id) {
        let name = store::pli(&st.db, cid, cur.pli_id)
            .await?
            .map(|p| p.bidder_name)
            .unwrap_or_default();
        return Err(AppError::Conflict(format!(
            "{} est déjà attribué à {name} : une nouvelle attribution n'est possible qu'après le rejet de son offre faute des pièces demandées (R2144-7).",
            lr.label
        )));
    }
    let failed = store::failed(&all, lot_id);
    let tie = ranking::tie_at_first(lr);
    if failed.is_empty() && tie.len() > 1 {
        return Err(AppError::Conflict(format!(
            "{} : plusieurs offres sont classées premières ex aequo ; départagez-les (rapport d'analyse) avant d'attribuer.",
            lr.label
        )));
    }
    let expected = rules::next_ranked(&lr.order(), &failed).ok_or_else(|| {
        AppError::Conflict(format!(
            "{} : plus aucune offre classée ne peut être retenue ; déclarez le lot infructueux ou sans suite (R2185-1).",
            lr.label
        ))
    })?;
    let pli = store::pli(&st.db, cid, pli_id)
        .await?
        .ok_or_else(|| AppError::field("pli_id", "Ce pli n'appartient pas à la consultation."))?;
    if pli_id != expected {
        let name = store::pli(&st.db, cid, expected)
            .await?
            .map(|p| p.bidder_name)
            .unwrap_or_default();
        return Err(AppError::Conflict(format!(
            "{} doit être attribué à l'offre économiquement la plus avantageuse non encore écartée, celle de {name} (L2152-7, R2144-7), et non à {}.",
            lr.label, pli.bidder_name
        )));
    }
    let cao_required = d.proposal.as_ref().is_ok_and(|p| p.cao_required);
    let deliberation = cao_decision(&st.db, cid, lot_id).await?;
    if cao_required && deliberation.is_none() {
        return Err(AppError::Conflict(format!(
            "{} : la commission d'appel d'offres doit d'abord choisir l'attributaire (délibération adoptée en séance, CGCT L1414-2).",
            lr.label
        )));
    }
    if !pli.contact_email.contains('@') {
        return Err(AppError::Conflict(format!(
            "Renseignez le courriel de {} dans le registre des plis : le NOTI1 lui est envoyé par voie électronique.",
            pli.bidder_name
        )));
    }
    let base = docs::base(&st.db, gid, cid, now).await?;
    let lot = lot_ref(lr.lot.as_ref(), &d.c.objet);
    let party = ranking::party(&pli);
    let ctx = letters::noti1(&base.ctx, &lot, &party, deadline_at, now);
    let doc = docs::render(&st.engine, DocKind::Noti1, &ctx, &base.look)?;
    let filename = docs::filename(&d.c.reference, "noti1", lot.number, &pli.bidder_name);
    let email = letters::noti1_email(
        Mail {
            kind: "noti1",
            to: &party,
            reference: &d.c.reference,
            objet: &d.c.objet,
            lot: &lot,
            buyer: base.ctx["buyer"]["name"].as_str().unwrap_or_default(),
            attachments: vec![(filename.clone(), doc.docx.clone())],
        },
        deadline_at,
    )?;
    let (tx, c) = store::begin_unchanged(&st.db, &d.c).await?;
    let a = attribution::ActiveModel {
        consultation_id: Set(cid),
        lot_id: Set(lot_id),
        pli_id: Set(pli_id),
        attempt: Set(i32::try_from(failed.len() + 1).unwrap_or(i32::MAX)),
        basis: Set(if deliberation.is_some() {
            "cao"
        } else {
            "coordonnateur"
        }
        .to_owned()),
        deliberation_id: Set(deliberation.as_ref().map(|x| x.id)),
        reasons: Set(reasons.clone()),
        amount_ht: Set(pli.price_ht.clone().unwrap_or_else(|| "0".into())),
        status: Set(AttributionStatus::EnAttentePieces.code().to_owned()),
        certificates: Set(
            serde_json::to_string(&rules::requested_certificates()).unwrap_or_else(|_| "[]".into())
        ),
        certificates_deadline: Set(Some(deadline_at)),
        noti1_sent_at: Set(Some(now)),
        decided_at: Set(now),
        decided_by: Set(actor.label.clone()),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    store::journal(
        &tx,
        now,
        actor,
        gid,
        "attribution.decision",
        &a,
        json!({"attributaire": pli.bidder_name, "motifs": reasons, "pieces_avant": register::paris_label(deadline_at), "base": a.basis}),
    )
    .await?;
    store::write_letter(
        &tx,
        now,
        actor,
        gid,
        NewLetter {
            consultation_id: cid,
            lot_id,
            pli_id: Some(pli_id),
            attribution_id: Some(a.id),
            kind: "noti1",
            recipient_name: pli.bidder_name.clone(),
            recipient_email: pli.contact_email.clone(),
            sent_on: today,
            electronic: true,
            filename,
            docx: doc.docx,
            email: Some(email),
        },
    )
    .await?;
    if c.status == Status::Analyse.code() {
        let ctx = TransitionContext {
            analysis_complete: true,
            cao_required,
            cao_decision_recorded: deliberation.is_some(),
            ..TransitionContext::default()
        };
        store::move_status(&tx, now, actor, c, Status::AttributionDecidee, &ctx).await?;
    }
    tx.commit().await?;
    Ok(a)
}

async fn attempt_in(
    db: &sea_orm::DatabaseTransaction,
    gid: i32,
    cid: i32,
    aid: i32,
) -> Result<attribution::Model, AppError> {
    consultations::service::get(db, gid, cid).await?;
    attribution::Entity::find_by_id(aid)
        .filter(attribution::Column::ConsultationId.eq(cid))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Records the receipt of certificates (`index` of the list, or all of them with `None`) on
/// `received_on`; when every one is in, the offer is retained.
///
/// # Errors
/// `NotFound`, `Conflict` (not awaiting certificates), `Validation`, database errors.
pub async fn receive_certificates(
    st: &AppState,
    actor: &Actor,
    gid: i32,
    cid: i32,
    aid: i32,
    index: Option<usize>,
    received_on: NaiveDate,
) -> Result<AttributionStatus, AppError> {
    let now = st.clock.now();
    let today = now.with_timezone(&Paris).date_naive();
    if received_on > today {
        return Err(AppError::field(
            "received_on",
            "La date de réception ne peut pas être dans le futur.",
        ));
    }
    let tx = audit::begin(&st.db).await?;
    let a = attempt_in(&tx, gid, cid, aid).await?;
    if store::status(&a) != AttributionStatus::EnAttentePieces {
        return Err(AppError::Conflict(format!(
            "Cette attribution n'attend plus de pièces (état : {}).",
            store::status(&a).label()
        )));
    }
    if a.noti1_sent_at
        .is_some_and(|s| received_on < s.with_timezone(&Paris).date_naive())
    {
        return Err(AppError::field(
            "received_on",
            "La date de réception précède l'envoi du NOTI1.",
        ));
    }
    let mut certs: Vec<Certificate> = store::certificates(&a);
    match index {
        Some(i) => {
            let c = certs
                .get_mut(i)
                .ok_or_else(|| AppError::field("index", "Pièce inconnue."))?;
            c.received_on = Some(received_on);
        }
        None => {
            for c in certs.iter_mut().filter(|c| c.received_on.is_none()) {
                c.received_on = Some(received_on);
            }
        }
    }
    let complete = rules::missing(&certs).is_empty();
    let status = if complete {
        AttributionStatus::Retenue
    } else {
        AttributionStatus::EnAttentePieces
    };
    let mut am: attribution::ActiveModel = a.into();
    am.certificates = Set(serde_json::to_string(&certs).unwrap_or_else(|_| "[]".into()));
    am.status = Set(status.code().to_owned());
    am.updated_at = Set(now);
    let a = am.update(&tx).await?;
    store::journal(
        &tx,
        now,
        actor,
        gid,
        "attribution.pieces_recues",
        &a,
        json!({"pieces": certs, "recu_le": received_on}),
    )
    .await?;
    tx.commit().await?;
    Ok(status)
}

/// Rejects the offer of a bidder that did not produce its certificates in time (R2144-7):
/// the lot opens to the next-ranked bidder.
///
/// # Errors
/// `NotFound`, `Conflict` (deadline not passed, nothing missing), database errors.
pub async fn declare_failure(
    st: &AppState,
    actor: &Actor,
    gid: i32,
    cid: i32,
    aid: i32,
) -> Result<(), AppError> {
    let now: DateTime<Utc> = st.clock.now();
    let tx = audit::begin(&st.db).await?;
    let a = attempt_in(&tx, gid, cid, aid).await?;
    if store::status(&a) != AttributionStatus::EnAttentePieces {
        return Err(AppError::Conflict(format!(
            "Cette attribution n'attend pas de pièces (état : {}).",
            store::status(&a).label()
        )));
    }
    let certs = store::certificates(&a);
    let deadline = a.certificates_deadline.unwrap_or(now);
    rules::may_declare_failure(&certs, deadline, now, &register::paris_label(deadline))
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let missing: Vec<String> = rules::missing(&certs)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let reason = format!(
        "pièces non produites dans le délai fixé (au plus tard le {}) : {} (R2144-7)",
        register::paris_label(deadline),
        missing.join(" ; ")
    );
    let mut am: attribution::ActiveModel = a.into();
    am.status = Set(AttributionStatus::Defaillante.code().to_owned());
    am.failure_reason = Set(Some(reason.clone()));
    am.updated_at = Set(now);
    let a = am.update(&tx).await?;
    store::journal(
        &tx,
        now,
        actor,
        gid,
        "attribution.defaillance",
        &a,
        json!({"motif": reason}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
