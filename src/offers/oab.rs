//! Possibly abnormally low offers (OAB): the detection method chosen for the consultation (to
//! state in the RC and the report) and the contradictory procedure on a flagged offer — the
//! request for precisions and justifications (L2152-6, R2152-3), the answer, then the decision.
//! A threshold only flags: rejection comes after the request and always with its reason
//! (R2152-4; automatic exclusion is illegal, DOMAIN §4.4).

use super::admissibility::{oab_method, required, settings_for_update};
use super::register::begin_on_opened;
use crate::audit::{self, Actor};
use crate::db::entities::{offer_analysis, pli};
use crate::error::AppError;
use crate::scoring::OabMethod;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde::{Deserialize, Serialize};

/// The OAB follow-up form of one offer.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OabInput {
    /// Date of the request for precisions (`AAAA-MM-JJ`).
    pub requested_on: String,
    pub answer: String,
    /// Empty, `justifiee` or `rejetee`.
    pub decision: String,
    pub decision_reason: String,
}

/// Records the contradictory procedure on a possibly abnormally low offer: the request for
/// justifications (L2152-6, R2152-3), the answer, then the decision; rejection only after the
/// request (R2152-4) and always with its reason — a threshold alone never rejects.
///
/// # Errors
/// `Validation`, `Conflict`, database errors.
pub async fn oab_follow_up(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    pid: i32,
    f: &OabInput,
) -> Result<(), AppError> {
    let requested = if f.requested_on.trim().is_empty() {
        None
    } else {
        Some(
            NaiveDate::parse_from_str(f.requested_on.trim(), "%Y-%m-%d").map_err(|_| {
                AppError::field(
                    "requested_on",
                    format!(
                        "date de la demande « {} » invalide (AAAA-MM-JJ)",
                        f.requested_on.trim()
                    ),
                )
            })?,
        )
    };
    let decision = match f.decision.trim() {
        "" => None,
        d @ ("justifiee" | "rejetee") => Some(d.to_owned()),
        other => {
            return Err(AppError::field(
                "decision",
                format!("décision « {other} » inconnue : justifiee ou rejetee"),
            ));
        }
    };
    let (tx, _, p) = begin_on_opened(db, now, gid, cid, pid).await?;
    let requested = requested.or(p.oab_requested_on);
    if decision.is_some() && requested.is_none() {
        return Err(AppError::Conflict(format!(
            "Demandez d'abord au soumissionnaire {} des précisions et justifications sur son prix : \
             une offre ne peut être écartée comme anormalement basse qu'après cette demande (L2152-6, R2152-4).",
            p.bidder_name
        )));
    }
    let reason = match decision {
        Some(_) => Some(required(
            "decision_reason",
            &f.decision_reason,
            "le motif de la décision",
        )?),
        None => None,
    };
    let answer = Some(f.answer.trim().to_owned())
        .filter(|a| !a.is_empty())
        .or(p.oab_answer.clone());
    let name = p.bidder_name.clone();
    let mut a: pli::ActiveModel = p.into();
    a.oab_requested_on = Set(requested);
    a.oab_answer = Set(answer.clone());
    a.oab_decision = Set(decision.clone());
    a.oab_decision_reason = Set(reason.clone());
    a.updated_at = Set(now);
    a.update(&tx).await?;
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "offres.oab",
        entity: "pli",
        entity_id: pid.to_string(),
        summary: serde_json::json!({"consultation": cid, "soumissionnaire": name, "demande_le": requested,
            "reponse": answer, "decision": decision, "motif": reason}),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The OAB method form.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OabMethodInput {
    /// `ratio_of_mean_of_others`, `reduced_mean` or `mean_minus_std_dev`.
    pub method: String,
    pub ratio: String,
    pub exclusion_factor: String,
    pub suspicion_factor: String,
    pub k: String,
}

/// Chooses the detection heuristic of the consultation (to state in the RC and the report).
///
/// # Errors
/// `Validation` on a bad method or parameter; database errors.
pub async fn set_oab_method(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    f: &OabMethodInput,
) -> Result<OabMethod, AppError> {
    let num = |field: &str, v: &str, default: rust_decimal::Decimal| {
        if v.trim().is_empty() {
            Ok(default)
        } else {
            super::criteria_form::parse_fr_decimal(v).ok_or_else(|| {
                AppError::field(field, format!("« {} » n'est pas un nombre", v.trim()))
            })
        }
    };
    let method = match f.method.trim() {
        "ratio_of_mean_of_others" | "" => OabMethod::RatioOfMeanOfOthers {
            ratio: num("ratio", &f.ratio, rust_decimal::dec!(0.8))?,
        },
        "reduced_mean" => OabMethod::ReducedMean {
            exclusion_factor: num(
                "exclusion_factor",
                &f.exclusion_factor,
                rust_decimal::dec!(1.2),
            )?,
            suspicion_factor: num(
                "suspicion_factor",
                &f.suspicion_factor,
                rust_decimal::dec!(0.9),
            )?,
        },
        "mean_minus_std_dev" => OabMethod::MeanMinusStdDev {
            k: num("k", &f.k, rust_decimal::Decimal::ONE)?,
        },
        other => {
            return Err(AppError::field(
                "method",
                format!("méthode « {other} » inconnue"),
            ));
        }
    };
    crate::scoring::detect_oab(&[], &method)
        .map_err(|e| AppError::field("method", e.to_string()))?;
    let tx = audit::begin(db).await?;
    crate::consultations::service::get(&tx, gid, cid).await?;
    let s = settings_for_update(&tx, cid).await?;
    let before = oab_method(&s);
    let mut a: offer_analysis::ActiveModel = s.into();
    a.oab_method = Set(Some(
        serde_json::to_string(&method).map_err(anyhow::Error::new)?,
    ));
    a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "offres.methode_oab",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: serde_json::json!({"before": before, "after": method}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(method)
}

/// French description of an OAB method, for the pages and the report.
#[must_use]
pub fn describe(m: &OabMethod) -> String {
    let fr = |d: rust_decimal::Decimal| {
        (d * rust_decimal::Decimal::ONE_HUNDRED)
            .normalize()
            .to_string()
            .replace('.', ",")
    };
    match *m {
        OabMethod::RatioOfMeanOfOthers { ratio } => format!(
            "une offre est présumée anormalement basse lorsque son prix est inférieur à {} % de la moyenne des autres offres admises ; ce seuil ne sert qu'à déclencher la demande de justifications (article L2152-6)",
            fr(ratio)
        ),
        OabMethod::ReducedMean {
            exclusion_factor,
            suspicion_factor,
        } => format!(
            "moyenne réduite (méthode FFB) : les offres supérieures à {} % de la moyenne sont écartées du calcul, puis une offre est présumée anormalement basse sous {} % de la moyenne des offres restantes ; ce seuil ne sert qu'à déclencher la demande de justifications (article L2152-6)",
            fr(exclusion_factor),
            fr(suspicion_factor)
        ),
        OabMethod::MeanMinusStdDev { k } => format!(
            "une offre est présumée anormalement basse lorsque son prix est inférieur à la moyenne des offres admises diminuée de {} écart(s)-type(s) ; ce seuil ne sert qu'à déclencher la demande de justifications (article L2152-6)",
            k.normalize().to_string().replace('.', ",")
        ),
    }
}
