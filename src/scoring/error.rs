//! Errors of the scoring engine. Every message is French and names the field or value at fault,
//! because it is shown as-is to the coordonnateur (web form or `coordo score`).

use rust_decimal::Decimal;
use thiserror::Error;

/// Why a scoring case cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScoringError {
    /// The `coordo score` input is not valid JSON or does not have the expected shape.
    #[error("Le dossier de notation (JSON) est invalide : {0}")]
    Json(String),

    /// A criterion definition is inconsistent (e.g. a price criterion without formula).
    #[error("Le critère « {criterion} » est mal défini : {reason}")]
    MalformedCriterion { criterion: String, reason: String },

    /// An identifier is empty.
    #[error("Un identifiant est vide ({what}).")]
    EmptyId { what: String },

    /// Two criteria (at any level) share an identifier.
    #[error("L'identifiant de critère « {0} » est utilisé plusieurs fois.")]
    DuplicateCriterion(String),

    /// Two offers share an identifier.
    #[error("L'identifiant d'offre « {0} » est utilisé plusieurs fois.")]
    DuplicateOffer(String),

    /// Root weights must sum to 100 points (R2152-12: weighting in formalized procedures).
    #[error(
        "La somme des pondérations des critères principaux vaut {sum} points au lieu de 100 points."
    )]
    RootWeightsSum { sum: Decimal },

    /// Sub-criteria weights must sum to their parent's weight.
    #[error(
        "Les sous-critères du critère « {parent} » totalisent {sum} points alors que ce critère est pondéré à {parent_weight} points."
    )]
    SubWeightsSum {
        parent: String,
        parent_weight: Decimal,
        sum: Decimal,
    },

    /// A weight is zero or negative.
    #[error(
        "La pondération du critère « {criterion} » doit être strictement positive (reçu {weight})."
    )]
    NonPositiveWeight { criterion: String, weight: Decimal },

    /// A scale (barème) is zero, negative or absurdly large.
    #[error(
        "Le barème du critère « {criterion} » doit être strictement positif et au plus {max} (reçu {scale})."
    )]
    InvalidScale {
        criterion: String,
        scale: Decimal,
        max: Decimal,
    },

    /// A price is zero, negative or absurdly large.
    #[error(
        "Le prix de l'offre « {offer} » doit être strictement positif et au plus {max} € (reçu {price})."
    )]
    InvalidPrice {
        offer: String,
        price: Decimal,
        max: Decimal,
    },

    /// A note (or consensus note) refers to a criterion that does not exist.
    #[error("La note {origin} porte sur un critère inconnu « {criterion} ».")]
    UnknownCriterion { origin: String, criterion: String },

    /// A note (or consensus note) refers to an offer that does not exist.
    #[error("La note {origin} porte sur une offre inconnue « {offer} ».")]
    UnknownOffer { origin: String, offer: String },

    /// Notes are given on evaluated leaf criteria only, never on a price criterion.
    #[error(
        "La note {origin} porte sur le critère prix « {criterion} », qui est calculé par formule."
    )]
    NoteOnPriceCriterion { origin: String, criterion: String },

    /// A criterion split into sub-criteria is the sum of its sub-criteria: it takes no note.
    #[error(
        "La note {origin} porte sur le critère « {criterion} », décomposé en sous-critères : noter ses sous-critères."
    )]
    NoteOnParentCriterion { origin: String, criterion: String },

    /// A note outside `[0, scale]`.
    #[error("La note {note} {origin} sur le critère « {criterion} » sort du barème [0, {scale}].")]
    NoteOutOfScale {
        origin: String,
        criterion: String,
        note: Decimal,
        scale: Decimal,
    },

    /// The same evaluator noted the same offer on the same criterion twice.
    #[error(
        "L'évaluateur « {evaluator} » a noté deux fois l'offre « {offer} » sur le critère « {criterion} »."
    )]
    DuplicateNote {
        evaluator: String,
        offer: String,
        criterion: String,
    },

    /// Two consensus notes for the same offer and criterion.
    #[error(
        "Deux notes de consensus portent sur l'offre « {offer} » et le critère « {criterion} »."
    )]
    DuplicateConsensus { offer: String, criterion: String },

    /// A consensus note replaces the evaluators' mean: its reason must be written down.
    #[error(
        "La note de consensus sur l'offre « {offer} » et le critère « {criterion} » doit être motivée (motif vide)."
    )]
    ConsensusWithoutReason { offer: String, criterion: String },

    /// An evaluated criterion has neither note nor consensus for some admissible offers.
    #[error(
        "Le critère « {criterion} » ({label}) n'a aucune note pour l'offre admissible ou les offres admissibles : {offers}."
    , offers = .offers.join(", "))]
    MissingNotes {
        criterion: String,
        label: String,
        offers: Vec<String>,
    },

    /// A price criterion needs at least one admissible offer to compute Pmin.
    #[error(
        "Le critère prix « {criterion} » ne peut pas être calculé : aucune offre n'est admissible."
    )]
    NoAdmissibleOfferForPrice { criterion: String },

    /// The divergence ratio must lie in `]0, 1]`.
    #[error(
        "Le seuil de divergence doit être une fraction du barème comprise entre 0 (exclu) et 1 (reçu {0})."
    )]
    InvalidDivergenceRatio(Decimal),

    /// A parameter of an OAB detection method is out of range.
    #[error(
        "Le paramètre « {name} » de la méthode de détection des offres anormalement basses est invalide (reçu {value}) : {expected}."
    )]
    InvalidOabParameter {
        name: String,
        value: Decimal,
        expected: String,
    },

    /// Several errors at once (returned by `score_case_json` when validation finds more than one).
    #[error("{} erreurs dans le dossier de notation : {}", .0.len(), join_errors(.0))]
    Several(Vec<ScoringError>),
}

