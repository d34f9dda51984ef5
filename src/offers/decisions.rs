//! Decisions on the scoring taken by one person, each journaled with its reason: the président
//! of the CAO reopens a submitted sheet or fixes a consensus note (replacing the mean, R2181-3:
//! the method must be explainable), the coordonnateur opens the ranking on the submitted sheets
//! only (pending sheets are then left out of the ranking and the report).

use super::access;
use super::admissibility;
use super::evaluation::{Gate, NoteEntry, gate_of, grid, names, parse_note, sheets};
use crate::audit::{self, Actor};
use crate::auth::CurrentUser;
use crate::consultations::service as consultations;
use crate::db::entities::{consensus_note, evaluator_sheet, offer_analysis};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

/// Shortest reason accepted for a reopening or a consensus note.
pub const MIN_REASON: usize = 10;

fn reason_of(field: &str, reason: &str, what: &str) -> Result<String, AppError> {
    let r = reason.trim();
    if r.chars().count() < MIN_REASON || r.chars().count() > 2000 {
        Err(AppError::field(
            field,
            format!("{what} est obligatoire ({MIN_REASON} à 2000 caractères)"),
        ))
    } else {
        Ok(r.to_owned())
    }
}

/// The président reopens a submitted sheet, with a written reason.
///
/// # Errors
/// `Forbidden` (not président), `Validation` (reason), `NotFound`, `Conflict` (not submitted).
pub async fn reopen(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
    evaluator_id: i32,
    reason: &str,
) -> Result<String, AppError> {
    access::ensure_president(user)?;
    let reason = reason_of("motif", reason, "le motif de la réouverture")?;
    let tx = audit::begin(db).await?;
    consultations::get(&tx, gid, cid).await?;
    let sheet = evaluator_sheet::Entity::find()
        .filter(evaluator_sheet::Column::ConsultationId.eq(cid))
        .filter(evaluator_sheet::Column::EvaluatorId.eq(evaluator_id))
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = names(&tx, &[evaluator_id])
        .await?
        .remove(&evaluator_id)
        .unwrap_or_default();
    if sheet.submitted_at.is_none() {
        return Err(AppError::Conflict(format!(
            "La feuille de {name} n'est pas remise : il n'y a rien à rouvrir."
        )));
    }
    let id = sheet.id;
    let mut a: evaluator_sheet::ActiveModel = sheet.into();
    a.submitted_at = Set(None);
    a.reopened_at = Set(Some(now));
    a.reopen_reason = Set(Some(reason.clone()));
    a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: Some(gid),
            action: "offres.feuille_rouverte",
            entity: "evaluator_sheet",
            entity_id: id.to_string(),
            summary: serde_json::json!({"consultation": cid, "evaluateur": name, "motif": reason}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(name)
}

/// The président records a consensus note with its reason, once the ranking is open.
///
/// # Errors
/// `Forbidden`, `Validation`, `Conflict` (ranking closed), database errors.
pub async fn set_consensus(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
    entry: &NoteEntry,
) -> Result<(), AppError> {
    access::ensure_president(user)?;
    let reason = reason_of(
        "justification",
        &entry.justification,
        "le motif de la note de consensus",
    )?;
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    access::ensure_opened(&c, now)?;
    if let Gate::Closed(why) = gate_of(&tx, cid).await? {
        return Err(AppError::Conflict(format!(
            "Une note de consensus se fixe au vu des notes de tous : {why}"
        )));
    }
    let g = grid(&tx, cid).await?;
    let p = g
        .plis
        .iter()
        .find(|p| p.id == entry.pli_id)
        .ok_or_else(|| {
            AppError::field(
                "offre",
                format!(
                    "l'offre n° {} n'est pas une offre admise à la notation",
                    entry.pli_id
                ),
            )
        })?;
    let (crit, scale) = g
        .leaves
        .iter()
        .find(|(c, _)| c.code == entry.criterion.trim())
        .ok_or_else(|| {
            AppError::field(
                "critere",
                format!(
                    "« {} » n'est pas un critère noté de la grille",
                    entry.criterion.trim()
                ),
            )
        })?;
    let n = parse_note(&entry.note, *scale).map_err(|m| AppError::field("note", m))?;
    let existing = consensus_note::Entity::find()
        .filter(consensus_note::Column::PliId.eq(p.id))
        .filter(consensus_note::Column::CriterionId.eq(crit.id))
        .one(&tx)
        .await?;
    let before = existing
        .as_ref()
        .map(|x| serde_json::json!({"note": x.note, "motif": x.reason}));
    let mut a = existing.map_or_else(
        || consensus_note::ActiveModel {
            consultation_id: Set(cid),
            pli_id: Set(p.id),
            criterion_id: Set(crit.id),
            ..Default::default()
        },
        Into::into,
    );
    a.note = Set(n.normalize().to_string());
    a.reason = Set(reason.clone());
    a.decided_by = Set(user.id);
    a.decided_at = Set(now);
    a.save(&tx).await?;
    audit::record(&tx, now, &user.actor(), audit::Event {
        groupement_id: Some(gid),
        action: "offres.note_consensus",
        entity: "pli",
        entity_id: p.id.to_string(),
        summary: serde_json::json!({"consultation": cid, "soumissionnaire": p.bidder_name, "critere": crit.label,
            "before": before, "after": {"note": n.normalize().to_string(), "motif": reason}}),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The coordonnateur opens the ranking on the submitted sheets only.
///
/// # Errors
/// `Conflict` without any submitted sheet or when already open; database errors.
pub async fn force_ranking(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
) -> Result<usize, AppError> {
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    access::ensure_opened(&c, now)?;
    let all = sheets(&tx, cid).await?;
    let submitted: Vec<i32> = all
        .iter()
        .filter(|s| s.submitted_at.is_some())
        .map(|s| s.evaluator_id)
        .collect();
    if submitted.is_empty() {
        return Err(AppError::Conflict(
            "Aucune feuille de notation n'est remise : le classement ne peut pas être établi."
                .into(),
        ));
    }
    let s = admissibility::settings_for_update(&tx, cid).await?;
    if s.ranking_forced_at.is_some() || submitted.len() == all.len() {
        return Err(AppError::Conflict("Le classement est déjà ouvert.".into()));
    }
    let pending: Vec<i32> = all
        .iter()
        .filter(|s| s.submitted_at.is_none())
        .map(|s| s.evaluator_id)
        .collect();
    let who = names(&tx, &pending).await?;
    let mut a: offer_analysis::ActiveModel = s.into();
    a.ranking_forced_at = Set(Some(now));
    a.update(&tx).await?;
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "offres.classement_sur_feuilles_remises",
        entity: "consultation",
        entity_id: cid.to_string(),
        summary: serde_json::json!({"feuilles_remises": submitted.len(), "feuilles_ecartees": who.values().collect::<Vec<_>>()}),
    })
    .await?;
    tx.commit().await?;
    Ok(submitted.len())
}
