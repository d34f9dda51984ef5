//! The rapport de présentation of the procedure (kind `rapport_presentation`, field names of
//! `documents/examples/rapport_presentation.json`), from the stored facts (R2184-1 to R2184-3):
//! buyer, object and value (R2184-2 1°); excluded candidates and why (2°); admitted candidates
//! (3°); rejected offers and why, OAB included (4°); the attributaire and why its offer was
//! chosen (5°); when relevant, the reasons for not allotting (R2184-3 2°, L2113-11), the
//! conflicts of interest detected and the measures taken (R2184-3 6°), and why a lot was not
//! awarded (R2184-3 7°).

use super::ranking::{self, LotRanking};
use super::rules::AttributionStatus;
use super::store;
use crate::db::entities::{
    attribution, cao_agenda_item, cao_conflict_declaration, cao_seat_assignment,
};
use crate::docgen::{DocEngine, DocKind};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::str::FromStr;

/// A conflict of interest declared in a séance on this consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub person: String,
    pub note: String,
}

/// The sentence on conflicts of interest (R2184-3 6°).
#[must_use]
pub fn conflicts_text(declared: usize, conflicts: &[Conflict]) -> String {
    if conflicts.is_empty() {
        if declared == 0 {
            "Aucune déclaration d'intérêts n'a été recueillie en séance de la commission d'appel d'offres pour cette consultation.".to_owned()
        } else {
            format!(
                "Chaque membre de la commission d'appel d'offres a déclaré, au regard des soumissionnaires, l'absence de conflit d'intérêts ({declared} déclaration(s)) : aucun conflit n'a été détecté."
            )
        }
    } else {
        let list: Vec<String> = conflicts
            .iter()
            .map(|c| {
                if c.note.trim().is_empty() {
                    c.person.clone()
                } else {
                    format!("{} ({})", c.person, c.note.trim())
                }
            })
            .collect();
        format!(
            "Conflit(s) d'intérêts déclaré(s) : {}. Mesure prise : le membre concerné n'a pris part ni aux délibérations ni aux votes sur les points en cause.",
            list.join(" ; ")
        )
    }
}

