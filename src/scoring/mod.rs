//! Pure scoring engine of the offers of a lot: weighted criteria tree, price formulas,
//! evaluators' notes, ranking, OAB flags and robustness panel. No I/O; the web app stores
//! criteria, offers and notes and calls these functions.
//!
//! Rules implemented (DOMAIN §4.3–§4.6):
//! - award to the offre économiquement la plus avantageuse on weighted criteria (L2152-7,
//!   R2152-7, R2152-11, R2152-12); weights in points, roots summing to 100, sub-criteria to
//!   their parent;
//! - only admissible offers are scored; the price formulas use the admissible offers only
//!   (L2152-1 to L2152-4, R2152-1);
//! - evaluated points = weight × mean of the evaluators' notes / scale, or a motivated
//!   consensus note; price points by formula with N = weight;
//! - exact Decimal arithmetic, ranking on exact totals, display rounded half away from zero to
//!   2 decimals; ties share a rank (1, 1, 3);
//! - OAB heuristics only flag (L2152-6, R2152-3, R2152-4);
//! - an environmental criterion is required from 21 Aug 2026 (L2152-7).
//!
//! Entry points: [`validate`], [`score`], [`robustness`], [`detect_oab`],
//! [`check_environmental`], [`score_case_json`].

mod case_json;
mod criteria;
mod divergence;
mod engine;
mod error;
mod fmt;
mod formulas;
mod model;
mod notes;
mod oab;
mod ranking;
mod robustness;

/// Reference cases (DOMAIN.md §4.6 worked examples, the benchmark shape), shared by the unit
/// tests and `benches/`.
#[doc(hidden)]
pub mod test_cases;
#[cfg(test)]
mod tests_properties;
#[cfg(test)]
mod tests_robustness;
#[cfg(test)]
mod tests_score;

pub use case_json::{parse_case_json, result_to_json, score_case_json};
pub use criteria::{
    Criterion, CriterionKind, ENVIRONMENTAL_CRITERION_MANDATORY_FROM, EnvironmentalWarning,
    MAX_SCALE, SubCriterion, TOTAL_POINTS, check_environmental,
};
pub use divergence::{Divergence, MissingNotes};
pub use engine::MAX_PRICE;
pub use error::ScoringError;
pub use fmt::{format_points, round_points};
pub use formulas::{PriceFormula, PriceRange};
pub use model::{ConsensusNote, DEFAULT_DIVERGENCE_RATIO, Note, Offer, OfferStatus, ScoringCase};
pub use oab::{OabFlag, OabMethod, decimal_sqrt, detect_oab};
pub use ranking::{ExcludedOffer, RANKING_DECIMALS, RankedOffer, ScoringResult, score, validate};
pub use robustness::{
    RobustnessReport, RobustnessScenario, ScenarioKind, ScenarioTotal, WEIGHT_SHIFT, robustness,
};
