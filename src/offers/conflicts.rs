//! A member of the CAO's conflict of interest with a bidder: the déport.
//!
//! A person who has, directly or indirectly, an interest that may compromise their
//! impartiality abstains (L2141-10 CCP; loi 2013-907 art. 2, déport): the member declares the
//! conflict with the bidder, does not score that offer (their sheet skips it, notes already
//! entered on it are removed), and the déport is journaled. The ranking averages the notes of
//! the members who scored each offer. A déport never re-locks an opened ranking.

use crate::audit;
use crate::db::entities::{evaluator_note, offer_conflict};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait,
    QueryFilter, Set,
};
use std::collections::HashSet;

/// The plis an evaluator is déporté from.
///
/// # Errors
/// Database errors.
pub async fn of_evaluator<C: ConnectionTrait>(
    db: &C,
    cid: i32,
    evaluator: i32,
) -> Result<HashSet<i32>, AppError> {
    Ok(offer_conflict::Entity::find()
        .filter(offer_conflict::Column::ConsultationId.eq(cid))
        .filter(offer_conflict::Column::EvaluatorId.eq(evaluator))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.pli_id)
        .collect())
}

/// Every déport of a consultation.
///
/// # Errors
/// Database errors.
pub async fn all<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<offer_conflict::Model>, AppError> {
    Ok(offer_conflict::Entity::find()
        .filter(offer_conflict::Column::ConsultationId.eq(cid))
        .all(db)
        .await?)
}

/// Checks the reason of a declaration (pure).
///
/// # Errors
/// A French message.
pub fn check_reason(reason: &str) -> Result<String, String> {
    let r = reason.trim();
    if r.chars().count() < 5 || r.chars().count() > 2000 {
        return Err(
            "dites en quelques mots la nature du conflit d'intérêts (5 à 2000 caractères)".into(),
        );
    }
    Ok(r.to_owned())
}

/// Records the caller's conflict of interest with the bidder of pli `pid` (a member of the
/// CAO, for themself); removes the notes they entered on it. Journaled (`offres.deport`).
///
/// # Errors
/// `Conflict` (sealed, declared twice), `NotFound`, `Validation`, database errors.
pub async fn declare(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &crate::auth::CurrentUser,
    gid: i32,
    cid: i32,
    pid: i32,
    reason: &str,
) -> Result<(), AppError> {
    if !super::access::is_evaluator(user) {
        return Err(AppError::Forbidden(
            "seuls les membres de la CAO déclarent un conflit d'intérêts sur une offre".into(),
        ));
    }
    let reason = check_reason(reason).map_err(|m| AppError::field("reason", m))?;
    let (tx, _, p) = super::register::begin_on_opened(db, now, gid, cid, pid).await?;
    if of_evaluator(&tx, cid, user.id).await?.contains(&pid) {
        return Err(AppError::Conflict(
            "Vous avez déjà déclaré ce conflit d'intérêts : vous êtes déporté de cette offre."
                .into(),
        ));
    }
    offer_conflict::ActiveModel {
        consultation_id: Set(cid),
        pli_id: Set(pid),
        evaluator_id: Set(user.id),
        reason: Set(reason.clone()),
        declared_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let notes = evaluator_note::Entity::find()
        .filter(evaluator_note::Column::ConsultationId.eq(cid))
        .filter(evaluator_note::Column::EvaluatorId.eq(user.id))
        .filter(evaluator_note::Column::PliId.eq(pid))
        .all(&tx)
        .await?;
    let removed = notes.len();
    for n in notes {
        n.delete(&tx).await?;
    }
    let remaining = super::evaluation::notes(&tx, cid, Some(user.id)).await?;
    let sheet = crate::db::entities::evaluator_sheet::Entity::find()
        .filter(crate::db::entities::evaluator_sheet::Column::ConsultationId.eq(cid))
        .filter(crate::db::entities::evaluator_sheet::Column::EvaluatorId.eq(user.id))
        .one(&tx)
        .await?;
    audit::record(
        &tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: Some(gid),
            action: "offres.deport",
            entity: "evaluator_sheet",
            entity_id: sheet.map_or_else(|| format!("u{}", user.id), |s| s.id.to_string()),
            summary: serde_json::json!({
                "consultation": cid, "pli": pid, "soumissionnaire": p.bidder_name,
                "motif": reason, "notes_retirees": removed,
                // The sheet's digest after the déport (its notes changed).
                "empreinte_sha256": audit::business::notes_digest(&remaining),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
