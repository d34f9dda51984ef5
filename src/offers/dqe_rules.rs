//! The rules of a DQE workbook uploaded on a pli (pure; stored by [`super::dqe_prices`]):
//!
//! - The workbook is checked against the context of the BPU version the candidates received,
//!   restricted to the pli's lot: the other lots' sheets are not read ([`lot_context`]).
//! - Without material error, the price of the pli is the recomputed lot total HT, under the
//!   same rule as a typed price: a price once entered is locked, a different one goes through
//!   the « rectification d'erreur matérielle » ([`price_effect`]).
//! - With material errors (an amount announced by the workbook ≠ the one recomputed from the
//!   unit prices), nothing is decided silently: the coordonnateur retains one total by an
//!   explicit, reasoned decision ([`check_decision`]). The recomputed total is the usual
//!   choice, the unit prices of the BPU generally prevailing over the amounts of the DQE when
//!   the consultation documents say so.

use super::register::locked_price;
use crate::docgen::dqe_read::DqePrices;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

/// Largest workbook accepted (the issued DQE weighs a few dozen kilobytes; axum's default
/// limit of a multipart body is the same 2 MiB).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// The context `ctx` of a BPU restricted to lot `lot_number` (`None`: a consultation without
/// lots, whose BPU has a single lot).
///
/// # Errors
/// A French message when the BPU has no price line for that lot.
pub fn lot_context(ctx: &Value, lot_number: Option<i32>) -> Result<Value, String> {
    let lots = ctx["bpu"]["lots"].as_array().cloned().unwrap_or_default();
    let kept: Vec<Value> = match lot_number {
        Some(n) => lots
            .into_iter()
            .filter(|l| l["number"].as_i64() == Some(i64::from(n)))
            .collect(),
        None if lots.len() == 1 => lots,
        None => Vec::new(),
    };
    if kept.is_empty() {
        return Err(match lot_number {
            Some(n) => format!(
                "Le BPU publié ne comporte aucune ligne de prix pour le lot {n} : le DQE de ce pli ne peut pas être vérifié."
            ),
            None => "Le pli n'est rattaché à aucun lot et le BPU publié en compte plusieurs : rattachez le pli à son lot.".into(),
        });
    }
    let mut out = ctx.clone();
    out["bpu"]["lots"] = Value::Array(kept);
    Ok(out)
}

/// The lot total HT the workbook announces: its « total HT du lot » cell when it differs from
/// the recomputed total (a material error), else the recomputed total.
#[must_use]
pub fn announced_total(prices: &DqePrices) -> Decimal {
    prices
        .lots
        .iter()
        .map(|lot| {
            let what = format!("total HT du lot {}", lot.number);
            prices
                .material_errors
                .iter()
                .find(|e| e.what == what)
                .map_or(lot.total_ht, |e| e.announced)
        })
        .sum()
}

/// What an accepted total does to the price of the pli.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceEffect {
    /// No price yet: this total becomes the price.
    Set(Decimal),
    /// The price already entered is this very total.
    Unchanged,
}

/// The effect of retaining `total` on a pli whose price is `existing` (the rule of
/// `register::set_price`: a price once entered is locked).
///
/// # Errors
/// A French message: a total that cannot be a price, or an entered price that differs.
pub fn price_effect(
    bidder: &str,
    existing: Option<&str>,
    total: Decimal,
) -> Result<PriceEffect, String> {
    if total <= Decimal::ZERO {
        return Err(format!(
            "Le total HT du DQE est nul ou négatif ({total} €) : il ne peut pas être le prix de l'offre."
        ));
    }
    if total > crate::scoring::MAX_PRICE {
        return Err(
            "Le total HT du DQE est déraisonnable (plus de mille milliards d'euros).".into(),
        );
    }
    match existing {
        None => Ok(PriceEffect::Set(total)),
        Some(before) if Decimal::from_str(before).is_ok_and(|b| b == total) => {
            Ok(PriceEffect::Unchanged)
        }
        Some(before) => Err(format!(
            "Le total HT recalculé du DQE ({total} € HT) diffère du prix déjà consigné. {}",
            locked_price(bidder, before)
        )),
    }
}

/// The total retained by the coordonnateur when the workbook has material errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retained {
    /// The total recomputed from the unit prices (the usual choice).
    Recomputed,
    /// The total the workbook announces.
    Announced,
}

impl Retained {
    /// Stored code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Recomputed => "recalcule",
            Self::Announced => "annonce",
        }
    }

    /// French label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Recomputed => "total recalculé à partir des prix unitaires",
            Self::Announced => "total annoncé par le classeur",
        }
    }

    /// From the stored code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "recalcule" => Some(Self::Recomputed),
            "annonce" => Some(Self::Announced),
            _ => None,
        }
    }
}

