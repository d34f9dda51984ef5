//! Storage of the attribution area: attempts, letters, validations, dispatches, and the
//! consultation status moves they cause (each written with its journal entry).

use super::rules::{AttributionStatus, Certificate};
use crate::audit::{self, Actor};
use crate::consultations::lifecycle::{self, Status, TransitionContext};
use crate::db::entities::{
    attribution, consultation, contract_dispatch, letter, member, member_validation, pli,
};
use crate::error::AppError;
use crate::mail::{self, OutgoingEmail};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;

/// Every attempt of a consultation, oldest first.
///
/// # Errors
/// Database errors.
pub async fn attributions<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<attribution::Model>, AppError> {
    Ok(attribution::Entity::find()
        .filter(attribution::Column::ConsultationId.eq(cid))
        .order_by_asc(attribution::Column::Id)
        .all(db)
        .await?)
}

/// The status of an attempt (an unknown code is a bug of the data, shown as a failure).
#[must_use]
pub fn status(a: &attribution::Model) -> AttributionStatus {
    AttributionStatus::parse(&a.status).unwrap_or(AttributionStatus::Defaillante)
}

/// The certificates of an attempt.
#[must_use]
pub fn certificates(a: &attribution::Model) -> Vec<Certificate> {
    serde_json::from_str(&a.certificates).unwrap_or_default()
}

/// The attempt that currently holds each lot (`None` key: consultation without lots).
#[must_use]
pub fn current(all: &[attribution::Model], lot_id: Option<i32>) -> Option<&attribution::Model> {
    all.iter()
        .rev()
        .find(|a| a.lot_id == lot_id && status(a).is_current())
}

/// The plis of a lot whose attempt failed (R2144-7).
#[must_use]
pub fn failed(all: &[attribution::Model], lot_id: Option<i32>) -> Vec<i32> {
    all.iter()
        .filter(|a| a.lot_id == lot_id && status(a) == AttributionStatus::Defaillante)
        .map(|a| a.pli_id)
        .collect()
}

/// Letters of a consultation, without their bytes, newest last.
///
/// # Errors
/// Database errors.
pub async fn letters<C: ConnectionTrait>(db: &C, cid: i32) -> Result<Vec<LetterMeta>, AppError> {
    Ok(letter::Entity::find()
        .select_only()
        .columns([
            letter::Column::Id,
            letter::Column::LotId,
            letter::Column::PliId,
            letter::Column::Kind,
            letter::Column::RecipientName,
            letter::Column::RecipientEmail,
            letter::Column::SentOn,
            letter::Column::SentAt,
            letter::Column::Electronic,
            letter::Column::Filename,
            letter::Column::DocxSha256,
            letter::Column::MailMessageId,
        ])
        .filter(letter::Column::ConsultationId.eq(cid))
        .order_by_asc(letter::Column::Id)
        .into_model::<LetterMeta>()
        .all(db)
        .await?)
}

/// A letter without its bytes.
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
pub struct LetterMeta {
    pub id: i32,
    pub lot_id: Option<i32>,
    pub pli_id: Option<i32>,
    pub kind: String,
    pub recipient_name: String,
    pub recipient_email: String,
    pub sent_on: NaiveDate,
    pub sent_at: DateTime<Utc>,
    pub electronic: bool,
    pub filename: String,
    pub docx_sha256: String,
    pub mail_message_id: Option<i32>,
}

/// One letter with its bytes, if it belongs to the consultation.
///
/// # Errors
/// Database errors.
pub async fn letter<C: ConnectionTrait>(
    db: &C,
    cid: i32,
    id: i32,
) -> Result<Option<letter::Model>, AppError> {
    Ok(letter::Entity::find_by_id(id)
        .filter(letter::Column::ConsultationId.eq(cid))
        .one(db)
        .await?)
}

