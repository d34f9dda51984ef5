//! Independent scoring by the members of the CAO (anchors §3 item 4):
//!
//! - only an account holding a voting seat of the CAO in force scores (titulaire, or suppléant
//!   in place of its titulaire: one voice per member, [`crate::cao::scorers`]); each enters, per
//!   admissible offer and per
//!   evaluated leaf criterion, a note on the criterion's scale with a written justification
//!   (the method must be explainable to rejected tenderers, R2181-3, R2184-2);
//! - until the ranking opens, an evaluator sees only their own sheet (blind scoring); the
//!   coordonnateur and the AMOA see who has finished, never the notes;
//! - a submitted sheet is locked; only the président of the CAO reopens it, with a written
//!   reason (journaled);
//! - the ranking opens when every sheet is submitted, or when the coordonnateur asks for it on
//!   the submitted sheets only (pending sheets are then left out);
//! - once open, the président may record a consensus note with its reason, replacing the mean;
//! - a member déporté from an offer (declared conflict of interest, [`super::conflicts`]) does
//!   not score it: their sheet skips it; the declaration creates no sheet, so a member déporté
//!   from every offer never re-locks the ranking (only a seated member who actually scores
//!   opens a sheet, and the ranking then waits for it like for any other).
//!
//! Decisions of the président and the coordonnateur are in [`super::decisions`].
//!
//! The journal records each save with a SHA-256 digest of the sheet, not the notes themselves:
//! the coordonnateur reads the journal and must not see the notes before the ranking opens.

use super::access;
use super::admissibility::{self, PliState};
use super::criteria;
use super::criteria_form::parse_fr_decimal;
use crate::audit;
use crate::auth::CurrentUser;
use crate::consultations::service as consultations;
use crate::db::entities::{
    app_user, consensus_note, evaluator_note, evaluator_sheet, offer_criterion, pli,
};
use crate::error::AppError;
use crate::scoring::OfferStatus;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One note as entered (page or API).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NoteEntry {
    #[serde(rename = "offre")]
    pub pli_id: i32,
    #[serde(rename = "critere")]
    pub criterion: String,
    pub note: String,
    pub justification: String,
}

/// Whether the ranking may be shown, and on which sheets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Every sheet submitted (`forced = false`) or ranking asked on the submitted ones.
    Open { forced: bool },
    /// Why not yet (French).
    Closed(String),
}

/// The gate from the sheets and the coordonnateur's request (pure). A grid without any
/// evaluated criterion (price only) needs no sheet.
#[must_use]
pub fn gate(sheets: &[evaluator_sheet::Model], forced: bool, needs_notes: bool) -> Gate {
    let submitted = sheets.iter().filter(|s| s.submitted_at.is_some()).count();
    if !needs_notes && submitted == sheets.len() {
        Gate::Open { forced: false }
    } else if sheets.is_empty() {
        Gate::Closed("Aucun membre de la CAO n'a encore noté les offres.".into())
    } else if submitted == sheets.len() {
        Gate::Open { forced: false }
    } else if forced && submitted > 0 {
        Gate::Open { forced: true }
    } else {
        Gate::Closed(format!(
            "{submitted} feuille(s) de notation remise(s) sur {} : le classement s'ouvre quand toutes \
             sont remises, ou à la demande du coordonnateur sur les seules feuilles remises.",
            sheets.len()
        ))
    }
}

/// The sheets of a consultation.
///
/// # Errors
/// Database errors.
pub async fn sheets<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<evaluator_sheet::Model>, AppError> {
    Ok(evaluator_sheet::Entity::find()
        .filter(evaluator_sheet::Column::ConsultationId.eq(cid))
        .order_by_asc(evaluator_sheet::Column::Id)
        .all(db)
        .await?)
}

/// The notes of a consultation, of one evaluator or of all.
///
/// # Errors
/// Database errors.
pub async fn notes<C: ConnectionTrait>(
    db: &C,
    cid: i32,
    evaluator: Option<i32>,
) -> Result<Vec<evaluator_note::Model>, AppError> {
    let mut q =
        evaluator_note::Entity::find().filter(evaluator_note::Column::ConsultationId.eq(cid));
    if let Some(e) = evaluator {
        q = q.filter(evaluator_note::Column::EvaluatorId.eq(e));
    }
    Ok(q.order_by_asc(evaluator_note::Column::Id).all(db).await?)
}