/// Checks the decision form on material errors: which total, and a written reason.
///
/// # Errors
/// French messages.
pub fn check_decision(retained: &str, reason: &str) -> Result<(Retained, String), Vec<String>> {
    let mut errs = Vec::new();
    let choice = Retained::from_code(retained.trim());
    if choice.is_none() {
        errs.push(
            "choisissez le total retenu : le total recalculé ou le total annoncé par le classeur"
                .to_owned(),
        );
    }
    let r = reason.trim();
    let n = r.chars().count();
    if !(15..=2000).contains(&n) {
        errs.push(
            "motif de la décision obligatoire (15 à 2000 caractères) : dites pourquoi ce total \
             est retenu (par exemple : les prix unitaires du BPU prévalent, R2152-2)"
                .to_owned(),
        );
    }
    match choice {
        Some(c) if errs.is_empty() => Ok((c, r.to_owned())),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docgen::dqe_read::{MaterialError, PricedLot};
    use rust_decimal::dec;
    use serde_json::json;

    fn ctx() -> Value {
        json!({"bpu": {"vat_rate": "20", "lots": [
            {"number": 1, "items": [{"code": "1.1"}]},
            {"number": 2, "items": [{"code": "2.1"}]},
        ]}})
    }

    #[test]
    fn only_the_lot_of_the_pli_is_read() {
        let c = lot_context(&ctx(), Some(2)).expect("lot 2");
        assert_eq!(c["bpu"]["lots"].as_array().map(Vec::len), Some(1));
        assert_eq!(c["bpu"]["lots"][0]["number"], 2);
        assert_eq!(c["bpu"]["vat_rate"], "20");
        assert!(
            lot_context(&ctx(), Some(3))
                .expect_err("no lot 3")
                .contains("lot 3")
        );
        assert!(
            lot_context(&ctx(), None).is_err(),
            "two lots, no lot on the pli"
        );
        let mut one = ctx();
        one["bpu"]["lots"].as_array_mut().expect("lots").pop();
        assert!(lot_context(&one, None).is_ok());
    }

    fn prices(errors: Vec<MaterialError>) -> DqePrices {
        DqePrices {
            lots: vec![PricedLot {
                number: 1,
                lines: Vec::new(),
                total_ht: dec!(1000.00),
                vat: dec!(200.00),
                total_ttc: dec!(1200.00),
            }],
            total_ht: dec!(1000.00),
            material_errors: errors,
        }
    }

    fn error(what: &str, announced: Decimal, computed: Decimal) -> MaterialError {
        MaterialError {
            sheet: "Lot 1".into(),
            cell: "H9".into(),
            what: what.into(),
            announced,
            computed,
        }
    }

    #[test]
    fn the_announced_total_is_the_total_cell_when_it_differs() {
        assert_eq!(announced_total(&prices(Vec::new())), dec!(1000.00));
        let line = error("montant HT du prix 1.1", dec!(50), dec!(40));
        assert_eq!(announced_total(&prices(vec![line.clone()])), dec!(1000.00));
        let total = error("total HT du lot 1", dec!(1100), dec!(1000.00));
        assert_eq!(announced_total(&prices(vec![line, total])), dec!(1100));
    }

    #[test]
    fn a_price_once_entered_is_locked_and_an_equal_total_changes_nothing() {
        assert_eq!(
            price_effect("ALPHA", None, dec!(1234.50)),
            Ok(PriceEffect::Set(dec!(1234.50)))
        );
        assert_eq!(
            price_effect("ALPHA", Some("1234.5"), dec!(1234.50)),
            Ok(PriceEffect::Unchanged)
        );
        let e = price_effect("ALPHA", Some("1200"), dec!(1234.50)).expect_err("locked");
        assert!(e.contains("rectification d'erreur matérielle"), "{e}");
        assert!(e.contains("1234.50"), "{e}");
        assert!(price_effect("ALPHA", None, Decimal::ZERO).is_err());
        assert!(price_effect("ALPHA", None, dec!(2_000_000_000_000)).is_err());
    }

    #[test]
    fn a_decision_names_its_total_and_gives_a_reason() {
        assert_eq!(
            check_decision("recalcule", "les prix unitaires du BPU prévalent"),
            Ok((
                Retained::Recomputed,
                "les prix unitaires du BPU prévalent".into()
            ))
        );
        assert_eq!(check_decision("", "court").expect_err("both").len(), 2);
        assert_eq!(
            check_decision("annonce", "erreur")
                .expect_err("reason")
                .len(),
            1
        );
        assert_eq!(Retained::from_code("annonce"), Some(Retained::Announced));
        assert_eq!(Retained::Announced.code(), "annonce");
    }
}
