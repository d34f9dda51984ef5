//! The stored award-criteria grid of a consultation (`offer_criterion`, flat rows) and the
//! scoring engine's tree built from it. The offers area replaces and freezes the grid
//! (`offers::criteria`); every other area reads it through the dossier.

use crate::db::entities::offer_criterion;
use crate::error::AppError;
use crate::scoring::{Criterion, CriterionKind, PriceFormula, SubCriterion};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// The stored rows of a consultation's criteria, in position order.
///
/// # Errors
/// Database errors.
pub async fn rows<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<offer_criterion::Model>, AppError> {
    Ok(offer_criterion::Entity::find()
        .filter(offer_criterion::Column::ConsultationId.eq(cid))
        .order_by_asc(offer_criterion::Column::Position)
        .order_by_asc(offer_criterion::Column::Id)
        .all(db)
        .await?)
}

/// A stored weight or scale of criterion `code`, read back or refused (an altered row never
/// becomes 0).
fn stored(code: &str, what: &str, raw: Option<&str>) -> Result<Decimal, AppError> {
    Ok(
        crate::db::stored::optional_decimal(&format!("{what} du critère « {code} »"), raw)?
            .unwrap_or_default(),
    )
}

pub fn formula_code(f: PriceFormula) -> &'static str {
    match f {
        PriceFormula::Proportional => "proportional",
        PriceFormula::LinearRelative => "linear_relative",
        PriceFormula::MinMax => "min_max",
    }
}

/// Parses a formula code (`proportional`, `linear_relative`, `min_max`).
///
/// # Errors
/// A French message naming the value.
pub fn parse_formula(s: &str) -> Result<PriceFormula, String> {
    PriceFormula::ALL
        .into_iter()
        .find(|f| formula_code(*f) == s.trim())
        .ok_or_else(|| {
            format!(
                "formule de prix « {} » inconnue : proportional, linear_relative ou min_max",
                s.trim()
            )
        })
}

fn subs_of(all: &[offer_criterion::Model], parent: i32) -> Result<Vec<SubCriterion>, AppError> {
    all.iter()
        .filter(|r| r.parent_id == Some(parent))
        .map(|r| {
            Ok(SubCriterion {
                id: r.code.clone(),
                label: r.label.clone(),
                weight: stored(&r.code, "pondération", Some(&r.weight))?,
                environmental: r.environmental,
                sub_criteria: subs_of(all, r.id)?,
            })
        })
        .collect()
}

/// The engine's tree from the stored rows.
///
/// # Errors
/// `Internal` when a stored weight, scale or price formula does not read back.
pub fn tree(all: &[offer_criterion::Model]) -> Result<Vec<Criterion>, AppError> {
    all.iter()
        .filter(|r| r.parent_id.is_none())
        .map(|r| {
            let kind = match r.kind.as_deref() {
                Some("price") => CriterionKind::Price {
                    formula: match r.formula.as_deref() {
                        None => PriceFormula::Proportional,
                        Some(f) => parse_formula(f).map_err(|e| {
                            AppError::Internal(anyhow::anyhow!(
                                "valeur illisible en base (critère « {} ») : {e}",
                                r.code
                            ))
                        })?,
                    },
                },
                _ => CriterionKind::Evaluated {
                    scale: stored(&r.code, "barème", r.scale.as_deref())?,
                },
            };
            Ok(Criterion {
                id: r.code.clone(),
                label: r.label.clone(),
                weight: stored(&r.code, "pondération", Some(&r.weight))?,
                kind,
                environmental: r.environmental,
                sub_criteria: subs_of(all, r.id)?,
            })
        })
        .collect()
}
