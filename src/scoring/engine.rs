//! The indexed form of a validated case, and the computation of points.
//!
//! [`Engine::prepare`] validates the case once and turns identifiers into indexes (HashMaps, no
//! scan of the notes per offer or criterion). [`Engine::points`] then computes every node's
//! points for a given admissible set, price formulas and evaluator subset: the scoring and each
//! robustness scenario are cheap re-runs of it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rust_decimal::Decimal;
use rust_decimal::dec;

use crate::scoring::criteria::{CriteriaIndex, NodeRole};
use crate::scoring::error::ScoringError;
use crate::scoring::formulas::{PriceFormula, PriceRange};
use crate::scoring::model::ScoringCase;
use crate::scoring::notes::{Cell, NoteIndex};

/// Largest accepted price (one thousand billion euros): keeps products far from Decimal's limits.
pub const MAX_PRICE: Decimal = dec!(1_000_000_000_000);

/// A validated case, indexed.
#[derive(Debug)]
pub(crate) struct Engine<'a> {
    pub case: &'a ScoringCase,
    pub criteria: CriteriaIndex<'a>,
    /// Offer indexes (into `case.offers`) of the admissible offers, in input order.
    pub admissible: Vec<usize>,
    pub notes: NoteIndex<'a>,
    /// Aggregated notes of all evaluators (`offers × leaves`).
    pub cells: Vec<Cell>,
}

/// An (offer, leaf) left without note nor consensus (possible when an evaluator is removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EmptyCell {
    pub offer: usize,
    pub leaf: usize,
}

/// Points of every offer on every criterion node: `values[offer * nodes + node]`. Rows of
/// offers outside the scored set stay at zero.
#[derive(Debug, Clone)]
pub(crate) struct PointsTable {
    pub nodes: usize,
    pub values: Vec<Decimal>,
}

impl PointsTable {
    pub(crate) fn get(&self, offer: usize, node: usize) -> Decimal {
        self.values[offer * self.nodes + node]
    }
}