/// The consensus notes of a consultation.
///
/// # Errors
/// Database errors.
pub async fn consensus<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<consensus_note::Model>, AppError> {
    Ok(consensus_note::Entity::find()
        .filter(consensus_note::Column::ConsultationId.eq(cid))
        .order_by_asc(consensus_note::Column::Id)
        .all(db)
        .await?)
}

/// Display names of the accounts `ids`.
///
/// # Errors
/// Database errors.
pub async fn names<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<HashMap<i32, String>, AppError> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// What a note may be given on: the admissible plis and the evaluated leaves with their scale.
pub struct Grid {
    pub plis: Vec<pli::Model>,
    /// (row, scale) of each evaluated leaf, in tree order.
    pub leaves: Vec<(offer_criterion::Model, Decimal)>,
}

/// Loads the grid; refuses an invalid criteria tree.
///
/// # Errors
/// `Conflict` when the criteria are not valid; database errors.
pub async fn grid<C: ConnectionTrait>(db: &C, cid: i32) -> Result<Grid, AppError> {
    let rows = criteria::rows(db, cid).await?;
    let tree = criteria::tree(&rows)?;
    if let Err(errs) = criteria::validate(&tree) {
        return Err(AppError::Conflict(format!(
            "La grille des critères n'est pas valide, les offres ne peuvent pas être notées : {}",
            errs.join(" ; ")
        )));
    }
    let leaves = criteria::evaluated_leaves(&tree)
        .into_iter()
        .filter_map(|(code, _, scale)| {
            rows.iter()
                .find(|r| r.code == code)
                .map(|r| (r.clone(), scale))
        })
        .collect();
    let plis = super::register::list(db, cid)
        .await?
        .into_iter()
        .filter(|p| admissibility::state(p) == PliState::Decided(OfferStatus::Admissible))
        .collect();
    Ok(Grid { plis, leaves })
}

fn digest(notes: &[evaluator_note::Model]) -> String {
    crate::audit::business::notes_digest(notes)
}

async fn begin_for_evaluator(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
) -> Result<(audit::AuditTx, Option<evaluator_sheet::Model>), AppError> {
    if !access::is_evaluator(user) {
        return Err(AppError::Forbidden(
            "seuls les membres de la CAO notent les offres".into(),
        ));
    }
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    access::ensure_opened(&c, now)?;
    let all = sheets(&tx, cid).await?;
    let sheet = all.iter().find(|s| s.evaluator_id == user.id).cloned();
    // Only a seat of the composition in force scores; one voice per member.
    let seats = crate::db::entities::cao_seat_assignment::Entity::find()
        .filter(crate::db::entities::cao_seat_assignment::Column::GroupementId.eq(gid))
        .all(&tx)
        .await?;
    let holders: std::collections::HashSet<i32> = all.iter().map(|s| s.evaluator_id).collect();
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    crate::cao::scorers::may_score(&seats, user.id, today, &holders)
        .map_err(AppError::Forbidden)?;
    Ok((tx, sheet))
}

/// Parses a note on `[0, scale]`.
///
/// # Errors
/// A French message naming the value and the scale.
pub fn parse_note(v: &str, scale: Decimal) -> Result<Decimal, String> {
    match parse_fr_decimal(v) {
        Some(n) if n >= Decimal::ZERO && n <= scale => Ok(n),
        _ => Err(format!(
            "la note « {} » doit être un nombre entre 0 et {}",
            v.trim(),
            scale.normalize().to_string().replace('.', ",")
        )),
    }
}

