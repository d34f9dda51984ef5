//! The award criteria tree of a consultation: stored flat (`offer_criterion`), handled as the
//! scoring engine's [`Criterion`] tree, validated by [`scoring::validate`] (weights of the roots
//! sum to 100, sub-criteria to their parent, R2152-12 and CE 18 juin 2010 n° 337377) and
//! checked for an environmental criterion (L2152-7, from 21 August 2026).
//!
//! The grid is set before the DCE (the RC announces it, `crate::dossier`), replaced as a whole in
//! one audited transaction, and frozen at publication: the criteria and their weights are those
//! announced in the consultation documents (R2152-11), and the evaluators note the leaves of a
//! fixed grid.

use crate::audit::{self, Actor};
use crate::consultations::lifecycle::Status;
use crate::db::entities::{consensus_note, evaluator_note, offer_criterion};
pub use crate::dossier::grid::{formula_code, parse_formula, rows, tree};
use crate::error::AppError;
use crate::scoring::{self, Criterion, CriterionKind, ScoringCase, SubCriterion};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use std::collections::BTreeMap;

/// Longest label of a criterion.
pub const MAX_LABEL: usize = 300;

/// Checks a tree with the scoring engine, without offers: every French error found.
///
/// # Errors
/// The French messages (weights, scales, identifiers, labels).
pub fn validate(criteria: &[Criterion]) -> Result<(), Vec<String>> {
    let mut errs = Vec::new();
    if criteria.is_empty() {
        errs.push("la grille doit comporter au moins un critère".to_owned());
    }
    fn labels(id: &str, label: &str, errs: &mut Vec<String>) {
        let n = label.trim().chars().count();
        if n == 0 || n > MAX_LABEL {
            errs.push(format!(
                "l'intitulé du critère « {id} » est obligatoire ({MAX_LABEL} caractères au plus)"
            ));
        }
    }
    fn walk(subs: &[SubCriterion], errs: &mut Vec<String>) {
        for s in subs {
            labels(&s.id, &s.label, errs);
            walk(&s.sub_criteria, errs);
        }
    }
    for c in criteria {
        labels(&c.id, &c.label, &mut errs);
        walk(&c.sub_criteria, &mut errs);
    }
    let case = ScoringCase::new(criteria.to_vec(), Vec::new(), Vec::new());
    if let Err(engine) = scoring::validate(&case) {
        errs.extend(
            engine
                .into_iter()
                .filter(|e| !matches!(e, scoring::ScoringError::NoAdmissibleOfferForPrice { .. }))
                .map(|e| e.to_string()),
        );
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// The evaluated leaves (criteria without sub-criteria that the evaluators note), in tree order,
/// with their scale.
#[must_use]
pub fn evaluated_leaves(criteria: &[Criterion]) -> Vec<(String, String, Decimal)> {
    fn walk(subs: &[SubCriterion], scale: Decimal, out: &mut Vec<(String, String, Decimal)>) {
        for s in subs {
            if s.sub_criteria.is_empty() {
                out.push((s.id.clone(), s.label.clone(), scale));
            } else {
                walk(&s.sub_criteria, scale, out);
            }
        }
    }
    let mut out = Vec::new();
    for c in criteria {
        if let CriterionKind::Evaluated { scale } = c.kind {
            if c.sub_criteria.is_empty() {
                out.push((c.id.clone(), c.label.clone(), scale));
            } else {
                walk(&c.sub_criteria, scale, &mut out);
            }
        }
    }
    out
}

/// Replaces the whole tree of a consultation (coordonnateur), refused once the plis are opened
/// or notes exist.
///
/// # Errors
/// `Validation` with the engine's French messages; `Conflict` once opened or noted; database errors.
pub async fn replace(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    criteria: &[Criterion],
) -> Result<(), AppError> {
    validate(criteria).map_err(|errs| {
        let mut m = BTreeMap::new();
        m.insert("criteres".to_owned(), errs);
        AppError::Validation(m)
    })?;
    let tx = audit::begin(db).await?;
    let c = crate::consultations::service::get(&tx, gid, cid).await?;
    let status = Status::from_code(&c.status).map_err(|e| AppError::Conflict(e.to_string()))?;
    if !matches!(
        status,
        Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier
    ) {
        return Err(AppError::Conflict(format!(
            "La consultation est « {} » : les critères d'attribution et leur pondération annoncés dans le règlement de la consultation publié ne peuvent plus être modifiés (R2152-11).",
            status.label()
        )));
    }
    if super::access::is_opened(&c, now) {
        return Err(AppError::Conflict(
            "Les plis sont ouverts : les critères annoncés dans les documents de la consultation ne peuvent plus être modifiés (R2152-11)."
                .into(),
        ));
    }
    let noted = evaluator_note::Entity::find()
        .filter(evaluator_note::Column::ConsultationId.eq(cid))
        .count(&tx)
        .await?
        + consensus_note::Entity::find()
            .filter(consensus_note::Column::ConsultationId.eq(cid))
            .count(&tx)
            .await?;
    if noted > 0 {
        return Err(AppError::Conflict(
            "Des notes ont déjà été saisies sur cette grille : les critères ne peuvent plus être modifiés."
                .into(),
        ));
    }
    let before = tree(&rows(&tx, cid).await?)?;
    // Children first: the parent foreign key would refuse the reverse order on some backends.
    let old = rows(&tx, cid).await?;
    let mut order: Vec<(usize, i32)> = old.iter().map(|r| (depth(&old, r), r.id)).collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    for (_, id) in order {
        offer_criterion::Entity::delete_by_id(id).exec(&tx).await?;
    }
    for (pos, c) in criteria.iter().enumerate() {
        let (kind, formula, scale) = match c.kind {
            CriterionKind::Price { formula } => ("price", Some(formula_code(formula)), None),
            CriterionKind::Evaluated { scale } => ("evaluated", None, Some(scale.normalize())),
        };
        let row = offer_criterion::ActiveModel {
            consultation_id: Set(cid),
            parent_id: Set(None),
            position: Set(i32::try_from(pos).unwrap_or(i32::MAX)),
            code: Set(c.id.trim().to_owned()),
            label: Set(c.label.trim().to_owned()),
            weight: Set(c.weight.normalize().to_string()),
            kind: Set(Some(kind.to_owned())),
            formula: Set(formula.map(str::to_owned)),
            scale: Set(scale.map(|s| s.to_string())),
            environmental: Set(c.environmental),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        insert_subs(&tx, cid, row.id, &c.sub_criteria).await?;
    }
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "offres.criteres",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: serde_json::json!({ "before": before, "after": criteria }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn depth(all: &[offer_criterion::Model], r: &offer_criterion::Model) -> usize {
    let mut d = 0;
    let mut p = r.parent_id;
    while let Some(id) = p {
        d += 1;
        p = all.iter().find(|x| x.id == id).and_then(|x| x.parent_id);
        if d > all.len() {
            break;
        }
    }
    d
}

async fn insert_subs<C: ConnectionTrait>(
    tx: &C,
    cid: i32,
    parent: i32,
    subs: &[SubCriterion],
) -> Result<(), AppError> {
    // Iterative (an async fn cannot recurse without boxing): a stack of (parent id, children).
    let mut stack: Vec<(i32, &[SubCriterion])> = vec![(parent, subs)];
    while let Some((pid, children)) = stack.pop() {
        for (pos, s) in children.iter().enumerate() {
            let row = offer_criterion::ActiveModel {
                consultation_id: Set(cid),
                parent_id: Set(Some(pid)),
                position: Set(i32::try_from(pos).unwrap_or(i32::MAX)),
                code: Set(s.id.trim().to_owned()),
                label: Set(s.label.trim().to_owned()),
                weight: Set(s.weight.normalize().to_string()),
                kind: Set(None),
                formula: Set(None),
                scale: Set(None),
                environmental: Set(s.environmental),
                ..Default::default()
            }
            .insert(tx)
            .await?;
            if !s.sub_criteria.is_empty() {
                stack.push((row.id, &s.sub_criteria));
            }
        }
    }
    Ok(())
}
