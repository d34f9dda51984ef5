//! Examination of the opened plis: the candidature (recevable, à compléter within a time limit
//! identical for all, irrecevable), the offer (régulière, irrégulière, inacceptable,
//! inappropriée, with a possible régularisation) and the follow-up of a possibly abnormally low
//! offer (request for justifications, answer, decision). Each decision is one audited
//! transaction; the effective status feeds the scoring engine.

use super::register::{begin_on_opened, paris_label, parse_paris_instant};
use crate::audit::{self, Actor};
use crate::db::entities::{offer_analysis, pli};
pub use crate::dossier::analysis::{oab_method, settings};
use crate::error::AppError;
use crate::scoring::OfferStatus;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};
use serde::{Deserialize, Serialize};

/// Candidature statuses: code and French label.
pub const CANDIDATURE: [(&str, &str); 4] = [
    ("a_examiner", "à examiner"),
    ("recevable", "recevable"),
    ("a_completer", "à compléter"),
    ("irrecevable", "irrecevable"),
];

/// Offer statuses: code and French label (L2152-1 to L2152-4).
pub const OFFER: [(&str, &str); 5] = [
    ("a_examiner", "à examiner"),
    ("admissible", "régulière, acceptable et appropriée"),
    ("irreguliere", "irrégulière"),
    ("inacceptable", "inacceptable"),
    ("inappropriee", "inappropriée"),
];

/// French label of a status code in `table`.
#[must_use]
pub fn label(table: &[(&'static str, &'static str)], code: &str) -> &'static str {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("inconnu", |(_, l)| l)
}

/// Where a pli stands for the scoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PliState {
    /// Replaced by a later pli of the same bidder (R2151-6): not an offer of the case.
    Superseded,
    /// Opened but not yet examined (or admissible without price): not scored yet.
    Pending,
    /// Examined: scored only if admissible.
    Decided(OfferStatus),
}

/// The effective status of a pli: late, then candidature, then OAB rejection, then the offer.
/// The candidature need not be examined first (R2161-4 allows examining offers first in an
/// appel d'offres ouvert); only an irrecevable candidature excludes the offer.
#[must_use]
pub fn state(p: &pli::Model) -> PliState {
    if p.superseded {
        return PliState::Superseded;
    }
    if p.hors_delai {
        return PliState::Decided(OfferStatus::HorsDelai);
    }
    if p.candidature_status == "irrecevable" {
        return PliState::Decided(OfferStatus::Irrecevable);
    }
    if p.oab_decision.as_deref() == Some("rejetee") {
        return PliState::Decided(OfferStatus::OabRejetee);
    }
    match p.offer_status.as_str() {
        "admissible" if p.price_ht.is_some() => PliState::Decided(OfferStatus::Admissible),
        "irreguliere" => PliState::Decided(OfferStatus::Irreguliere),
        "inacceptable" => PliState::Decided(OfferStatus::Inacceptable),
        "inappropriee" => PliState::Decided(OfferStatus::Inappropriee),
        _ => PliState::Pending,
    }
}

/// The stored settings, created inside the caller's (audited) transaction when missing.
///
/// # Errors
/// Database errors.
pub async fn settings_for_update<C: ConnectionTrait>(
    tx: &C,
    cid: i32,
) -> Result<offer_analysis::Model, AppError> {
    let s = settings(tx, cid).await?;
    if s.id != 0 {
        return Ok(s);
    }
    Ok(offer_analysis::ActiveModel {
        consultation_id: Set(cid),
        oab_method: Set(None),
        completion_deadline: Set(None),
        ranking_forced_at: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await?)
}

/// A required free text (1 to 2000 characters), trimmed.
pub(super) fn required(field: &str, v: &str, what: &str) -> Result<String, AppError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > 2000 {
        Err(AppError::field(
            field,
            format!("{what} est obligatoire (2000 caractères au plus)"),
        ))
    } else {
        Ok(t.to_owned())
    }
}

/// The candidature form.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CandidatureInput {
    pub status: String,
    pub reason: String,
    /// Time limit to complete (`AAAA-MM-JJTHH:MM`, Paris), for `a_completer`.
    pub deadline: String,
}

