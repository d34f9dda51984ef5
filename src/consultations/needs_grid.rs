//! The needs of every member for every lot in one grid (one submit instead of one per member
//! and lot). Cells are named `n_{lot}_{member}_{field}`; a row left empty is skipped; every
//! error names the lot and the member. Pure: the page reads and writes through the service.

use super::model::{NeedDraft, NeedInput, validate_need};
use crate::error::FieldErrors;
use std::collections::BTreeMap;

/// The fields of one cell group, in grid order, with their French headers.
pub const FIELDS: [(&str, &str); 5] = [
    ("amount_ht", "Montant HT"),
    ("options_ht", "Options HT"),
    ("renewals_ht", "Reconductions HT"),
    ("quantity", "Quantité"),
    ("unit", "Unité"),
];

/// The form name of a cell.
#[must_use]
pub fn cell(lot: i32, member: i32, field: &str) -> String {
    format!("n_{lot}_{member}_{field}")
}

/// Reads the grid: one draft per (lot, member) row with at least one filled cell.
/// `lots`: (id, number); `members`: (id, name).
///
/// # Errors
/// Every error of every row, keyed by its cell, each message naming the lot and the member.
pub fn parse(
    form: &BTreeMap<String, String>,
    lots: &[(i32, i32)],
    members: &[(i32, String)],
) -> Result<Vec<NeedDraft>, FieldErrors> {
    let mut drafts = Vec::new();
    let mut errors = FieldErrors::new();
    for (lot, number) in lots {
        for (member, name) in members {
            let get = |f: &str| {
                form.get(&cell(*lot, *member, f))
                    .cloned()
                    .unwrap_or_default()
            };
            if FIELDS.iter().all(|(f, _)| get(f).trim().is_empty()) {
                continue;
            }
            let input = NeedInput {
                lot_id: lot.to_string(),
                member_id: member.to_string(),
                amount_ht: get("amount_ht"),
                options_ht: get("options_ht"),
                renewals_ht: get("renewals_ht"),
                quantity: get("quantity"),
                unit: get("unit"),
            };
            match validate_need(&input) {
                Ok(d) => drafts.push(d),
                Err(errs) => {
                    for (field, msgs) in errs {
                        let key = cell(*lot, *member, &field);
                        for m in msgs {
                            errors
                                .entry(key.clone())
                                .or_default()
                                .push(format!("Lot {number}, {name} : {m}"));
                        }
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(drafts)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn form(cells: &[(&str, &str)]) -> BTreeMap<String, String> {
        cells
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn filled_rows_become_needs_and_empty_rows_are_skipped() {
        let lots = [(7, 1), (8, 2)];
        let members = [
            (1, "SANTELYS".to_owned()),
            (2, "CCAS DE RONCHIN".to_owned()),
        ];
        let drafts = parse(
            &form(&[
                ("n_7_1_amount_ht", "35 000,50"),
                ("n_7_2_amount_ht", "12000"),
                ("n_7_2_quantity", "2,5"),
                ("n_8_1_amount_ht", ""),
            ]),
            &lots,
            &members,
        )
        .expect("valid");
        assert_eq!(drafts.len(), 2);
        assert_eq!(drafts[0].amount_ht, Decimal::new(3_500_050, 2));
        assert_eq!((drafts[1].lot_id, drafts[1].member_id), (7, 2));
        assert_eq!(drafts[1].quantity, Some(Decimal::new(25, 1)));
    }

    #[test]
    fn each_error_names_its_lot_and_member() {
        let lots = [(7, 1)];
        let members = [
            (1, "SANTELYS".to_owned()),
            (2, "CCAS DE RONCHIN".to_owned()),
        ];
        let errs = parse(
            &form(&[
                ("n_7_1_amount_ht", "trente"),
                ("n_7_2_amount_ht", "100"),
                ("n_7_2_quantity", "-1"),
            ]),
            &lots,
            &members,
        )
        .expect_err("refused");
        let all: Vec<&String> = errs.values().flatten().collect();
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(errs["n_7_1_amount_ht"][0].starts_with("Lot 1, SANTELYS : montant HT"));
        assert!(errs["n_7_2_quantity"][0].starts_with("Lot 1, CCAS DE RONCHIN : quantité"));
    }
}