impl<'a> Engine<'a> {
    /// Validates and indexes `case`, collecting every error found.
    pub(crate) fn prepare(case: &'a ScoringCase) -> Result<Self, Vec<ScoringError>> {
        let mut errors = Vec::new();
        let criteria = CriteriaIndex::build(&case.criteria, &mut errors);
        if case.divergence_ratio <= Decimal::ZERO || case.divergence_ratio > Decimal::ONE {
            errors.push(ScoringError::InvalidDivergenceRatio(case.divergence_ratio));
        }
        let mut offer_by_id = HashMap::with_capacity(case.offers.len());
        let mut admissible = Vec::new();
        for (i, o) in case.offers.iter().enumerate() {
            if o.id.trim().is_empty() {
                errors.push(ScoringError::EmptyId {
                    what: format!("offre de « {} »", o.bidder),
                });
            }
            match offer_by_id.entry(o.id.as_str()) {
                Entry::Occupied(_) => errors.push(ScoringError::DuplicateOffer(o.id.clone())),
                Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
            // Only admissible prices are used; an excluded pli may not even have been opened
            // (hors délai), so its price is not checked.
            if o.status.is_admissible() && (o.price <= Decimal::ZERO || o.price > MAX_PRICE) {
                errors.push(ScoringError::InvalidPrice {
                    offer: o.id.clone(),
                    price: o.price,
                    max: MAX_PRICE,
                });
            }
            if o.status.is_admissible() {
                admissible.push(i);
            }
        }
        let notes = NoteIndex::build(case, &criteria, &offer_by_id, &mut errors);
        let cells = notes.aggregate(None);
        if errors.is_empty() {
            errors.extend(missing_notes_errors(&criteria, &notes, &cells, &admissible));
        }
        if admissible.is_empty() {
            for &p in &criteria.prices {
                errors.push(ScoringError::NoAdmissibleOfferForPrice {
                    criterion: criteria.nodes[p].id.to_owned(),
                });
            }
        }
        if errors.is_empty() {
            Ok(Engine {
                case,
                criteria,
                admissible,
                notes,
                cells,
            })
        } else {
            Err(errors)
        }
    }

    /// The error describing an (offer, leaf) without note nor consensus.
    pub(crate) fn empty_cell_error(&self, e: EmptyCell) -> ScoringError {
        let node = &self.criteria.nodes[self.criteria.leaves[e.leaf]];
        ScoringError::MissingNotes {
            criterion: node.id.to_owned(),
            label: node.label.to_owned(),
            offers: vec![self.notes.offer_id(e.offer).to_owned()],
        }
    }

    /// The formula of each price criterion, in `criteria.prices` order.
    pub(crate) fn formulas(&self) -> Vec<PriceFormula> {
        self.criteria
            .prices
            .iter()
            .map(|&p| match self.criteria.nodes[p].role {
                NodeRole::Price(f) => f,
                NodeRole::Leaf { .. } | NodeRole::Group => PriceFormula::Proportional,
            })
            .collect()
    }

    /// Points of the offers of `set` on every node: [`Engine::leaf_points`] then
    /// [`Engine::complete`].
    pub(crate) fn points(
        &self,
        cells: &[Cell],
        set: &[usize],
        formulas: &[PriceFormula],
    ) -> Result<PointsTable, EmptyCell> {
        Ok(self.complete(self.leaf_points(cells)?, set, formulas))
    }

    /// Points of every admissible offer on the evaluated leaves only (they do not depend on the
    /// other offers, so the robustness panel computes them once).
    ///
    /// Evaluated leaf = weight × mean / scale, computed as weight × Σnotes / (scale × count) so
    /// that there is a single division; a consensus note replaces the mean.
    pub(crate) fn leaf_points(&self, cells: &[Cell]) -> Result<PointsTable, EmptyCell> {
        let nodes = &self.criteria.nodes;
        let n = nodes.len();
        let leaves = self.criteria.leaves.len();
        let mut table = PointsTable {
            nodes: n,
            values: vec![Decimal::ZERO; self.case.offers.len() * n],
        };
        for &o in &self.admissible {
            for (leaf, &node) in self.criteria.leaves.iter().enumerate() {
                let cell = &cells[o * leaves + leaf];
                let (weight, scale) = (nodes[node].weight, nodes[node].scale);
                table.values[o * n + node] = match self.notes.consensus(o, leaf) {
                    Some(value) => weight * value / scale,
                    None if cell.count > 0 => {
                        weight * cell.sum / (scale * Decimal::from(cell.count))
                    }
                    None => return Err(EmptyCell { offer: o, leaf }),
                };
            }
        }
        Ok(table)
    }

    /// Completes a [`Engine::leaf_points`] table for the offers of `set`: price points by each
    /// price criterion's formula with N = weight and Pmin/Pmax taken over `set` only, then each
    /// node with sub-criteria gets the sum of its children.
    pub(crate) fn complete(
        &self,
        mut table: PointsTable,
        set: &[usize],
        formulas: &[PriceFormula],
    ) -> PointsTable {
        let nodes = &self.criteria.nodes;
        let n = nodes.len();
        let range = PriceRange::of(set.iter().map(|&o| self.case.offers[o].price));
        for &o in set {
            let row = o * n;
            if let Some(range) = range {
                let price = self.case.offers[o].price;
                for (k, &node) in self.criteria.prices.iter().enumerate() {
                    table.values[row + node] = formulas[k].points(nodes[node].weight, price, range);
                }
            }
            // Pre-order: children come after their parent, so a reverse walk adds each finished
            // node into its parent.
            for i in (0..n).rev() {
                if let Some(parent) = nodes[i].parent {
                    let v = table.values[row + i];
                    table.values[row + parent] += v;
                }
            }
        }
        table
    }

    /// Total of each offer of `set`: Σ root points × the root's factor (1 unless the robustness
    /// panel shifts the weights).
    pub(crate) fn totals(
        &self,
        table: &PointsTable,
        set: &[usize],
        root_factors: Option<&[Decimal]>,
    ) -> Vec<(usize, Decimal)> {
        set.iter()
            .map(|&o| {
                let total = self
                    .criteria
                    .roots
                    .iter()
                    .enumerate()
                    .map(|(k, &r)| {
                        let p = table.get(o, r);
                        root_factors.map_or(p, |f| p * f[k])
                    })
                    .sum();
                (o, total)
            })
            .collect()
    }
}

/// An evaluated leaf without any note nor consensus for an admissible offer cannot be scored
/// (each evaluator's missing note is tolerated: the mean is over the evaluators who noted it).
fn missing_notes_errors(
    criteria: &CriteriaIndex<'_>,
    notes: &NoteIndex<'_>,
    cells: &[Cell],
    admissible: &[usize],
) -> Vec<ScoringError> {
    let leaves = criteria.leaves.len();
    let mut errors = Vec::new();
    for (leaf, &node) in criteria.leaves.iter().enumerate() {
        let offers: Vec<String> = admissible
            .iter()
            .filter(|&&o| cells[o * leaves + leaf].count == 0 && notes.consensus(o, leaf).is_none())
            .map(|&o| notes.offer_id(o).to_owned())
            .collect();
        if !offers.is_empty() {
            errors.push(ScoringError::MissingNotes {
                criterion: criteria.nodes[node].id.to_owned(),
                label: criteria.nodes[node].label.to_owned(),
                offers,
            });
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::test_cases::{reversal_case, three_offers};

    #[test]
    fn points_without_an_evaluator_with_root_factors_and_empty_cells() {
        let case = three_offers();
        let engine = Engine::prepare(&case).expect("valid");
        let without_e2 = engine.notes.aggregate(Some(1));
        let table = engine
            .points(&without_e2, &engine.admissible, &engine.formulas())
            .expect("every cell noted by e1");
        let (prix, tech) = (engine.criteria.by_id["prix"], engine.criteria.by_id["tech"]);
        // A with e1 only: fonct 16 → 32, deploi 15 → 15.
        assert_eq!(table.get(0, tech), dec!(47));
        assert_eq!(table.get(0, prix), dec!(32));
        // Root factors: prix × 1.125, tech × 55/60 → A = 36 + 43.0833…
        let factors = [dec!(1.125), dec!(55) / dec!(60)];
        let totals = engine.totals(&table, &[0], Some(&factors));
        assert_eq!(totals[0].1.round_dp(4), dec!(79.0833));

        let lone = reversal_case(PriceFormula::Proportional, &[("A", dec!(100), dec!(55))]);
        let engine = Engine::prepare(&lone).expect("valid");
        let empty = engine.notes.aggregate(Some(0));
        let err = engine
            .points(&empty, &engine.admissible, &engine.formulas())
            .expect_err("no note left");
        assert_eq!(err, EmptyCell { offer: 0, leaf: 0 });
        assert!(
            engine
                .empty_cell_error(err)
                .to_string()
                .contains("« tech »")
        );
    }
}