/// Decides on a candidature (coordonnateur). « À compléter » requires a time limit identical
/// for all the candidates asked (R2144-2); « irrecevable » requires its reason (R2144-7).
///
/// # Errors
/// `Validation`, `Conflict` (sealed, late, replaced), database errors.
pub async fn set_candidature(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    pid: i32,
    f: &CandidatureInput,
) -> Result<&'static str, AppError> {
    let status = f.status.trim();
    if !matches!(status, "recevable" | "a_completer" | "irrecevable") {
        return Err(AppError::field(
            "status",
            format!(
                "statut de candidature « {status} » inconnu : recevable, a_completer ou irrecevable"
            ),
        ));
    }
    let (tx, _, p) = begin_on_opened(db, now, gid, cid, pid).await?;
    let reason = match status {
        "irrecevable" => Some(required(
            "reason",
            &f.reason,
            "le motif d'irrecevabilité (R2144-7)",
        )?),
        "a_completer" => Some(required(
            "reason",
            &f.reason,
            "la liste des pièces ou informations à compléter",
        )?),
        _ => Some(f.reason.trim().to_owned()).filter(|r| !r.is_empty()),
    };
    let mut deadline = None;
    if status == "a_completer" {
        let s = settings_for_update(&tx, cid).await?;
        let given =
            if f.deadline.trim().is_empty() {
                None
            } else {
                Some(parse_paris_instant(&f.deadline).map_err(|e| {
                    AppError::field("deadline", format!("délai de complément : {e}"))
                })?)
            };
        let fixed = s
            .completion_deadline
            .as_deref()
            .and_then(|d| parse_paris_instant(d).ok());
        let chosen = match (fixed, given) {
            (Some(x), Some(g)) if x != g => {
                return Err(AppError::field(
                    "deadline",
                    format!(
                        "le délai de complément doit être le même pour tous les candidats (R2144-2) : il est déjà fixé au {}",
                        paris_label(x)
                    ),
                ));
            }
            (Some(x), _) => x,
            (None, Some(g)) if g <= now => {
                return Err(AppError::field(
                    "deadline",
                    format!("le délai de complément ({}) est déjà passé", paris_label(g)),
                ));
            }
            (None, Some(g)) => g,
            (None, None) => {
                return Err(AppError::field(
                    "deadline",
                    "fixez le délai de complément, identique pour tous les candidats (R2144-2)",
                ));
            }
        };
        if fixed.is_none() {
            let paris = chosen
                .with_timezone(&chrono_tz::Europe::Paris)
                .format("%Y-%m-%dT%H:%M")
                .to_string();
            let mut a: offer_analysis::ActiveModel = s.into();
            a.completion_deadline = Set(Some(paris));
            a.update(&tx).await?;
        }
        deadline = Some(chosen);
    }
    let before = (p.candidature_status.clone(), p.candidature_reason.clone());
    let name = p.bidder_name.clone();
    let mut a: pli::ActiveModel = p.into();
    a.candidature_status = Set(status.to_owned());
    a.candidature_reason = Set(reason.clone());
    a.updated_at = Set(now);
    a.update(&tx).await?;
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "offres.candidature",
        entity: "pli",
        entity_id: pid.to_string(),
        summary: serde_json::json!({"consultation": cid, "soumissionnaire": name,
            "before": {"statut": before.0, "motif": before.1},
            "after": {"statut": status, "motif": reason, "delai": deadline.map(|d| d.to_rfc3339())}}),
    })
    .await?;
    tx.commit().await?;
    Ok(label(&CANDIDATURE, status))
}

/// The examination form of an offer.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExamInput {
    pub status: String,
    pub reason: String,
    /// How an irregular offer was regularised (R2152-2), if it was.
    pub regularisation: String,
}

/// Classifies an offer (coordonnateur): admissible needs its price; an eliminated offer needs
/// its reason (L2152-1 to L2152-4); a régularisation is recorded as written (R2152-2).
///
/// # Errors
/// `Validation`, `Conflict`, database errors.
pub async fn examine(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    pid: i32,
    f: &ExamInput,
) -> Result<&'static str, AppError> {
    let status = f.status.trim();
    if !matches!(
        status,
        "admissible" | "irreguliere" | "inacceptable" | "inappropriee"
    ) {
        return Err(AppError::field(
            "status",
            format!(
                "statut d'offre « {status} » inconnu : admissible, irreguliere, inacceptable ou inappropriee"
            ),
        ));
    }
    let (tx, _, p) = begin_on_opened(db, now, gid, cid, pid).await?;
    let reason = if status == "admissible" {
        if p.price_ht.is_none() {
            return Err(AppError::Conflict(format!(
                "Saisissez d'abord le prix de l'offre de {} : une offre admise est notée sur son prix.",
                p.bidder_name
            )));
        }
        Some(f.reason.trim().to_owned()).filter(|r| !r.is_empty())
    } else {
        Some(required(
            "reason",
            &f.reason,
            "le motif d'élimination de l'offre (L2152-1 à L2152-4)",
        )?)
    };
    let regularisation = Some(f.regularisation.trim().to_owned())
        .filter(|r| !r.is_empty())
        .or(p.regularisation.clone());
    let before = (p.offer_status.clone(), p.offer_reason.clone());
    let name = p.bidder_name.clone();
    let mut a: pli::ActiveModel = p.into();
    a.offer_status = Set(status.to_owned());
    a.offer_reason = Set(reason.clone());
    a.regularisation = Set(regularisation.clone());
    a.updated_at = Set(now);
    a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "offres.examen",
            entity: "pli",
            entity_id: pid.to_string(),
            summary: serde_json::json!({"consultation": cid, "soumissionnaire": name,
            "before": {"statut": before.0, "motif": before.1},
            "after": {"statut": status, "motif": reason, "regularisation": regularisation}}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(label(&OFFER, status))
}
