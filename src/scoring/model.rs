//! Offers, statuses, evaluators' notes and the scoring case that gathers them.
//!
//! These are plain data types: the web app loads them from the database and passes them to the
//! pure functions of [`crate::scoring`].

use rust_decimal::Decimal;
use rust_decimal::dec;
use serde::{Deserialize, Serialize};

use crate::scoring::criteria::Criterion;

/// An offer received in the consultation (one lot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// Identifier, unique in the case.
    pub id: String,
    /// Name of the tenderer (soumissionnaire).
    pub bidder: String,
    /// Price compared by the price formulas (amount HT, in euros).
    pub price: Decimal,
    /// Outcome of the examination of the offer; only `admissible` offers are scored.
    pub status: OfferStatus,
}

/// Outcome of the examination of an offer (or of the candidature behind it).
///
/// Only [`OfferStatus::Admissible`] offers are scored and ranked: the others are eliminated
/// before the award criteria are applied (L2152-1, R2152-1; only regular, acceptable,
/// appropriate, non-OAB offers are ranked, DOMAIN §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    /// Regular, acceptable, appropriate and not abnormally low: scored and ranked.
    Admissible,
    /// Does not meet the consultation documents or breaches the law (L2152-2).
    Irreguliere,
    /// Price above the budget set before the launch (L2152-3).
    Inacceptable,
    /// Unrelated to the need (L2152-4).
    Inappropriee,
    /// Received after the deadline fixed in the consultation documents (the pli is not opened;
    /// article to be confirmed, DOMAIN §4.2).
    HorsDelai,
    /// Candidature declared irrecevable: exclusion ground, capacity not met, false documents or
    /// evidence not produced in time (R2144-7).
    Irrecevable,
    /// Rejected as abnormally low after the contradictory procedure (L2152-6, R2152-4).
    OabRejetee,
}

impl OfferStatus {
    /// Whether the offer takes part in the price formulas and the ranking.
    #[must_use]
    pub fn is_admissible(self) -> bool {
        self == OfferStatus::Admissible
    }

    /// French label, for pages and reports.
    #[must_use]
    pub fn label_fr(self) -> &'static str {
        match self {
            OfferStatus::Admissible => "admissible",
            OfferStatus::Irreguliere => "irrégulière",
            OfferStatus::Inacceptable => "inacceptable",
            OfferStatus::Inappropriee => "inappropriée",
            OfferStatus::HorsDelai => "hors délai",
            OfferStatus::Irrecevable => "candidature irrecevable",
            OfferStatus::OabRejetee => "rejetée comme anormalement basse",
        }
    }
}

/// One evaluator's note of one offer on one evaluated leaf criterion (no sub-criteria), on the
/// criterion's scale (the root criterion's `scale`, inherited by its sub-criteria).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Identifier of the evaluator (member of the analysis team).
    pub evaluator: String,
    /// Offer noted.
    pub offer: String,
    /// Evaluated leaf criterion noted.
    pub criterion: String,
    /// The note, in `[0, scale]`.
    #[serde(rename = "note")]
    pub value: Decimal,
}

/// A note agreed by the evaluators for an (offer, criterion): it replaces the mean of the
/// individual notes. The written reason is mandatory because the scoring method must be
/// explainable to the rejected tenderers (R2181-3, R2184-2) and to the judge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsensusNote {
    /// Offer noted.
    pub offer: String,
    /// Evaluated leaf criterion noted.
    pub criterion: String,
    /// The agreed note, in `[0, scale]`.
    #[serde(rename = "note")]
    pub value: Decimal,
    /// Why the consensus departs from (or replaces) the mean.
    pub reason: String,
}

/// Default divergence threshold: a spread above 25 % of the scale is flagged.
pub const DEFAULT_DIVERGENCE_RATIO: Decimal = dec!(0.25);

fn default_divergence_ratio() -> Decimal {
    DEFAULT_DIVERGENCE_RATIO
}

/// Everything needed to score one lot: the criteria tree, the offers and the notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringCase {
    /// Root criteria; their weights sum to 100 points.
    pub criteria: Vec<Criterion>,
    /// All offers received, whatever their status.
    pub offers: Vec<Offer>,
    /// Individual notes of the evaluators.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// Consensus notes replacing the mean for some (offer, criterion).
    #[serde(default)]
    pub consensus: Vec<ConsensusNote>,
    /// Divergence threshold as a fraction of the scale (default 0.25).
    #[serde(default = "default_divergence_ratio")]
    pub divergence_ratio: Decimal,
}

impl ScoringCase {
    /// A case with the default divergence threshold and no consensus note.
    #[must_use]
    pub fn new(criteria: Vec<Criterion>, offers: Vec<Offer>, notes: Vec<Note>) -> Self {
        ScoringCase {
            criteria,
            offers,
            notes,
            consensus: Vec::new(),
            divergence_ratio: DEFAULT_DIVERGENCE_RATIO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_serialize_snake_case_and_only_admissible_is_scored() {
        let all = [
            (OfferStatus::Admissible, "\"admissible\""),
            (OfferStatus::Irreguliere, "\"irreguliere\""),
            (OfferStatus::Inacceptable, "\"inacceptable\""),
            (OfferStatus::Inappropriee, "\"inappropriee\""),
            (OfferStatus::HorsDelai, "\"hors_delai\""),
            (OfferStatus::Irrecevable, "\"irrecevable\""),
            (OfferStatus::OabRejetee, "\"oab_rejetee\""),
        ];
        for (status, json) in all {
            assert_eq!(serde_json::to_string(&status).expect("serialize"), json);
            let back: OfferStatus = serde_json::from_str(json).expect("deserialize");
            assert_eq!(back, status);
            assert_eq!(status.is_admissible(), status == OfferStatus::Admissible);
        }
    }

    #[test]
    fn note_serializes_its_value_as_note() {
        let n = Note {
            evaluator: "e1".into(),
            offer: "A".into(),
            criterion: "fonct".into(),
            value: dec!(16),
        };
        assert_eq!(
            serde_json::to_value(&n).expect("serialize"),
            serde_json::json!({"evaluator": "e1", "offer": "A", "criterion": "fonct", "note": "16"})
        );
    }
}
