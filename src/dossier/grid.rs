//! The stored award-criteria grid of a consultation (`offer_criterion`, flat rows) and the
//! scoring engine's tree built from it. The offers area replaces and freezes the grid
//! (`offers::criteria`); every other area reads it through the dossier.

use crate::db::entities::offer_criterion;
use crate::error::AppError;
use crate::scoring::{Criterion, CriterionKind, PriceFormula, SubCriterion};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::str::FromStr;

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

pub fn dec(s: Option<&str>) -> Decimal {
    s.and_then(|v| Decimal::from_str(v).ok())
        .unwrap_or_default()
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

fn subs_of(all: &[offer_criterion::Model], parent: i32) -> Vec<SubCriterion> {
    all.iter()
        .filter(|r| r.parent_id == Some(parent))
        .map(|r| SubCriterion {
            id: r.code.clone(),
            label: r.label.clone(),
            weight: dec(Some(&r.weight)),
            environmental: r.environmental,
            sub_criteria: subs_of(all, r.id),
        })
        .collect()
}

/// The engine's tree from the stored rows.
#[must_use]
pub fn tree(all: &[offer_criterion::Model]) -> Vec<Criterion> {
    all.iter()
        .filter(|r| r.parent_id.is_none())
        .map(|r| {
            let kind = match r.kind.as_deref() {
                Some("price") => CriterionKind::Price {
                    formula: r
                        .formula
                        .as_deref()
                        .and_then(|f| parse_formula(f).ok())
                        .unwrap_or(PriceFormula::Proportional),
                },
                _ => CriterionKind::Evaluated {
                    scale: dec(r.scale.as_deref()),
                },
            };
            Criterion {
                id: r.code.clone(),
                label: r.label.clone(),
                weight: dec(Some(&r.weight)),
                kind,
                environmental: r.environmental,
                sub_criteria: subs_of(all, r.id),
            }
        })
        .collect()
}
