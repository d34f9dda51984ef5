//! Robustness panel: would the offer ranked first change under reasonable variations of the
//! scoring method? (anchors §3 item 7, DOMAIN §4.6 "show sensitivity".)
//!
//! Scenarios, each a full re-ranking of the admissible offers:
//! - (a) each price criterion under each other price formula;
//! - (b) each root criterion's weight moved by ±5 points. The other root criteria are multiplied
//!   by the same factor (100 − new weight) / (100 − old weight), so that the total stays 100 and
//!   their relative proportions are kept; sub-criteria follow their root in the same proportion
//!   (points are linear in the weight, so a root's points are multiplied by its factor). A move
//!   that would bring a weight to 0 or below, or the others to 0, is skipped;
//! - (c) without each evaluator: means recomputed over the remaining evaluators, consensus notes
//!   kept (they are collective decisions);
//! - (d) without each admissible offer other than the first: Pmin/Pmax and the price points of
//!   the others are recomputed. This exposes rank reversal (dependence on irrelevant
//!   alternatives): removing an offer — an OAB rejected late, an irregular offer — can change
//!   which of two other offers comes first (DOMAIN §4.6).

use rust_decimal::Decimal;
use rust_decimal::dec;
use serde::{Deserialize, Serialize};

use crate::scoring::criteria::TOTAL_POINTS;
use crate::scoring::engine::{EmptyCell, Engine, PointsTable};
use crate::scoring::error::ScoringError;
use crate::scoring::fmt::fr_points;
use crate::scoring::formulas::PriceFormula;
use crate::scoring::model::ScoringCase;
use crate::scoring::ranking::{first_ranked, rank};

/// Weight moved up and down in scenario (b).
pub const WEIGHT_SHIFT: Decimal = dec!(5);

/// Family of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    /// (a) another price formula.
    PriceFormula,
    /// (b) a root weight moved by ±5 points.
    WeightShift,
    /// (c) one evaluator's notes left out.
    WithoutEvaluator,
    /// (d) one offer left out.
    WithoutOffer,
}

/// An offer's total and rank in a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioTotal {
    /// Offer identifier.
    pub offer: String,
    /// Rank in the scenario (ties share a rank).
    pub rank: u32,
    /// Exact total.
    pub total: Decimal,
}

/// One variation of the scoring and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobustnessScenario {
    /// Family of the scenario.
    pub kind: ScenarioKind,
    /// What is varied, in French.
    pub description: String,
    /// The offer ranked first, when it is alone in first place.
    pub winner: Option<String>,
    /// Every offer ranked first (several on a tie).
    pub ex_aequo: Vec<String>,
    /// The offers ranked first differ from the baseline.
    pub changed: bool,
    /// False when the scenario cannot be computed (an offer left without any note).
    pub computable: bool,
    /// Outcome, in French.
    pub conclusion: String,
    /// Totals in rank order.
    pub totals: Vec<ScenarioTotal>,
}

/// Outcome of [`robustness`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobustnessReport {
    /// The offer ranked first with the case as it is, when alone.
    pub baseline_winner: Option<String>,
    /// Every offer ranked first with the case as it is.
    pub baseline_ex_aequo: Vec<String>,
    /// Baseline totals in rank order.
    pub baseline: Vec<ScenarioTotal>,
    /// The scenarios, in the order (a), (b), (c), (d).
    pub scenarios: Vec<RobustnessScenario>,
    /// No computable scenario changes the offer ranked first.
    pub stable: bool,
}

type Ranked = Vec<(usize, u32, Decimal)>;