/// The sentence on allotment (R2184-3 2°, L2113-10 and L2113-11).
#[must_use]
pub fn allotment_text(lots: usize) -> String {
    if lots > 1 {
        format!(
            "le marché est alloti en {lots} lots, conformément à l'article L2113-10 du code de la commande publique ; sans objet."
        )
    } else {
        "le marché n'est pas alloti ; les motifs de ce choix (article L2113-11 du code de la commande publique) sont ceux exposés dans les documents de la consultation.".to_owned()
    }
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

/// One lot's part of the report (pure).
#[must_use]
pub fn lot_part(lr: &LotRanking, all: &[attribution::Model], abandon: Option<&str>) -> Value {
    let plis: Vec<_> = lr.plis.iter().filter(|p| !p.hors_delai).collect();
    let excluded: Vec<Value> = plis
        .iter()
        .filter(|p| p.candidature_status == "irrecevable")
        .map(|p| json!({"name": p.bidder_name, "reason": p.candidature_reason.clone().unwrap_or_default()}))
        .collect();
    let admitted: Vec<String> = plis
        .iter()
        .filter(|p| p.candidature_status == "recevable")
        .map(|p| p.bidder_name.clone())
        .collect();
    let current = store::current(all, lr.lot_id());
    let failed: Vec<&attribution::Model> = all
        .iter()
        .filter(|a| a.lot_id == lr.lot_id() && store::status(a) == AttributionStatus::Defaillante)
        .collect();
    let mut rejected: Vec<Value> = Vec::new();
    for p in &plis {
        if p.candidature_status == "irrecevable" || current.is_some_and(|c| c.pli_id == p.id) {
            continue;
        }
        let reason = match (lr.ranked(p.id), failed.iter().find(|a| a.pli_id == p.id)) {
            (_, Some(f)) => format!(
                "attributaire pressenti défaillant (article R2144-7) : {}",
                f.failure_reason.clone().unwrap_or_default()
            ),
            (Some(r), None) => format!(
                "offre régulière, acceptable et appropriée classée au rang {} avec {} points sur 100 : elle n'est pas l'offre économiquement la plus avantageuse (article L2152-7)",
                r.rank,
                r.total.round_dp(2).to_string().replace('.', ",")
            ),
            (None, None) => {
                let (_, why) = ranking::exclusion_reason(p);
                why.replacen("votre offre est ", "offre ", 1)
                    .replacen("votre candidature est ", "candidature ", 1)
                    .replacen("votre pli est ", "pli ", 1)
            }
        };
        rejected.push(json!({"name": p.bidder_name, "reason": reason}));
    }
    let titulaire = current.and_then(|a| {
        let p = lr.plis.iter().find(|p| p.id == a.pli_id)?;
        Some(json!({
            "name": p.bidder_name,
            "amount_ht": dec(&a.amount_ht).round_dp(2).to_string(),
            "reasons": a.reasons.trim().trim_end_matches('.'),
            "basis": if a.basis == "cao" { "choisi par la commission d'appel d'offres du groupement (article L1414-2 du code général des collectivités territoriales)" } else { "choisi par le coordonnateur" },
            "subcontracting": "non connus à la date du présent rapport",
        }))
    });
    let decision = abandon.map_or_else(
        || "lot non encore attribué.".to_owned(),
        |why| format!("lot déclaré sans suite ou infructueux (article R2185-1) : {why}."),
    );
    json!({
        "label": lr.label,
        "excluded": excluded,
        "admitted": admitted,
        "rejected": rejected,
        "titulaire": titulaire,
        "decision": decision,
    })
}

/// The report: `(file name, DOCX)`.
///
/// # Errors
/// `NotFound`; `Conflict` when the court is missing (base context) or before any attribution
/// decision; database errors.
pub async fn docx<C: ConnectionTrait>(
    db: &C,
    engine: &DocEngine,
    gid: i32,
    cid: i32,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), AppError> {
    let base = super::docs::base(db, gid, cid, now).await?;
    let c = crate::consultations::service::get(db, gid, cid).await?;
    let rs = super::service::rankings(db, gid, cid).await?;
    let all = store::attributions(db, cid).await?;
    let abandon = matches!(c.status.as_str(), "sans_suite" | "infructueuse")
        .then(|| c.status_motif.clone().unwrap_or_default());
    if all.is_empty() && abandon.is_none() {
        return Err(AppError::Conflict(
            "Le rapport de présentation s'établit une fois l'attribution décidée (ou la procédure déclarée sans suite).".into(),
        ));
    }
    let lots: Vec<Value> = rs
        .iter()
        .filter(|r| !r.plis.is_empty())
        .map(|r| lot_part(r, &all, abandon.as_deref()))
        .collect();
    let awarded: Decimal = rs
        .iter()
        .filter_map(|r| store::current(&all, r.lot_id()))
        .map(|a| dec(&a.amount_ht))
        .sum();
    let plis: Vec<_> = rs.iter().flat_map(|r| r.plis.iter()).collect();
    let items: Vec<i32> = cao_agenda_item::Entity::find()
        .filter(cao_agenda_item::Column::ConsultationId.eq(cid))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let declarations = cao_conflict_declaration::Entity::find()
        .filter(cao_conflict_declaration::Column::AgendaItemId.is_in(items))
        .all(db)
        .await?;
    let mut conflicts = Vec::new();
    for d in declarations.iter().filter(|d| d.has_conflict) {
        let person = cao_seat_assignment::Entity::find_by_id(d.assignment_id)
            .one(db)
            .await?
            .map_or_else(String::new, |a| a.person_name);
        conflicts.push(Conflict {
            person,
            note: d.note.clone().unwrap_or_default(),
        });
    }
    let detail =
        crate::consultations::service::detail(db, gid, cid, now.with_timezone(&Paris).date_naive())
            .await?;
    let justification = detail
        .proposal
        .as_ref()
        .map(|p| p.reasons.join(" ; "))
        .unwrap_or_default();
    let mut ctx = base.ctx.clone();
    let paris = now.with_timezone(&Paris);
    ctx["document"]["date"] = json!(paris.date_naive().to_string());
    ctx["document"]["created_at"] = json!(paris.to_rfc3339());
    ctx["document"]["title"] = json!("Rapport de présentation de la procédure");
    if ctx["document"]["place"].is_null() {
        ctx["document"]["place"] = json!("");
    }
    use crate::consultations::rules::procedure::ProcedureKind;
    let exception = match detail.procedure {
        Some(ProcedureKind::SansPubliciteNiMiseEnConcurrence) => {
            "marché passé sans publicité ni mise en concurrence (article R2122-8), pour les motifs de l'analyse des règles ci-dessus."
        }
        _ => "sans objet.",
    };
    ctx["procedure"] = json!({
        "justification": if justification.is_empty() { String::new() } else { format!("Analyse des règles : {justification}.") },
        "exception": exception,
    });
    ctx["allotment"] = json!(allotment_text(rs.len()));
    ctx["totals"] = json!({
        "received": plis.len(),
        "late": plis.iter().filter(|p| p.hors_delai).count(),
        "awarded_ht": (awarded > Decimal::ZERO).then(|| awarded.round_dp(2).to_string()),
    });
    ctx["lots"] = json!(lots);
    ctx["conflicts"] = json!(conflicts_text(declarations.len(), &conflicts));
    ctx["signatory"] = super::letters::signatory(&base.ctx);
    let doc = engine
        .render_docx(DocKind::RapportPresentation, &ctx, &base.look)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rapport_presentation : {e}")))?;
    Ok((
        format!(
            "{}_rapport_presentation.docx",
            crate::file_names::safe_name(&c.reference)
        ),
        doc.docx,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_are_named_with_the_measure_taken() {
        assert!(conflicts_text(0, &[]).starts_with("Aucune déclaration"));
        assert!(conflicts_text(7, &[]).contains("aucun conflit n'a été détecté"));
        let t = conflicts_text(
            7,
            &[Conflict {
                person: "Mme Pinto".into(),
                note: "ancienne salariée de TELEDOM".into(),
            }],
        );
        assert!(
            t.contains("Mme Pinto (ancienne salariée de TELEDOM)"),
            "{t}"
        );
        assert!(
            t.contains("n'a pris part ni aux délibérations ni aux votes"),
            "{t}"
        );
    }

    #[test]
    fn allotment_is_stated_with_its_article() {
        assert!(allotment_text(2).contains("alloti en 2 lots"));
        assert!(allotment_text(1).contains("L2113-11"));
    }
}
