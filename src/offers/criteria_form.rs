//! The criteria grid as a form of numbered rows (no JavaScript): each row has a label, a weight,
//! the row number of its parent (empty for a main criterion) and, for main criteria, the kind
//! (price with its formula, or evaluated on a scale). A parent must be written above its
//! sub-criteria. Pure parsing; the weights are checked by [`super::criteria::validate`].

use crate::scoring::{Criterion, CriterionKind, PriceFormula, SubCriterion};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// Rows offered by the page besides the existing criteria.
pub const EXTRA_ROWS: usize = 4;
/// Largest number of rows accepted.
pub const MAX_ROWS: usize = 60;

/// One row of the form, as shown (strings as typed).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Row {
    pub n: usize,
    pub label: String,
    pub weight: String,
    pub parent: String,
    pub kind: String,
    pub formula: String,
    pub scale: String,
    pub environmental: bool,
}

/// A French decimal (« 12,5 » or « 12.5 »).
#[must_use]
pub fn parse_fr_decimal(s: &str) -> Option<Decimal> {
    crate::docgen::format::parse_decimal_fr(s).ok()
}

/// Rows of an existing tree (pre-order), then [`EXTRA_ROWS`] empty rows.
#[must_use]
pub fn rows_of(criteria: &[Criterion]) -> Vec<Row> {
    fn subs(list: &[SubCriterion], parent: usize, out: &mut Vec<Row>) {
        for s in list {
            let n = out.len() + 1;
            out.push(Row {
                n,
                label: s.label.clone(),
                weight: s.weight.normalize().to_string().replace('.', ","),
                parent: parent.to_string(),
                environmental: s.environmental,
                ..Row::default()
            });
            subs(&s.sub_criteria, n, out);
        }
    }
    let mut out = Vec::new();
    for c in criteria {
        let n = out.len() + 1;
        let (kind, formula, scale) = match c.kind {
            CriterionKind::Price { formula } => (
                "price",
                serde_json::to_value(formula)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                String::new(),
            ),
            CriterionKind::Evaluated { scale } => (
                "evaluated",
                String::new(),
                scale.normalize().to_string().replace('.', ","),
            ),
        };
        out.push(Row {
            n,
            label: c.label.clone(),
            weight: c.weight.normalize().to_string().replace('.', ","),
            kind: kind.to_owned(),
            formula,
            scale,
            environmental: c.environmental,
            ..Row::default()
        });
        subs(&c.sub_criteria, n, &mut out);
    }
    let len = out.len();
    for i in 0..EXTRA_ROWS {
        out.push(Row {
            n: len + i + 1,
            ..Row::default()
        });
    }
    out
}

/// Reads the rows of a submitted form (`label_3`, `weight_3`…), empty rows and rows ticked
/// « Supprimer » (`remove_3`) skipped.
#[must_use]
pub fn read_rows(fields: &[(String, String)]) -> Vec<Row> {
    let mut by_n: HashMap<usize, Row> = HashMap::new();
    let mut removed = std::collections::HashSet::new();
    for (k, v) in fields {
        let Some((name, n)) = k.rsplit_once('_') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        if n == 0 || n > MAX_ROWS {
            continue;
        }
        let row = by_n.entry(n).or_insert_with(|| Row {
            n,
            ..Row::default()
        });
        let v = v.trim().to_owned();
        match name {
            "label" => row.label = v,
            "weight" => row.weight = v,
            "parent" => row.parent = v,
            "kind" => row.kind = v,
            "formula" => row.formula = v,
            "scale" => row.scale = v,
            "env" => row.environmental = matches!(v.as_str(), "on" | "1" | "true" | "oui"),
            "remove" => {
                removed.insert(n);
            }
            _ => {}
        }
    }
    let mut rows: Vec<Row> = by_n
        .into_values()
        .filter(|r| !removed.contains(&r.n) && (!r.label.is_empty() || !r.weight.is_empty()))
        .collect();
    rows.sort_by_key(|r| r.n);
    rows
}

