//! Reports on the evaluators' notes: divergences between evaluators and missing notes.
//! Flags for the analysis team (anchors §3 item 6), they never change the scores.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::scoring::criteria::CriteriaIndex;
use crate::scoring::fmt::{fr_number, fr_percent};
use crate::scoring::notes::{Cell, NoteIndex};

/// Evaluators disagree on an (offer, criterion): max − min exceeds the configured share of the
/// scale. A flag for the analysis team (confront the appraisals, justify the note kept), never a
/// change of the scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Divergence {
    /// Offer concerned.
    pub offer: String,
    /// Evaluated leaf criterion concerned.
    pub criterion: String,
    /// Its label.
    pub criterion_label: String,
    /// Lowest individual note.
    pub min: Decimal,
    /// Highest individual note.
    pub max: Decimal,
    /// Scale of the criterion.
    pub scale: Decimal,
    /// Spread above which a divergence is flagged (ratio × scale).
    pub threshold: Decimal,
    /// A consensus note replaces the mean for this (offer, criterion).
    pub resolved_by_consensus: bool,
}

impl Divergence {
    /// French explanation (built on demand: a large case may have many divergences).
    #[must_use]
    pub fn message(&self) -> String {
        format!(
            "Notes divergentes pour l'offre « {} » sur le critère « {} » : de {} à {} (écart {}, \
             au-delà du seuil de {} soit {} du barème de {}). {}",
            self.offer,
            self.criterion_label,
            fr_number(self.min),
            fr_number(self.max),
            fr_number(self.max - self.min),
            fr_number(self.threshold),
            fr_percent(self.threshold / self.scale),
            fr_number(self.scale),
            if self.resolved_by_consensus {
                "Une note de consensus motivée a été retenue."
            } else {
                "Confronter les appréciations et motiver la note retenue."
            }
        )
    }
}

/// Evaluators who noted a criterion for some admissible offers but not for this one (the mean
/// is then taken over those who noted it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingNotes {
    /// Offer concerned.
    pub offer: String,
    /// Evaluated leaf criterion concerned.
    pub criterion: String,
    /// Evaluators whose note is missing.
    pub evaluators: Vec<String>,
}

/// Divergences among the admissible offers, in (offer input order, criterion order).
pub(crate) fn divergences(
    criteria: &CriteriaIndex<'_>,
    notes: &NoteIndex<'_>,
    cells: &[Cell],
    admissible: &[usize],
    ratio: Decimal,
) -> Vec<Divergence> {
    let leaves = criteria.leaves.len();
    let mut out = Vec::new();
    for &o in admissible {
        for (leaf, &node) in criteria.leaves.iter().enumerate() {
            let cell = &cells[o * leaves + leaf];
            let node = &criteria.nodes[node];
            let threshold = ratio * node.scale;
            if cell.count < 2 || cell.max - cell.min <= threshold {
                continue;
            }
            out.push(Divergence {
                offer: notes.offer_id(o).to_owned(),
                criterion: node.id.to_owned(),
                criterion_label: node.label.to_owned(),
                min: cell.min,
                max: cell.max,
                scale: node.scale,
                threshold,
                resolved_by_consensus: notes.consensus(o, leaf).is_some(),
            });
        }
    }
    out
}

/// Missing individual notes of the admissible offers. The evaluators expected on a criterion are
/// those who noted it for at least one admissible offer. Cells with a consensus are skipped.
pub(crate) fn missing_notes(
    criteria: &CriteriaIndex<'_>,
    notes: &NoteIndex<'_>,
    cells: &[Cell],
    admissible: &[usize],
) -> Vec<MissingNotes> {
    let leaves = criteria.leaves.len();
    let mut expected: Vec<Vec<usize>> = vec![Vec::new(); leaves];
    let mut is_admissible = vec![false; notes.offer_ids.len()];
    for &o in admissible {
        is_admissible[o] = true;
    }
    let evaluators = notes.evaluators.len();
    let mut seen = vec![false; leaves * evaluators];
    for n in &notes.notes {
        let slot = &mut seen[n.leaf * evaluators + n.evaluator];
        if is_admissible[n.offer] && !*slot {
            *slot = true;
            expected[n.leaf].push(n.evaluator);
        }
    }
    let mut out = Vec::new();
    for &o in admissible {
        for (leaf, &node) in criteria.leaves.iter().enumerate() {
            let count = cells[o * leaves + leaf].count as usize;
            if count == expected[leaf].len() || notes.consensus(o, leaf).is_some() {
                continue;
            }
            let evaluators = expected[leaf]
                .iter()
                .filter(|&&e| !notes.noted.contains(e, o, leaf))
                .map(|&e| notes.evaluators[e].to_owned())
                .collect();
            out.push(MissingNotes {
                offer: notes.offer_id(o).to_owned(),
                criterion: criteria.nodes[node].id.to_owned(),
                evaluators,
            });
        }
    }
    out
}
