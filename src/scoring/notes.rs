//! Evaluators' notes: validation and aggregation per (offer, criterion).
//!
//! Notes are validated once and stored with integer indexes; aggregating them is one pass over
//! the notes into a flat `offers × leaves` table of cells (sum, count, min, max).

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use crate::scoring::criteria::{CriteriaIndex, MAX_SCALE, NodeRole};
use crate::scoring::error::{ScoringError, consensus_source, note_source};
use crate::scoring::model::ScoringCase;

/// Aggregate of the individual notes of one (offer, leaf criterion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cell {
    pub sum: Decimal,
    pub count: u32,
    pub min: Decimal,
    pub max: Decimal,
}

const EMPTY: Cell = Cell {
    sum: Decimal::ZERO,
    count: 0,
    min: Decimal::MAX,
    max: Decimal::MIN,
};

#[derive(Debug, Clone, Copy)]
pub(crate) struct CompactNote {
    pub evaluator: usize,
    pub offer: usize,
    pub leaf: usize,
    pub value: Decimal,
}

/// The valid notes and consensus notes of a case, by index.
#[derive(Debug)]
pub(crate) struct NoteIndex<'a> {
    pub offer_ids: Vec<&'a str>,
    /// Evaluator identifiers, by evaluator index (order of first appearance).
    pub evaluators: Vec<&'a str>,
    pub notes: Vec<CompactNote>,
    /// `consensus[offer * leaves + leaf]`.
    consensus: Vec<Option<Decimal>>,
    /// (evaluator, offer, leaf) triples that have a note.
    pub noted: NotedSet,
    leaves: usize,
}

impl<'a> NoteIndex<'a> {
    /// Indexes the notes of `case`, pushing every invalid note into `errors` (unknown offer or
    /// criterion, note on a price or split criterion, outside the scale, duplicate; consensus
    /// without reason).
    pub(crate) fn build(
        case: &'a ScoringCase,
        criteria: &CriteriaIndex<'a>,
        offer_by_id: &HashMap<&'a str, usize>,
        errors: &mut Vec<ScoringError>,
    ) -> Self {
        let leaves = criteria.leaves.len();
        let mut resolver = Resolver {
            criteria,
            offer_by_id,
            last_criterion: None,
            last_offer: None,
        };
        let mut evaluators: Vec<&'a str> = Vec::new();
        let mut evaluator_by_id: HashMap<&str, usize> = HashMap::new();
        let mut last_evaluator: Option<(&str, usize)> = None;
        // (note index in the case, compact note)
        let mut located = Vec::with_capacity(case.notes.len());
        for (i, n) in case.notes.iter().enumerate() {
            if n.evaluator.trim().is_empty() {
                errors.push(ScoringError::EmptyId {
                    what: format!("évaluateur d'une note de l'offre « {} »", n.offer),
                });
            }
            let origin = || note_source(&n.evaluator, &n.offer);
            let Some((offer, leaf)) =
                resolver.locate(&n.offer, &n.criterion, n.value, origin, errors)
            else {
                continue;
            };
            let evaluator = match last_evaluator {
                Some((id, e)) if id == n.evaluator => e,
                _ => {
                    let next = evaluators.len();
                    let e = *evaluator_by_id.entry(n.evaluator.as_str()).or_insert(next);
                    if e == next {
                        evaluators.push(&n.evaluator);
                    }
                    last_evaluator = Some((&n.evaluator, e));
                    e
                }
            };
            located.push((
                i,
                CompactNote {
                    evaluator,
                    offer,
                    leaf,
                    value: n.value,
                },
            ));
        }
        let mut noted = NotedSet::new(evaluators.len(), case.offers.len(), leaves);
        let mut notes = Vec::with_capacity(located.len());
        for (i, c) in located {
            if noted.insert(c.evaluator, c.offer, c.leaf) {
                notes.push(c);
            } else {
                let n = &case.notes[i];
                errors.push(ScoringError::DuplicateNote {
                    evaluator: n.evaluator.clone(),
                    offer: n.offer.clone(),
                    criterion: n.criterion.clone(),
                });
            }
        }
        let mut consensus = vec![None; case.offers.len() * leaves];
        for c in &case.consensus {
            if c.reason.trim().is_empty() {
                errors.push(ScoringError::ConsensusWithoutReason {
                    offer: c.offer.clone(),
                    criterion: c.criterion.clone(),
                });
            }
            let origin = || consensus_source(&c.offer);
            let Some((offer, leaf)) =
                resolver.locate(&c.offer, &c.criterion, c.value, origin, errors)
            else {
                continue;
            };
            let slot = &mut consensus[offer * leaves + leaf];
            if slot.is_some() {
                errors.push(ScoringError::DuplicateConsensus {
                    offer: c.offer.clone(),
                    criterion: c.criterion.clone(),
                });
            } else {
                *slot = Some(c.value);
            }
        }
        NoteIndex {
            offer_ids: case.offers.iter().map(|o| o.id.as_str()).collect(),
            evaluators,
            notes,
            consensus,
            noted,
            leaves,
        }
    }

    /// Cells `offers × leaves`, optionally without one evaluator's notes.
    pub(crate) fn aggregate(&self, without_evaluator: Option<usize>) -> Vec<Cell> {
        let mut cells = vec![EMPTY; self.offer_ids.len() * self.leaves];
        for n in &self.notes {
            if Some(n.evaluator) == without_evaluator {
                continue;
            }
            let c = &mut cells[n.offer * self.leaves + n.leaf];
            c.sum += n.value;
            c.count += 1;
            c.min = c.min.min(n.value);
            c.max = c.max.max(n.value);
        }
        cells
    }

