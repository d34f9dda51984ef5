//! Reads a candidate's filled DQE workbook (`calamine`) against the context it was issued from
//! (`super::dqe`): the workbook must be the one issued — same sheets, lines, designations,
//! units and quantities — and every unit price a number ≥ 0. The amounts are then recomputed
//! exactly (quantity × unit price rounded to the cent, half away from zero; VAT on the total,
//! as `super::bpu`); where the workbook announces other amounts (its cached formula results),
//! each difference is reported as an *erreur matérielle* for the coordonnateur to decide on
//! (R2152-2 lets the buyer ask for it to be corrected); nothing is corrected silently.

use super::dqe::{FIRST_MEMBER_COL, HEADER_ROW, cell_ref, members, quantity, sheet_name};
use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use serde_json::Value;
use std::io::Cursor;
use std::str::FromStr;

/// A priced line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PricedLine {
    pub code: String,
    pub unit_price_ht: Decimal,
    pub quantity: Decimal,
    pub amount_ht: Decimal,
}

/// A difference between an amount the workbook announces and the recomputed one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MaterialError {
    pub sheet: String,
    pub cell: String,
    pub what: String,
    pub announced: Decimal,
    pub computed: Decimal,
}

/// A lot's prices, recomputed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PricedLot {
    pub number: i64,
    pub lines: Vec<PricedLine>,
    pub total_ht: Decimal,
    pub vat: Decimal,
    pub total_ttc: Decimal,
}

/// What a filled workbook says once checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DqePrices {
    pub lots: Vec<PricedLot>,
    /// The DQE total HT of every lot (what the price criterion compares).
    pub total_ht: Decimal,
    pub material_errors: Vec<MaterialError>,
}

/// Rounded to the cent, half away from zero, always written with two decimals.
fn cents(d: Decimal) -> Decimal {
    let mut c = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    c.rescale(2);
    c
}

fn number_of(d: &Data) -> Option<Decimal> {
    match d {
        Data::Int(i) => Some(Decimal::from(*i)),
        Data::Float(f) => Decimal::from_f64(*f).map(|d| d.normalize()),
        _ => None,
    }
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.trim().to_owned(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string().trim().to_owned(),
    }
}

fn at(r: &Range<Data>, row: u32, col: u16) -> Option<&Data> {
    r.get_value((row, u32::from(col)))
}