/// Runs the robustness panel on `case`.
///
/// # Errors
/// Same as [`crate::scoring::validate`].
pub fn robustness(case: &ScoringCase) -> Result<RobustnessReport, Vec<ScoringError>> {
    let engine = Engine::prepare(case)?;
    let formulas = engine.formulas();
    let set = &engine.admissible;
    // Evaluated points do not depend on the set of offers nor on the formulas: computed once.
    let leaves = engine
        .leaf_points(&engine.cells)
        .map_err(|e| vec![engine.empty_cell_error(e)])?;
    let run = |leaves: &PointsTable,
               set: &[usize],
               formulas: &[PriceFormula],
               factors: Option<&[Decimal]>|
     -> Ranked {
        let table = engine.complete(leaves.clone(), set, formulas);
        rank(&engine, engine.totals(&table, set, factors))
    };
    let baseline = run(&leaves, set, &formulas, None);
    let panel = Panel {
        engine: &engine,
        base_first: first_ranked(&baseline),
    };
    let mut scenarios = Vec::new();
    let c = &engine.criteria;

    // (a) other price formulas.
    for (k, &node) in c.prices.iter().enumerate() {
        for f in PriceFormula::ALL.into_iter().filter(|&f| f != formulas[k]) {
            let mut alt = formulas.clone();
            alt[k] = f;
            let description = format!(
                "Critère « {} » noté avec la formule {} au lieu de la formule {}.",
                c.nodes[node].label,
                f.label_fr(),
                formulas[k].label_fr()
            );
            let outcome = Ok(run(&leaves, set, &alt, None));
            scenarios.push(panel.scenario(ScenarioKind::PriceFormula, description, outcome));
        }
    }

    // (b) root weights ±5, the others rescaled proportionally.
    for (k, &node) in c.roots.iter().enumerate() {
        let w = c.nodes[node].weight;
        for delta in [WEIGHT_SHIFT, -WEIGHT_SHIFT] {
            let new_w = w + delta;
            // A lone criterion of 100 points has no other criterion to take the points from.
            if new_w <= Decimal::ZERO || new_w >= TOTAL_POINTS || w >= TOTAL_POINTS {
                continue;
            }
            let others = (TOTAL_POINTS - new_w) / (TOTAL_POINTS - w);
            let factors: Vec<Decimal> = (0..c.roots.len())
                .map(|j| if j == k { new_w / w } else { others })
                .collect();
            let rescaled: Vec<String> = c
                .roots
                .iter()
                .filter(|&&r| r != node)
                .map(|&r| {
                    let n = &c.nodes[r];
                    format!(
                        "« {} » {} → {}",
                        n.label,
                        fr_points(n.weight),
                        fr_points(n.weight * others)
                    )
                })
                .collect();
            let description = format!(
                "Pondération du critère « {} » portée de {} à {} points ; les autres critères \
                 principaux multipliés par ({} − {}) / ({} − {}) pour garder un total de 100 \
                 ({}), leurs sous-critères dans la même proportion.",
                c.nodes[node].label,
                fr_points(w),
                fr_points(new_w),
                TOTAL_POINTS,
                fr_points(new_w),
                TOTAL_POINTS,
                fr_points(w),
                rescaled.join(", ")
            );
            let outcome = Ok(run(&leaves, set, &formulas, Some(&factors)));
            scenarios.push(panel.scenario(ScenarioKind::WeightShift, description, outcome));
        }
    }

    // (c) without each evaluator.
    for (e, name) in engine.notes.evaluators.iter().enumerate() {
        let without = engine.notes.aggregate(Some(e));
        let description = format!(
            "Sans les notes de l'évaluateur « {name} » : moyennes recalculées sur les autres \
             évaluateurs, notes de consensus maintenues."
        );
        let outcome = engine
            .leaf_points(&without)
            .map(|l| run(&l, set, &formulas, None));
        scenarios.push(panel.scenario(ScenarioKind::WithoutEvaluator, description, outcome));
    }

    // (d) without each other offer.
    for &o in set.iter().filter(|o| !panel.base_first.contains(o)) {
        let rest: Vec<usize> = set.iter().copied().filter(|&x| x != o).collect();
        let offer = &case.offers[o];
        let description = format!(
            "Sans l'offre « {} » ({}) : prix minimum et maximum et points prix des autres offres \
             recalculés (effet d'une offre écartée, par exemple anormalement basse ou irrégulière).",
            offer.id, offer.bidder
        );
        let outcome = Ok(run(&leaves, &rest, &formulas, None));
        scenarios.push(panel.scenario(ScenarioKind::WithoutOffer, description, outcome));
    }

    let stable = scenarios.iter().all(|s| !s.changed);
    Ok(RobustnessReport {
        baseline_winner: panel.winner(&panel.base_first),
        baseline_ex_aequo: panel.ids(&panel.base_first),
        baseline: panel.totals(&baseline),
        scenarios,
        stable,
    })
}

struct Panel<'e, 'a> {
    engine: &'e Engine<'a>,
    base_first: Vec<usize>,
}

impl Panel<'_, '_> {
    fn ids(&self, offers: &[usize]) -> Vec<String> {
        offers
            .iter()
            .map(|&o| self.engine.case.offers[o].id.clone())
            .collect()
    }

    fn winner(&self, first: &[usize]) -> Option<String> {
        match first {
            [only] => Some(self.engine.case.offers[*only].id.clone()),
            _ => None,
        }
    }

    fn totals(&self, ranked: &Ranked) -> Vec<ScenarioTotal> {
        ranked
            .iter()
            .map(|&(o, rank, total)| ScenarioTotal {
                offer: self.engine.case.offers[o].id.clone(),
                rank,
                total,
            })
            .collect()
    }

    fn names(&self, first: &[usize]) -> String {
        let quoted: Vec<String> = self
            .ids(first)
            .iter()
            .map(|id| format!("« {id} »"))
            .collect();
        match quoted.len() {
            0 => "aucune offre".to_owned(),
            1 => quoted.join(""),
            _ => format!("{} à égalité", quoted.join(" et ")),
        }
    }

    fn scenario(
        &self,
        kind: ScenarioKind,
        description: String,
        outcome: Result<Ranked, EmptyCell>,
    ) -> RobustnessScenario {
        match outcome {
            Ok(ranked) => {
                let first = first_ranked(&ranked);
                let changed = first != self.base_first;
                let conclusion = if changed {
                    format!(
                        "Le classement change en tête : {} au lieu de {}.",
                        self.names(&first),
                        self.names(&self.base_first)
                    )
                } else {
                    format!("Classement en tête inchangé : {}.", self.names(&first))
                };
                RobustnessScenario {
                    kind,
                    description,
                    winner: self.winner(&first),
                    ex_aequo: self.ids(&first),
                    changed,
                    computable: true,
                    conclusion,
                    totals: self.totals(&ranked),
                }
            }
            Err(e) => RobustnessScenario {
                kind,
                description,
                winner: None,
                ex_aequo: Vec::new(),
                changed: false,
                computable: false,
                conclusion: format!("Non calculable : {}", self.engine.empty_cell_error(e)),
                totals: Vec::new(),
            },
        }
    }
}