    /// The consensus note of (offer, leaf), if any.
    pub(crate) fn consensus(&self, offer: usize, leaf: usize) -> Option<Decimal> {
        self.consensus[offer * self.leaves + leaf]
    }

    /// Identifier of the offer at `offer`.
    pub(crate) fn offer_id(&self, offer: usize) -> &'a str {
        self.offer_ids[offer]
    }
}

/// Set of (evaluator, offer, leaf) triples: a bitset when the product is small enough (the
/// usual case, e.g. 10 × 200 × 12 bits), a hash set otherwise.
#[derive(Debug)]
pub(crate) enum NotedSet {
    Bits {
        bits: Vec<u64>,
        offers: usize,
        leaves: usize,
    },
    Hash(HashSet<(usize, usize, usize)>),
}

/// Largest bitset used by [`NotedSet`] (2 MiB).
const MAX_BITS: usize = 1 << 24;

impl NotedSet {
    fn new(evaluators: usize, offers: usize, leaves: usize) -> Self {
        match evaluators
            .checked_mul(offers)
            .and_then(|x| x.checked_mul(leaves))
        {
            Some(size) if size <= MAX_BITS => NotedSet::Bits {
                bits: vec![0; size.div_ceil(64)],
                offers,
                leaves,
            },
            _ => NotedSet::Hash(HashSet::new()),
        }
    }

    /// Adds a triple; false when it was already there.
    fn insert(&mut self, evaluator: usize, offer: usize, leaf: usize) -> bool {
        match self {
            NotedSet::Bits {
                bits,
                offers,
                leaves,
            } => {
                let at = (evaluator * *offers + offer) * *leaves + leaf;
                let (word, mask) = (at / 64, 1u64 << (at % 64));
                let fresh = bits[word] & mask == 0;
                bits[word] |= mask;
                fresh
            }
            NotedSet::Hash(set) => set.insert((evaluator, offer, leaf)),
        }
    }

    pub(crate) fn contains(&self, evaluator: usize, offer: usize, leaf: usize) -> bool {
        match self {
            NotedSet::Bits {
                bits,
                offers,
                leaves,
            } => {
                let at = (evaluator * *offers + offer) * *leaves + leaf;
                bits[at / 64] & (1u64 << (at % 64)) != 0
            }
            NotedSet::Hash(set) => set.contains(&(evaluator, offer, leaf)),
        }
    }
}

/// Resolves offer and criterion identifiers, remembering the last ones (notes usually come
/// grouped by offer or criterion, which saves most hash lookups).
struct Resolver<'c, 'a> {
    criteria: &'c CriteriaIndex<'a>,
    offer_by_id: &'c HashMap<&'a str, usize>,
    last_criterion: Option<(&'c str, usize)>,
    last_offer: Option<(&'c str, usize)>,
}

impl<'c> Resolver<'c, '_> {
    /// The offer and leaf of a note, checking the note lies in `[0, scale]`.
    fn locate(
        &mut self,
        offer_id: &'c str,
        criterion_id: &'c str,
        value: Decimal,
        origin: impl Fn() -> String,
        errors: &mut Vec<ScoringError>,
    ) -> Option<(usize, usize)> {
        let node = match self.last_criterion {
            Some((id, node)) if id == criterion_id => node,
            _ => {
                let Some(&node) = self.criteria.by_id.get(criterion_id) else {
                    errors.push(ScoringError::UnknownCriterion {
                        origin: origin(),
                        criterion: criterion_id.to_owned(),
                    });
                    return None;
                };
                self.last_criterion = Some((criterion_id, node));
                node
            }
        };
        let node = &self.criteria.nodes[node];
        let leaf = match node.role {
            NodeRole::Leaf { leaf } => leaf,
            NodeRole::Price(_) => {
                errors.push(ScoringError::NoteOnPriceCriterion {
                    origin: origin(),
                    criterion: criterion_id.to_owned(),
                });
                return None;
            }
            NodeRole::Group => {
                errors.push(ScoringError::NoteOnParentCriterion {
                    origin: origin(),
                    criterion: criterion_id.to_owned(),
                });
                return None;
            }
        };
        let offer = match self.last_offer {
            Some((id, offer)) if id == offer_id => offer,
            _ => {
                let Some(&offer) = self.offer_by_id.get(offer_id) else {
                    errors.push(ScoringError::UnknownOffer {
                        origin: origin(),
                        offer: offer_id.to_owned(),
                    });
                    return None;
                };
                self.last_offer = Some((offer_id, offer));
                offer
            }
        };
        // An invalid scale is reported on the criterion; only negative notes are then flagged.
        let scale_valid = node.scale > Decimal::ZERO && node.scale <= MAX_SCALE;
        if value < Decimal::ZERO || (scale_valid && value > node.scale) {
            errors.push(ScoringError::NoteOutOfScale {
                origin: origin(),
                criterion: criterion_id.to_owned(),
                note: value,
                scale: node.scale,
            });
            return None;
        }
        Some((offer, leaf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noted_set_uses_bits_when_small_and_a_hash_set_when_huge() {
        for mut set in [NotedSet::new(3, 5, 7), NotedSet::new(1 << 20, 1 << 20, 2)] {
            assert!(set.insert(2, 4, 6));
            assert!(set.insert(0, 0, 0));
            assert!(!set.insert(2, 4, 6));
            assert!(set.contains(2, 4, 6));
            assert!(!set.contains(2, 4, 5));
            assert!(!set.contains(1, 4, 6));
        }
        assert!(matches!(NotedSet::new(3, 5, 7), NotedSet::Bits { .. }));
        assert!(matches!(
            NotedSet::new(1 << 20, 1 << 20, 2),
            NotedSet::Hash(_)
        ));
    }
}