fn join_errors(errors: &[ScoringError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ; ")
}

impl ScoringError {
    /// Collapses a list of errors into one: the error itself when alone, `Several` otherwise.
    #[must_use]
    pub fn from_list(mut errors: Vec<ScoringError>) -> ScoringError {
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            ScoringError::Several(errors)
        }
    }
}

/// Describes who gave a note, for error messages: `de l'évaluateur « e1 » pour l'offre « A »`.
pub(crate) fn note_source(evaluator: &str, offer: &str) -> String {
    format!("de l'évaluateur « {evaluator} » pour l'offre « {offer} »")
}

/// Describes a consensus note, for error messages.
pub(crate) fn consensus_source(offer: &str) -> String {
    format!("de consensus pour l'offre « {offer} »")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn messages_name_the_fault() {
        let e = ScoringError::SubWeightsSum {
            parent: "tech".into(),
            parent_weight: dec!(60),
            sum: dec!(50),
        };
        assert_eq!(
            e.to_string(),
            "Les sous-critères du critère « tech » totalisent 50 points alors que ce critère est pondéré à 60 points."
        );
        let e = ScoringError::NoteOutOfScale {
            origin: note_source("e1", "A"),
            criterion: "fonct".into(),
            note: dec!(21),
            scale: dec!(20),
        };
        assert_eq!(
            e.to_string(),
            "La note 21 de l'évaluateur « e1 » pour l'offre « A » sur le critère « fonct » sort du barème [0, 20]."
        );
    }

    #[test]
    fn from_list_keeps_a_single_error_and_joins_several() {
        let one = ScoringError::DuplicateOffer("A".into());
        assert_eq!(ScoringError::from_list(vec![one.clone()]), one);
        let several =
            ScoringError::from_list(vec![one, ScoringError::DuplicateCriterion("prix".into())]);
        assert_eq!(
            several.to_string(),
            "2 erreurs dans le dossier de notation : L'identifiant d'offre « A » est utilisé plusieurs fois. ; L'identifiant de critère « prix » est utilisé plusieurs fois."
        );
    }
}