/// Saves notes of the caller's own sheet (empty notes are skipped); a submitted sheet is locked.
///
/// # Errors
/// `Forbidden` (not CAO), `Conflict` (sealed, locked, invalid grid), `Validation` (nothing
/// written), database errors.
pub async fn save_notes(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
    entries: &[NoteEntry],
) -> Result<usize, AppError> {
    let (tx, sheet) = begin_for_evaluator(db, now, user, gid, cid).await?;
    if sheet.as_ref().is_some_and(|s| s.submitted_at.is_some()) {
        return Err(AppError::Conflict(
            "Votre feuille de notation est remise : elle est verrouillée. Seul le président de la CAO peut la rouvrir, par une décision motivée.".into(),
        ));
    }
    let g = grid(&tx, cid).await?;
    let deported = super::conflicts::of_evaluator(&tx, cid, user.id).await?;
    let mut errs: Vec<String> = Vec::new();
    let mut valid = Vec::new();
    for e in entries
        .iter()
        .filter(|e| !e.note.trim().is_empty() || !e.justification.trim().is_empty())
    {
        let Some(p) = g.plis.iter().find(|p| p.id == e.pli_id) else {
            errs.push(format!(
                "l'offre n° {} n'est pas une offre admise à la notation",
                e.pli_id
            ));
            continue;
        };
        let Some((c, scale)) = g.leaves.iter().find(|(c, _)| c.code == e.criterion.trim()) else {
            errs.push(format!(
                "« {} » n'est pas un critère noté de la grille",
                e.criterion.trim()
            ));
            continue;
        };
        let at = format!("{} — {}", p.bidder_name, c.label);
        if deported.contains(&p.id) {
            errs.push(format!(
                "{at} : vous avez déclaré un conflit d'intérêts avec ce soumissionnaire, vous êtes \
                 déporté et ne notez pas son offre (L2141-10)"
            ));
            continue;
        }
        match parse_note(&e.note, *scale) {
            Ok(n) if !e.justification.trim().is_empty() && e.justification.trim().chars().count() <= 5000 => {
                valid.push((p.id, c.id, n, e.justification.trim().to_owned()));
            }
            Ok(_) => errs.push(format!("{at} : la justification écrite de la note est obligatoire (5000 caractères au plus)")),
            Err(m) => errs.push(format!("{at} : {m}")),
        }
    }
    if !errs.is_empty() {
        let mut m = BTreeMap::new();
        m.insert("notes".to_owned(), errs);
        return Err(AppError::Validation(m));
    }
    if valid.is_empty() {
        return Err(AppError::field("notes", "aucune note saisie"));
    }
    let sheet = match sheet {
        Some(s) => s,
        None => {
            evaluator_sheet::ActiveModel {
                consultation_id: Set(cid),
                evaluator_id: Set(user.id),
                submitted_at: Set(None),
                reopened_at: Set(None),
                reopen_reason: Set(None),
                ..Default::default()
            }
            .insert(&tx)
            .await?
        }
    };
    let existing = notes(&tx, cid, Some(user.id)).await?;
    for (pid, crit, n, j) in &valid {
        let found = existing
            .iter()
            .find(|x| x.pli_id == *pid && x.criterion_id == *crit);
        let mut a = found.cloned().map_or_else(
            || evaluator_note::ActiveModel {
                consultation_id: Set(cid),
                evaluator_id: Set(user.id),
                pli_id: Set(*pid),
                criterion_id: Set(*crit),
                ..Default::default()
            },
            Into::into,
        );
        a.note = Set(n.normalize().to_string());
        a.justification = Set(j.clone());
        a.updated_at = Set(now);
        a.save(&tx).await?;
    }
    let after = notes(&tx, cid, Some(user.id)).await?;
    audit::record(
        &tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: Some(gid),
            action: "offres.notes_enregistrees",
            entity: "evaluator_sheet",
            entity_id: sheet.id.to_string(),
            summary: serde_json::json!({"consultation": cid, "notes_saisies": valid.len(),
            "notes_de_la_feuille": after.len(), "empreinte_sha256": digest(&after)}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(valid.len())
}

/// Submits the caller's sheet: every admissible offer noted on every evaluated leaf; locked after.
///
/// # Errors
/// `Forbidden`, `Conflict` (already submitted, sealed), `Validation` (missing notes), database.
pub async fn submit(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
) -> Result<(), AppError> {
    let (tx, sheet) = begin_for_evaluator(db, now, user, gid, cid).await?;
    let Some(sheet) = sheet else {
        return Err(AppError::Conflict(
            "Vous n'avez encore saisi aucune note.".into(),
        ));
    };
    if sheet.submitted_at.is_some() {
        return Err(AppError::Conflict(
            "Votre feuille de notation est déjà remise.".into(),
        ));
    }
    let g = grid(&tx, cid).await?;
    let mine = notes(&tx, cid, Some(user.id)).await?;
    let deported = super::conflicts::of_evaluator(&tx, cid, user.id).await?;
    let mut missing = Vec::new();
    for p in g.plis.iter().filter(|p| !deported.contains(&p.id)) {
        for (c, _) in &g.leaves {
            if !mine
                .iter()
                .any(|n| n.pli_id == p.id && n.criterion_id == c.id)
            {
                missing.push(format!("{} — {}", p.bidder_name, c.label));
            }
        }
    }
    if !missing.is_empty() {
        return Err(AppError::field(
            "notes",
            format!(
                "la feuille ne peut être remise qu'une fois chaque offre admise notée sur chaque critère ; il manque : {}",
                missing.join(", ")
            ),
        ));
    }
    let mine: Vec<evaluator_note::Model> = mine
        .into_iter()
        .filter(|n| g.plis.iter().any(|p| p.id == n.pli_id))
        .collect();
    let id = sheet.id;
    let mut a: evaluator_sheet::ActiveModel = sheet.into();
    a.submitted_at = Set(Some(now));
    a.update(&tx).await?;
    audit::record(&tx, now, &user.actor(), audit::Event {
        groupement_id: Some(gid),
        action: "offres.feuille_remise",
        entity: "evaluator_sheet",
        entity_id: id.to_string(),
        summary: serde_json::json!({"consultation": cid, "notes": mine.len(), "empreinte_sha256": digest(&mine)}),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The gate of a consultation.
///
/// # Errors
/// Database errors.
pub async fn gate_of<C: ConnectionTrait>(db: &C, cid: i32) -> Result<Gate, AppError> {
    let s = admissibility::settings(db, cid).await?;
    let tree = criteria::tree(&criteria::rows(db, cid).await?)?;
    let needs = !criteria::evaluated_leaves(&tree).is_empty();
    Ok(gate(
        &sheets(db, cid).await?,
        s.ranking_forced_at.is_some(),
        needs,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sheet(id: i32, submitted: bool) -> evaluator_sheet::Model {
        evaluator_sheet::Model {
            id,
            consultation_id: 1,
            evaluator_id: id,
            submitted_at: submitted.then(|| {
                Utc.with_ymd_and_hms(2027, 1, 20, 9, 0, 0)
                    .single()
                    .expect("date")
            }),
            reopened_at: None,
            reopen_reason: None,
        }
    }

    #[test]
    fn the_ranking_opens_when_every_sheet_is_submitted_or_on_request() {
        assert!(matches!(gate(&[], false, true), Gate::Closed(_)));
        assert_eq!(gate(&[], false, false), Gate::Open { forced: false });
        let two = [sheet(1, true), sheet(2, false)];
        match gate(&two, false, true) {
            Gate::Closed(m) => assert!(
                m.starts_with("1 feuille(s) de notation remise(s) sur 2"),
                "{m}"
            ),
            Gate::Open { .. } => panic!("must stay closed"),
        }
        assert_eq!(gate(&two, true, true), Gate::Open { forced: true });
        assert!(
            matches!(gate(&[sheet(1, false)], true, true), Gate::Closed(_)),
            "nothing submitted"
        );
        assert_eq!(
            gate(&[sheet(1, true), sheet(2, true)], false, true),
            Gate::Open { forced: false }
        );
    }

    #[test]
    fn notes_stay_on_the_scale() {
        assert_eq!(
            parse_note("12,5", Decimal::from(20)),
            Ok(Decimal::new(125, 1))
        );
        assert!(parse_note("21", Decimal::from(20)).is_err());
        assert!(parse_note("-1", Decimal::from(20)).is_err());
        assert_eq!(
            parse_note("x", Decimal::from(20)).unwrap_err(),
            "la note « x » doit être un nombre entre 0 et 20"
        );
    }
}