/// Builds the tree from the rows; codes are `c<row>`.
///
/// # Errors
/// Every French message about a row (weight, parent, kind, formula, scale).
pub fn build(rows: &[Row]) -> Result<Vec<Criterion>, Vec<String>> {
    let mut errs = Vec::new();
    // Row number → (parent row, sub-criterion or criterion)
    let mut roots: Vec<Criterion> = Vec::new();
    let mut subs: Vec<(usize, usize, SubCriterion)> = Vec::new();
    let known: HashMap<usize, usize> = rows.iter().enumerate().map(|(i, r)| (r.n, i)).collect();
    for r in rows {
        let at = format!("ligne {}", r.n);
        let weight = parse_fr_decimal(&r.weight).unwrap_or_else(|| {
            errs.push(format!(
                "{at} : la pondération « {} » n'est pas un nombre (points, ex. 40 ou 12,5)",
                r.weight
            ));
            Decimal::ZERO
        });
        let id = format!("c{}", r.n);
        if r.parent.is_empty() {
            let kind = match r.kind.as_str() {
                "price" => match super::criteria::parse_formula(&r.formula) {
                    Ok(formula) => CriterionKind::Price { formula },
                    Err(e) => {
                        errs.push(format!("{at} : {e}"));
                        CriterionKind::Price {
                            formula: PriceFormula::Proportional,
                        }
                    }
                },
                "evaluated" => {
                    let scale = parse_fr_decimal(&r.scale).unwrap_or_else(|| {
                        errs.push(format!(
                            "{at} : le barème « {} » n'est pas un nombre (ex. 20)",
                            r.scale
                        ));
                        Decimal::ZERO
                    });
                    CriterionKind::Evaluated { scale }
                }
                other => {
                    errs.push(format!(
                        "{at} : le type « {other} » est inconnu (prix ou critère noté)"
                    ));
                    CriterionKind::Evaluated {
                        scale: Decimal::ZERO,
                    }
                }
            };
            roots.push(Criterion {
                id,
                label: r.label.clone(),
                weight,
                kind,
                environmental: r.environmental,
                sub_criteria: Vec::new(),
            });
        } else {
            match r.parent.parse::<usize>() {
                Ok(p) if p < r.n && known.contains_key(&p) => subs.push((
                    r.n,
                    p,
                    SubCriterion {
                        id,
                        label: r.label.clone(),
                        weight,
                        environmental: r.environmental,
                        sub_criteria: Vec::new(),
                    },
                )),
                _ => errs.push(format!(
                    "{at} : le critère parent « {} » doit être le numéro d'une ligne remplie au-dessus",
                    r.parent
                )),
            }
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    // Attach the deepest rows first so that each sub-criterion carries its own children.
    let mut nodes: HashMap<usize, SubCriterion> = HashMap::new();
    let parent_of: HashMap<usize, usize> = subs.iter().map(|(n, p, _)| (*n, *p)).collect();
    for (n, _, s) in subs.iter().rev() {
        let mut s = s.clone();
        s.sub_criteria = take_children(&mut nodes, &parent_of, *n);
        nodes.insert(*n, s);
    }
    for c in &mut roots {
        let n: usize = c.id[1..].parse().unwrap_or(0);
        c.sub_criteria = take_children(&mut nodes, &parent_of, n);
    }
    Ok(roots)
}

fn take_children(
    nodes: &mut HashMap<usize, SubCriterion>,
    parent_of: &HashMap<usize, usize>,
    parent: usize,
) -> Vec<SubCriterion> {
    let mut ns: Vec<usize> = parent_of
        .iter()
        .filter(|(_, p)| **p == parent)
        .map(|(n, _)| *n)
        .collect();
    ns.sort_unstable();
    ns.into_iter().filter_map(|n| nodes.remove(&n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn rows_build_a_tree_with_sub_criteria_under_their_parent() {
        let rows = read_rows(&f(&[
            ("label_1", "Valeur technique"),
            ("weight_1", "60"),
            ("kind_1", "evaluated"),
            ("scale_1", "20"),
            ("label_2", "Fonctions"),
            ("weight_2", "40"),
            ("parent_2", "1"),
            ("label_3", "Déploiement"),
            ("weight_3", "20"),
            ("parent_3", "1"),
            ("env_3", "on"),
            ("label_4", "Prix"),
            ("weight_4", "40"),
            ("kind_4", "price"),
            ("formula_4", "min_max"),
            ("label_5", ""),
            ("weight_5", ""),
        ]));
        assert_eq!(rows.len(), 4);
        let t = build(&rows).expect("tree");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].id, "c1");
        assert_eq!(t[0].kind, CriterionKind::Evaluated { scale: dec!(20) });
        let ids: Vec<&str> = t[0].sub_criteria.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["c2", "c3"]);
        assert!(t[0].sub_criteria[1].environmental);
        assert_eq!(
            t[1].kind,
            CriterionKind::Price {
                formula: PriceFormula::MinMax
            }
        );
        // And back to rows, with French decimals.
        let back = rows_of(&t);
        assert_eq!(back.len(), 4 + EXTRA_ROWS);
        assert_eq!(back[1].parent, "1");
        assert_eq!(back[3].formula, "min_max");
    }

    #[test]
    fn nested_sub_criteria_keep_their_children() {
        let rows = read_rows(&f(&[
            ("label_1", "T"),
            ("weight_1", "100"),
            ("kind_1", "evaluated"),
            ("scale_1", "10"),
            ("label_2", "A"),
            ("weight_2", "100"),
            ("parent_2", "1"),
            ("label_3", "A1"),
            ("weight_3", "12,5"),
            ("parent_3", "2"),
            ("label_4", "A2"),
            ("weight_4", "87,5"),
            ("parent_4", "2"),
        ]));
        let t = build(&rows).expect("tree");
        assert_eq!(t[0].sub_criteria.len(), 1);
        assert_eq!(t[0].sub_criteria[0].sub_criteria.len(), 2);
        assert_eq!(t[0].sub_criteria[0].sub_criteria[0].weight, dec!(12.5));
    }

    #[test]
    fn bad_rows_are_named() {
        let rows = read_rows(&f(&[
            ("label_1", "Prix"),
            ("weight_1", "quarante"),
            ("kind_1", "price"),
            ("formula_1", "magique"),
            ("label_2", "Sous"),
            ("weight_2", "10"),
            ("parent_2", "3"),
        ]));
        let errs = build(&rows).expect_err("invalid");
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].starts_with("ligne 1 : la pondération « quarante »"));
        assert!(errs[1].contains("magique"));
        assert!(errs[2].starts_with("ligne 2 : le critère parent « 3 »"));
    }

    #[test]
    fn french_decimals_are_read() {
        assert_eq!(parse_fr_decimal("12,5"), Some(dec!(12.5)));
        assert_eq!(parse_fr_decimal(" 1 000 "), Some(dec!(1000)));
        assert_eq!(parse_fr_decimal("x"), None);
    }

    #[test]
    fn a_row_ticked_for_removal_is_left_out() {
        let rows = read_rows(&f(&[
            ("label_1", "Prix"),
            ("weight_1", "60"),
            ("label_2", "Valeur technique"),
            ("weight_2", "40"),
            ("remove_2", "on"),
        ]));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].label, "Prix");
    }
}
