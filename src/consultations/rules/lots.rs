//! Procedure of each lot, with the small-lots exception of R2123-1 2°.

use super::params::{self, ThresholdInfo};
use super::procedure::{LotInput, Nature, ProcedureInput, ProcedureKind};
use super::{RulesError, format_eur, format_eur_short};
use rust_decimal::Decimal;
use serde::Serialize;

/// Procedure applicable to one lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotResult {
    pub label: String,
    /// Estimated value of the lot HT, options and renewals included.
    pub amount_ht: Decimal,
    pub procedure: ProcedureKind,
    pub procedure_label: &'static str,
    /// True when the lot may be passed in procédure adaptée inside a formalised operation
    /// (R2123-1 2°).
    pub small_lot_exception: bool,
    pub reason: String,
}

fn lot_name(lot: &LotInput, index: usize) -> String {
    if lot.label.trim().is_empty() {
        format!("n° {}", index + 1)
    } else {
        lot.label.clone()
    }
}

/// Allocates a procedure to each lot. The value of all lots together determines the procedure
/// of each lot (R2121-6; dir. 2014/24 art. 5 §8–9). Inside a formalised operation, a lot below
/// 80 000 € HT (F&S) / 1 000 000 € HT (works) may be passed in procédure adaptée provided the
/// cumulated value of such lots does not exceed 20 % of the value of all lots (R2123-1 2°).
/// The buyer chooses which lots use the exception; the engine takes the smallest eligible lots
/// first (most lots within the cap). Returns the lots and the small-lot thresholds used.
pub(super) fn allocate_lots(
    input: &ProcedureInput,
    procedure: ProcedureKind,
    total: Decimal,
    formalised: &ThresholdInfo,
) -> Result<(Vec<LotResult>, Vec<ThresholdInfo>), RulesError> {
    let applies = procedure.is_formalised() && input.lots.len() > 1;
    if !applies {
        let lots = input
            .lots
            .iter()
            .enumerate()
            .map(|(i, lot)| LotResult {
                label: lot_name(lot, i),
                amount_ht: lot.total_ht(),
                procedure,
                procedure_label: procedure.label(),
                small_lot_exception: false,
                reason: format!(
                    "Lot « {} » ({} HT) : {}, procédure déterminée par la valeur totale de tous les lots, {} HT (R2121-6).",
                    lot_name(lot, i),
                    format_eur(lot.total_ht()),
                    procedure.label().to_lowercase(),
                    format_eur(total)
                ),
            })
            .collect();
        return Ok((lots, Vec::new()));
    }

    let launch = input.launch_date;
    let small = match input.nature {
        Nature::Travaux => params::SMALL_LOT_WORKS.info_at(launch)?,
        _ => params::SMALL_LOT_FS.info_at(launch)?,
    };
    let pct = params::SMALL_LOTS_CAP_PCT.info_at(launch)?;
    let cap = total * pct.value / Decimal::ONE_HUNDRED;

    let mut eligible: Vec<usize> = (0..input.lots.len())
        .filter(|&i| input.lots[i].total_ht() < small.value)
        .collect();
    eligible.sort_by_key(|&i| (input.lots[i].total_ht(), i));
    let mut selected = vec![false; input.lots.len()];
    let mut cumulated = Decimal::ZERO;
    for &i in &eligible {
        let value = input.lots[i].total_ht();
        if cumulated + value <= cap {
            cumulated += value;
            selected[i] = true;
        }
    }

    let lots = input
        .lots
        .iter()
        .enumerate()
        .map(|(i, lot)| {
            let name = lot_name(lot, i);
            let value = lot.total_ht();
            let (proc_, reason) = if selected[i] {
                (
                    ProcedureKind::ProcedureAdaptee,
                    format!(
                        "Lot « {name} » ({} HT) < {} HT et petits lots cumulés {} HT ≤ {} % de la valeur totale ({} HT) : il peut être passé en procédure adaptée malgré la procédure formalisée de l'opération (R2123-1 2°).",
                        format_eur(value),
                        format_eur_short(small.value),
                        format_eur(cumulated),
                        pct.value,
                        format_eur(cap)
                    ),
                )
            } else if value < small.value {
                (
                    procedure,
                    format!(
                        "Lot « {name} » ({} HT) < {} HT, mais le cumul des petits lots dépasserait {} % de la valeur totale ({} HT) : {} (R2123-1 2° b).",
                        format_eur(value),
                        format_eur_short(small.value),
                        pct.value,
                        format_eur(cap),
                        procedure.label().to_lowercase()
                    ),
                )
            } else {
                (
                    procedure,
                    format!(
                        "Lot « {name} » ({} HT) ≥ {} HT : {} imposé par la valeur totale de l'opération ≥ {} HT (R2121-6, R2123-1 2° a).",
                        format_eur(value),
                        format_eur_short(small.value),
                        procedure.label().to_lowercase(),
                        format_eur_short(formalised.value)
                    ),
                )
            };
            LotResult {
                label: name,
                amount_ht: value,
                procedure: proc_,
                procedure_label: proc_.label(),
                small_lot_exception: selected[i],
                reason,
            }
        })
        .collect();
    Ok((lots, vec![small, pct]))
}