/// A letter to write: its row and, when electronic, the email that carries it.
pub struct NewLetter {
    pub consultation_id: i32,
    pub lot_id: Option<i32>,
    pub pli_id: Option<i32>,
    pub attribution_id: Option<i32>,
    pub kind: &'static str,
    pub recipient_name: String,
    pub recipient_email: String,
    pub sent_on: NaiveDate,
    pub electronic: bool,
    pub filename: String,
    pub docx: Vec<u8>,
    pub email: Option<OutgoingEmail>,
}

/// Writes a letter, queues its email in the same transaction (the outbox sends it after
/// commit) and journals it.
///
/// # Errors
/// An invalid email address (French), database errors.
pub async fn write_letter<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    l: NewLetter,
) -> Result<letter::Model, AppError> {
    let mail_id = match l.email {
        Some(e) => Some(
            mail::enqueue(tx, now, actor, Some(gid), e)
                .await
                .map_err(|e| {
                    AppError::Conflict(format!(
                        "Le courriel destiné à {} ne peut pas partir : {e}",
                        l.recipient_name
                    ))
                })?,
        ),
        None => None,
    };
    let sha = mail::outbox::sha256_hex(&l.docx);
    let row = letter::ActiveModel {
        consultation_id: Set(l.consultation_id),
        lot_id: Set(l.lot_id),
        pli_id: Set(l.pli_id),
        attribution_id: Set(l.attribution_id),
        kind: Set(l.kind.to_owned()),
        recipient_name: Set(l.recipient_name.clone()),
        recipient_email: Set(l.recipient_email.clone()),
        sent_on: Set(l.sent_on),
        sent_at: Set(now),
        electronic: Set(l.electronic),
        filename: Set(l.filename.clone()),
        docx_sha256: Set(sha.clone()),
        docx: Set(l.docx),
        mail_message_id: Set(mail_id),
        created_by: Set(actor.label.clone()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "lettre.envoi",
            entity: "letter",
            entity_id: row.id.to_string(),
            summary: json!({
                "consultation_id": l.consultation_id, "lot_id": l.lot_id, "kind": l.kind,
                "destinataire": l.recipient_name, "courriel": l.recipient_email,
                "electronique": l.electronic, "fichier": l.filename, "sha256": sha,
                "courriel_id": mail_id,
            }),
        },
    )
    .await?;
    Ok(row)
}

/// Moves the consultation to `to` when the lifecycle allows it with the facts `ctx`, and
/// journals the move; a refusal comes back in French.
///
/// # Errors
/// `Conflict` with the lifecycle's reason; database errors.
pub async fn move_status<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    c: consultation::Model,
    to: Status,
    ctx: &TransitionContext,
) -> Result<consultation::Model, AppError> {
    let from = Status::from_code(&c.status).map_err(|e| AppError::Conflict(e.to_string()))?;
    let new =
        lifecycle::transition(from, to, ctx).map_err(|e| AppError::Conflict(e.to_string()))?;
    let (gid, cid) = (c.groupement_id, c.id);
    let mut a: consultation::ActiveModel = c.into();
    a.status = Set(new.code().to_owned());
    a.updated_at = Set(now);
    let c = a.update(tx).await?;
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.transition",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: json!({"before": from.code(), "after": new.code()}),
        },
    )
    .await?;
    Ok(c)
}

/// Journals a change of an attempt.
///
/// # Errors
/// Database errors.
pub async fn journal<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    action: &'static str,
    a: &attribution::Model,
    extra: serde_json::Value,
) -> Result<(), AppError> {
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action,
            entity: "attribution",
            entity_id: a.id.to_string(),
            summary: json!({
                "consultation_id": a.consultation_id, "lot_id": a.lot_id, "pli_id": a.pli_id,
                "tentative": a.attempt, "statut": a.status, "details": extra,
            }),
        },
    )
    .await?;
    Ok(())
}

/// The plis of a consultation.
///
/// # Errors
/// Database errors.
pub async fn pli<C: ConnectionTrait>(
    db: &C,
    cid: i32,
    id: i32,
) -> Result<Option<pli::Model>, AppError> {
    Ok(pli::Entity::find_by_id(id)
        .filter(pli::Column::ConsultationId.eq(cid))
        .one(db)
        .await?)
}