/// Reads the filled workbook `bytes` issued from context `ctx`.
///
/// # Errors
/// Every reason to refuse it, in French, naming the sheet, the line and the cell.
pub fn read_dqe(bytes: &[u8], ctx: &Value) -> Result<DqePrices, Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| {
        vec!["Le fichier n'est pas un classeur Excel (.xlsx) lisible : déposez le DQE du DCE complété.".to_owned()]
    })?;
    let lots = ctx["bpu"]["lots"].as_array().cloned().unwrap_or_default();
    let members = members(ctx);
    let n_members = u16::try_from(members.len()).unwrap_or(0);
    let qty_col = FIRST_MEMBER_COL + n_members;
    let (pu_col, amount_col) = (qty_col + 1, qty_col + 2);
    let vat_rate = ctx["bpu"]["vat_rate"]
        .as_str()
        .and_then(|v| Decimal::from_str(v).ok())
        .ok_or_else(|| vec!["Le taux de TVA du DQE est illisible.".to_owned()])?;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut material = Vec::new();
    for lot in &lots {
        let number = lot["number"].as_i64().unwrap_or(0);
        let name = sheet_name(number);
        let Ok(range) = wb.worksheet_range(&name) else {
            errors.push(format!(
                "La feuille « {name} » manque : déposez le classeur du DCE, sans en renommer les feuilles."
            ));
            continue;
        };
        let mut lines = Vec::new();
        let items = lot["items"].as_array().cloned().unwrap_or_default();
        for (i, item) in items.iter().enumerate() {
            let row = HEADER_ROW + 1 + u32::try_from(i).unwrap_or(0);
            let code = item["code"].as_str().unwrap_or_default();
            let place = |col: u16| {
                format!(
                    "Feuille « {name} », ligne {} (prix {code}), cellule {}",
                    row + 1,
                    cell_ref(row, col)
                )
            };
            for (col, key, what) in [
                (0, "code", "le numéro de prix"),
                (1, "label", "la désignation"),
                (2, "unit", "l'unité"),
            ] {
                let expected = item[key].as_str().unwrap_or_default();
                if text(at(&range, row, col)) != expected.trim() {
                    errors.push(format!(
                        "{} : {what} a été modifié(e) (« {expected} » attendu, « {} » lu).",
                        place(col),
                        text(at(&range, row, col))
                    ));
                }
            }
            let mut total_q = Decimal::ZERO;
            for (m, (finess, member)) in members.iter().enumerate() {
                let col = FIRST_MEMBER_COL + u16::try_from(m).unwrap_or(0);
                let expected = quantity(&item["quantities"][finess], "").unwrap_or_default();
                let read = match at(&range, row, col) {
                    None | Some(Data::Empty) => Some(Decimal::ZERO),
                    Some(d) => number_of(d),
                };
                if read.map(|d| d.normalize()) != Some(expected.normalize()) {
                    errors.push(format!(
                        "{} : la quantité de {member} a été modifiée ({} attendu).",
                        place(col),
                        expected.normalize()
                    ));
                }
                total_q += expected;
            }
            let pu = match at(&range, row, pu_col) {
                None | Some(Data::Empty) => {
                    errors.push(format!("{} : le prix unitaire HT manque.", place(pu_col)));
                    continue;
                }
                Some(d) => match number_of(d) {
                    Some(p) if p.is_sign_negative() => {
                        errors.push(format!(
                            "{} : le prix unitaire HT est négatif ({p}).",
                            place(pu_col)
                        ));
                        continue;
                    }
                    Some(p) => p,
                    None => {
                        errors.push(format!(
                            "{} : le prix unitaire HT « {} » n'est pas un nombre.",
                            place(pu_col),
                            text(Some(d))
                        ));
                        continue;
                    }
                },
            };
            let amount = cents(total_q * pu);
            if let Some(announced) = at(&range, row, amount_col).and_then(number_of)
                && cents(announced) != amount
            {
                material.push(MaterialError {
                    sheet: name.clone(),
                    cell: cell_ref(row, amount_col),
                    what: format!("montant HT du prix {code}"),
                    announced,
                    computed: amount,
                });
            }
            lines.push(PricedLine {
                code: code.to_owned(),
                unit_price_ht: pu,
                quantity: total_q,
                amount_ht: amount,
            });
        }
        let total_ht: Decimal = lines.iter().map(|l| l.amount_ht).sum();
        let vat = cents(total_ht * vat_rate / Decimal::ONE_HUNDRED);
        let last = HEADER_ROW + 1 + u32::try_from(items.len()).unwrap_or(0);
        for (k, (what, computed)) in [
            ("total HT", total_ht),
            ("TVA", vat),
            ("total TTC", total_ht + vat),
        ]
        .into_iter()
        .enumerate()
        {
            let row = last + u32::try_from(k).unwrap_or(0);
            if let Some(announced) = at(&range, row, amount_col).and_then(number_of)
                && lines.len() == items.len()
                && cents(announced) != computed
            {
                material.push(MaterialError {
                    sheet: name.clone(),
                    cell: cell_ref(row, amount_col),
                    what: format!("{what} du lot {number}"),
                    announced,
                    computed,
                });
            }
        }
        out.push(PricedLot {
            number,
            lines,
            total_ht,
            vat,
            total_ttc: total_ht + vat,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(DqePrices {
        total_ht: out.iter().map(|l| l.total_ht).sum(),
        lots: out,
        material_errors: material,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docgen::dqe::write_dqe;
    use rust_decimal::dec;
    use rust_xlsxwriter::{Formula, Workbook};

    fn example() -> Value {
        serde_json::from_str(crate::docgen::example_context(crate::docgen::DocKind::Bpu))
            .expect("example")
    }

    /// A workbook as a candidate's spreadsheet would save it: the issued layout, prices typed,
    /// amounts cached as its own computation gave them (`amount_of` for line `i`).
    fn filled(
        ctx: &Value,
        price_of: impl Fn(usize, usize) -> Option<Data>,
        amount_of: impl Fn(usize, usize, Decimal) -> Option<f64>,
    ) -> Vec<u8> {
        let members = members(ctx);
        let n = u16::try_from(members.len()).unwrap();
        let (qty_col, pu_col, amount_col) = (
            FIRST_MEMBER_COL + n,
            FIRST_MEMBER_COL + n + 1,
            FIRST_MEMBER_COL + n + 2,
        );
        let mut wb = Workbook::new();
        for (li, lot) in ctx["bpu"]["lots"].as_array().unwrap().iter().enumerate() {
            let ws = wb.add_worksheet();
            ws.set_name(sheet_name(lot["number"].as_i64().unwrap()))
                .unwrap();
            for (i, item) in lot["items"].as_array().unwrap().iter().enumerate() {
                let row = HEADER_ROW + 1 + u32::try_from(i).unwrap();
                ws.write(row, 0, item["code"].as_str().unwrap()).unwrap();
                ws.write(row, 1, item["label"].as_str().unwrap()).unwrap();
                ws.write(row, 2, item["unit"].as_str().unwrap()).unwrap();
                let mut total = Decimal::ZERO;
                for (m, (finess, _)) in members.iter().enumerate() {
                    let q = quantity(&item["quantities"][finess], "").unwrap();
                    total += q;
                    if !q.is_zero() {
                        ws.write(
                            row,
                            FIRST_MEMBER_COL + u16::try_from(m).unwrap(),
                            f64::try_from(q).unwrap(),
                        )
                        .unwrap();
                    }
                }
                ws.write(row, qty_col, f64::try_from(total).unwrap())
                    .unwrap();
                match price_of(li, i) {
                    Some(Data::Float(p)) => {
                        ws.write(row, pu_col, p).unwrap();
                    }
                    Some(Data::String(s)) => {
                        ws.write(row, pu_col, s).unwrap();
                    }
                    _ => {}
                }
                if let Some(a) = amount_of(li, i, total) {
                    ws.write_formula(
                        row,
                        amount_col,
                        Formula::new("=1").set_result(a.to_string()),
                    )
                    .unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_filled_workbook_is_read_back_to_the_cent() {
        let ctx = example();
        let bytes = filled(
            &ctx,
            |_, i| Some(Data::Float([72.0, 2200.0, 1500.0, 650.5, 19.99][i % 5])),
            |_, _, _| None,
        );
        let p = read_dqe(&bytes, &ctx).expect("read");
        let l = &p.lots[0].lines[0];
        assert_eq!(l.unit_price_ht, dec!(72));
        assert_eq!(l.amount_ht, l.quantity * dec!(72));
        assert_eq!(
            p.lots[0].total_ht,
            p.lots[0].lines.iter().map(|l| l.amount_ht).sum::<Decimal>()
        );
        assert_eq!(
            p.total_ht,
            p.lots.iter().map(|l| l.total_ht).sum::<Decimal>()
        );
        assert!(p.material_errors.is_empty());
    }

    #[test]
    fn an_announced_amount_that_differs_is_a_material_error_not_a_correction() {
        let ctx = example();
        let bytes = filled(
            &ctx,
            |_, _| Some(Data::Float(10.0)),
            |li, i, q| {
                let right = f64::try_from(q).unwrap() * 10.0;
                Some(if li == 0 && i == 0 {
                    right + 100.0
                } else {
                    right
                })
            },
        );
        let p = read_dqe(&bytes, &ctx).expect("read");
        assert_eq!(p.material_errors.len(), 1, "{:?}", p.material_errors);
        let e = &p.material_errors[0];
        assert_eq!(e.announced - e.computed, dec!(100));
        assert_eq!(p.lots[0].lines[0].amount_ht, e.computed, "kept as computed");
    }

    #[test]
    fn text_negative_or_missing_prices_and_changed_quantities_are_named() {
        let ctx = example();
        let bytes = filled(
            &ctx,
            |_, i| match i {
                0 => Some(Data::String("douze".into())),
                1 => Some(Data::Float(-3.0)),
                2 => None,
                _ => Some(Data::Float(1.0)),
            },
            |_, _, _| None,
        );
        let errs = read_dqe(&bytes, &ctx).unwrap_err().join("\n");
        assert!(
            errs.contains("Feuille « Lot 1 », ligne 6 (prix 1.1)"),
            "{errs}"
        );
        assert!(errs.contains("« douze » n'est pas un nombre"), "{errs}");
        assert!(errs.contains("est négatif"), "{errs}");
        assert!(errs.contains("le prix unitaire HT manque"), "{errs}");

        let mut other = ctx.clone();
        other["bpu"]["lots"][0]["items"][0]["quantities"]["590036745"] = "999".into();
        let good = filled(&ctx, |_, _| Some(Data::Float(1.0)), |_, _, _| None);
        let errs = read_dqe(&good, &other).unwrap_err().join("\n");
        assert!(
            errs.contains("la quantité de SANTELYS a été modifiée (999 attendu)"),
            "{errs}"
        );
        assert!(
            read_dqe(b"not a workbook", &ctx).unwrap_err()[0].contains("n'est pas un classeur")
        );
    }

    #[test]
    fn the_issued_workbook_unfilled_asks_for_every_price() {
        let ctx = example();
        let errs = read_dqe(&write_dqe(&ctx).expect("dqe"), &ctx).unwrap_err();
        let lines: usize = ctx["bpu"]["lots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["items"].as_array().unwrap().len())
            .sum();
        assert_eq!(errs.len(), lines, "{errs:?}");
        assert!(
            errs.iter()
                .all(|e| e.contains("le prix unitaire HT manque"))
        );
    }
}