/// Written validations of the members (convention art. 6.2).
///
/// # Errors
/// Database errors.
pub async fn validations<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<member_validation::Model>, AppError> {
    Ok(member_validation::Entity::find()
        .filter(member_validation::Column::ConsultationId.eq(cid))
        .all(db)
        .await?)
}

/// The members that must validate: those not withdrawn (convention art. 6.2, 15).
///
/// # Errors
/// Database errors.
pub async fn active_members<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    today: NaiveDate,
) -> Result<Vec<member::Model>, AppError> {
    Ok(member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .order_by_asc(member::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .filter(|m| m.withdrawn_on.is_none_or(|w| w > today))
        .collect())
}

/// Dispatches of the contractual pieces to the members.
///
/// # Errors
/// Database errors.
pub async fn dispatches<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<contract_dispatch::Model>, AppError> {
    Ok(contract_dispatch::Entity::find()
        .filter(contract_dispatch::Column::ConsultationId.eq(cid))
        .order_by_asc(contract_dispatch::Column::Id)
        .all(db)
        .await?)
}

/// What the attribution area knows for the lifecycle's conditions.
#[derive(Debug, Clone, Default)]
pub struct LifecycleFacts {
    pub any_attribution: bool,
    pub certificates_received: bool,
    pub rejection_letters_sent: bool,
    pub members_validation_complete: bool,
    pub contract_pieces_sent: bool,
    /// NOTI3 sent electronically (11 days) rather than by post (16 days), R2182-1.
    pub electronic: bool,
    pub avis_published_on: Option<NaiveDate>,
}

/// Gathers [`LifecycleFacts`].
///
/// # Errors
/// Database errors.
pub async fn lifecycle_facts<C: ConnectionTrait>(
    db: &C,
    c: &consultation::Model,
    today: NaiveDate,
) -> Result<LifecycleFacts, AppError> {
    let all = attributions(db, c.id).await?;
    let cur: Vec<&attribution::Model> = all.iter().filter(|a| status(a).is_current()).collect();
    let noti3 = letter::Entity::find()
        .select_only()
        .column(letter::Column::Electronic)
        .filter(letter::Column::ConsultationId.eq(c.id))
        .filter(letter::Column::Kind.eq("noti3"))
        .into_tuple::<bool>()
        .all(db)
        .await?;
    let members = active_members(db, c.groupement_id, today).await?;
    let validated = validations(db, c.id).await?;
    Ok(LifecycleFacts {
        any_attribution: !cur.is_empty(),
        certificates_received: !cur.is_empty()
            && cur
                .iter()
                .all(|a| status(a) != AttributionStatus::EnAttentePieces),
        rejection_letters_sent: c.rejection_letters_sent_on.is_some(),
        members_validation_complete: members
            .iter()
            .all(|m| validated.iter().any(|v| v.member_id == m.id)),
        contract_pieces_sent: !dispatches(db, c.id).await?.is_empty(),
        electronic: noti3.iter().all(|e| *e),
        avis_published_on: cur.iter().filter_map(|a| a.avis_published_on).min(),
    })
}

pub use crate::consultations::calendar_facts::calendar_facts;

/// Opens the write transaction of an action prepared on `seen` (letters rendered, checks
/// made) and reloads the consultation: if its status moved meanwhile, nothing is written.
///
/// # Errors
/// `Conflict` (French) when the consultation changed; database errors.
pub async fn begin_unchanged(
    db: &sea_orm::DatabaseConnection,
    seen: &consultation::Model,
) -> Result<(audit::AuditTx, consultation::Model), AppError> {
    let tx = audit::begin(db).await?;
    let c = crate::consultations::service::get(&tx, seen.groupement_id, seen.id).await?;
    if c.status != seen.status {
        return Err(AppError::Conflict(
            "La consultation a changé entre-temps : rechargez la page.".into(),
        ));
    }
    Ok((tx, c))
}
