//! The tree of award criteria and sub-criteria, its weighting rules and the environmental check.
//!
//! Weights are points: root criteria sum to 100, the sub-criteria of a criterion sum to its
//! weight (weighting is mandatory in formalized procedures, R2152-12; disclosed sub-criteria
//! weighting, CE 18 juin 2010 n° 337377). A root criterion is either the price, computed by a
//! formula, or evaluated on a scale (e.g. 0–20) that its sub-criteria inherit.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::dec;
use serde::{Deserialize, Serialize};

use crate::scoring::error::ScoringError;
use crate::scoring::formulas::PriceFormula;

/// Total of the root weights.
pub const TOTAL_POINTS: Decimal = dec!(100);

/// Largest accepted scale (barème): keeps every product far from Decimal's limits.
pub const MAX_SCALE: Decimal = dec!(1000);

/// A root award criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Identifier, unique among all criteria and sub-criteria.
    pub id: String,
    /// French label shown to users.
    pub label: String,
    /// Weight in points.
    pub weight: Decimal,
    /// Price (formula) or evaluated (scale).
    #[serde(flatten)]
    pub kind: CriterionKind,
    /// Takes environmental characteristics into account (L2152-7).
    #[serde(default)]
    pub environmental: bool,
    /// Sub-criteria (evaluated criteria only); their weights sum to `weight`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_criteria: Vec<SubCriterion>,
}

/// How a root criterion is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CriterionKind {
    /// Computed from the prices of the admissible offers.
    Price {
        /// The formula giving the points.
        formula: PriceFormula,
    },
    /// Noted by evaluators on `[0, scale]`; sub-criteria use the same scale.
    Evaluated {
        /// Top of the scale (barème), e.g. 20.
        scale: Decimal,
    },
}

/// A sub-criterion of an evaluated criterion (it inherits the parent's scale).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubCriterion {
    /// Identifier, unique among all criteria and sub-criteria.
    pub id: String,
    /// French label shown to users.
    pub label: String,
    /// Weight in points; siblings sum to the parent's weight.
    pub weight: Decimal,
    /// Takes environmental characteristics into account (L2152-7).
    #[serde(default)]
    pub environmental: bool,
    /// Further sub-criteria, if the sub-criterion is itself split.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_criteria: Vec<SubCriterion>,
}

impl Criterion {
    /// A price criterion.
    #[must_use]
    pub fn price(id: &str, label: &str, weight: Decimal, formula: PriceFormula) -> Self {
        Criterion {
            id: id.to_owned(),
            label: label.to_owned(),
            weight,
            kind: CriterionKind::Price { formula },
            environmental: false,
            sub_criteria: Vec::new(),
        }
    }

    /// An evaluated criterion on `[0, scale]`.
    #[must_use]
    pub fn evaluated(id: &str, label: &str, weight: Decimal, scale: Decimal) -> Self {
        Criterion {
            id: id.to_owned(),
            label: label.to_owned(),
            weight,
            kind: CriterionKind::Evaluated { scale },
            environmental: false,
            sub_criteria: Vec::new(),
        }
    }

    /// The same criterion split into `sub_criteria`.
    #[must_use]
    pub fn with_sub_criteria(mut self, sub_criteria: Vec<SubCriterion>) -> Self {
        self.sub_criteria = sub_criteria;
        self
    }

    /// The same criterion flagged environmental.
    #[must_use]
    pub fn environmental(mut self) -> Self {
        self.environmental = true;
        self
    }
}

impl SubCriterion {
    /// A sub-criterion without further split.
    #[must_use]
    pub fn new(id: &str, label: &str, weight: Decimal) -> Self {
        SubCriterion {
            id: id.to_owned(),
            label: label.to_owned(),
            weight,
            environmental: false,
            sub_criteria: Vec::new(),
        }
    }

    /// The same sub-criterion flagged environmental.
    #[must_use]
    pub fn environmental(mut self) -> Self {
        self.environmental = true;
        self
    }
}

/// First launch date from which an environmental criterion is mandatory (L2152-7, date set by
/// décret n° 2022-767; DOMAIN Appendix A `env_criterion_mandatory_from`).
pub const ENVIRONMENTAL_CRITERION_MANDATORY_FROM: NaiveDate =
    match NaiveDate::from_ymd_opt(2026, 8, 21) {
        Some(d) => d,
        None => panic!("invalid constant date"),
    };

/// Warning raised when no criterion takes environmental characteristics into account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentalWarning {
    /// French message for the coordonnateur.
    pub message: String,
}

/// L2152-7: for consultations launched from 21 August 2026, at least one award criterion must
/// take environmental characteristics into account. A flagged sub-criterion counts (its root
/// criterion then takes them into account). Returns `None` when compliant or not yet required.
#[must_use]
pub fn check_environmental(
    criteria: &[Criterion],
    launch_date: NaiveDate,
) -> Option<EnvironmentalWarning> {
    fn sub_flagged(subs: &[SubCriterion]) -> bool {
        subs.iter()
            .any(|s| s.environmental || sub_flagged(&s.sub_criteria))
    }
    if launch_date < ENVIRONMENTAL_CRITERION_MANDATORY_FROM {
        return None;
    }
    let flagged = criteria
        .iter()
        .any(|c| c.environmental || sub_flagged(&c.sub_criteria));
    (!flagged).then(|| EnvironmentalWarning {
        message: format!(
            "Aucun critère ni sous-critère ne prend en compte les caractéristiques environnementales : \
             pour une consultation lancée le {} (à partir du 21/08/2026), au moins un critère \
             d'attribution doit le faire (article L2152-7 du code de la commande publique).",
            launch_date.format("%d/%m/%Y")
        ),
    })
}

/// Role of a node of the flattened tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeRole {
    /// A price criterion (always a leaf).
    Price(PriceFormula),
    /// An evaluated criterion without sub-criteria; `leaf` indexes the note matrix columns.
    Leaf { leaf: usize },
    /// An evaluated criterion split into sub-criteria: the sum of its children.
    Group,
}

/// One criterion or sub-criterion of the flattened tree.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub weight: Decimal,
    /// Scale of the evaluated tree it belongs to (zero for price criteria).
    pub scale: Decimal,
    pub parent: Option<usize>,
    /// Index of the root criterion of its tree.
    pub root: usize,
    pub role: NodeRole,
}

/// The criteria tree flattened in pre-order (a parent always comes before its children), with
/// an index by identifier, so that the engine never walks the tree or scans lists.
#[derive(Debug, Clone)]
pub(crate) struct CriteriaIndex<'a> {
    pub nodes: Vec<Node<'a>>,
    pub by_id: HashMap<&'a str, usize>,
    /// Node index of each evaluated leaf, by leaf number.
    pub leaves: Vec<usize>,
    /// Node index of each price criterion.
    pub prices: Vec<usize>,
    /// Node index of each root criterion.
    pub roots: Vec<usize>,
}

impl<'a> CriteriaIndex<'a> {
    /// Flattens `criteria`, pushing every weighting or identifier error into `errors`.
    pub(crate) fn build(criteria: &'a [Criterion], errors: &mut Vec<ScoringError>) -> Self {
        let mut index = CriteriaIndex {
            nodes: Vec::new(),
            by_id: HashMap::new(),
            leaves: Vec::new(),
            prices: Vec::new(),
            roots: Vec::new(),
        };
        let mut root_sum = Decimal::ZERO;
        for c in criteria {
            root_sum += c.weight;
            let at = index.nodes.len();
            index.roots.push(at);
            let (role, scale) = match c.kind {
                CriterionKind::Price { formula } => {
                    if !c.sub_criteria.is_empty() {
                        errors.push(ScoringError::MalformedCriterion {
                            criterion: c.id.clone(),
                            reason: "un critère prix ne peut pas avoir de sous-critères".into(),
                        });
                    }
                    index.prices.push(at);
                    (NodeRole::Price(formula), Decimal::ZERO)
                }
                CriterionKind::Evaluated { scale } => {
                    if scale <= Decimal::ZERO || scale > MAX_SCALE {
                        errors.push(ScoringError::InvalidScale {
                            criterion: c.id.clone(),
                            scale,
                            max: MAX_SCALE,
                        });
                    }
                    (NodeRole::Group, scale)
                }
            };
            let node = Node {
                id: &c.id,
                label: &c.label,
                weight: c.weight,
                scale,
                parent: None,
                root: at,
                role,
            };
            index.push(node, errors);
            if let NodeRole::Group = role {
                index.push_children(at, &c.sub_criteria, errors);
            }
        }
        if root_sum != TOTAL_POINTS {
            errors.push(ScoringError::RootWeightsSum { sum: root_sum });
        }
        index
    }

    fn push_children(
        &mut self,
        parent: usize,
        subs: &'a [SubCriterion],
        errors: &mut Vec<ScoringError>,
    ) {
        if subs.is_empty() {
            self.nodes[parent].role = NodeRole::Leaf {
                leaf: self.leaves.len(),
            };
            self.leaves.push(parent);
            return;
        }
        let sum: Decimal = subs.iter().map(|s| s.weight).sum();
        let p = &self.nodes[parent];
        if sum != p.weight {
            errors.push(ScoringError::SubWeightsSum {
                parent: p.id.to_owned(),
                parent_weight: p.weight,
                sum,
            });
        }
        let (scale, root) = (p.scale, p.root);
        for s in subs {
            let at = self.nodes.len();
            let node = Node {
                id: &s.id,
                label: &s.label,
                weight: s.weight,
                scale,
                parent: Some(parent),
                root,
                role: NodeRole::Group,
            };
            self.push(node, errors);
            self.push_children(at, &s.sub_criteria, errors);
        }
    }

    fn push(&mut self, node: Node<'a>, errors: &mut Vec<ScoringError>) {
        let at = self.nodes.len();
        if node.id.trim().is_empty() {
            errors.push(ScoringError::EmptyId {
                what: format!("critère « {} »", node.label),
            });
        }
        if node.weight <= Decimal::ZERO {
            errors.push(ScoringError::NonPositiveWeight {
                criterion: node.id.to_owned(),
                weight: node.weight,
            });
        }
        // The first definition stays reachable by identifier.
        match self.by_id.entry(node.id) {
            Entry::Occupied(_) => errors.push(ScoringError::DuplicateCriterion(node.id.to_owned())),
            Entry::Vacant(v) => {
                v.insert(at);
            }
        }
        self.nodes.push(node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tech() -> Criterion {
        Criterion::evaluated("tech", "Valeur technique", dec!(60), dec!(20)).with_sub_criteria(
            vec![
                SubCriterion::new("fonct", "Couverture fonctionnelle", dec!(40)),
                SubCriterion::new("deploi", "Déploiement", dec!(20)),
            ],
        )
    }

    fn prix() -> Criterion {
        Criterion::price("prix", "Prix", dec!(40), PriceFormula::Proportional)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn flattens_in_pre_order_with_leaves_and_prices() {
        let criteria = vec![prix(), tech()];
        let mut errors = Vec::new();
        let idx = CriteriaIndex::build(&criteria, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let ids: Vec<&str> = idx.nodes.iter().map(|n| n.id).collect();
        assert_eq!(ids, ["prix", "tech", "fonct", "deploi"]);
        assert_eq!(idx.roots, [0, 1]);
        assert_eq!(idx.prices, [0]);
        assert_eq!(idx.leaves, [2, 3]);
        assert_eq!(idx.nodes[1].role, NodeRole::Group);
        assert_eq!(idx.nodes[3].role, NodeRole::Leaf { leaf: 1 });
        assert_eq!(idx.nodes[3].scale, dec!(20));
        assert_eq!(idx.nodes[3].parent, Some(1));
        assert_eq!(idx.nodes[3].root, 1);
        assert_eq!(idx.by_id["deploi"], 3);
    }

    #[test]
    fn weights_must_sum_at_every_level() {
        let mut t = tech();
        t.sub_criteria[1].weight = dec!(10);
        let criteria = vec![
            Criterion::price("prix", "Prix", dec!(30), PriceFormula::MinMax),
            t,
        ];
        let mut errors = Vec::new();
        CriteriaIndex::build(&criteria, &mut errors);
        assert_eq!(
            errors,
            [
                ScoringError::SubWeightsSum {
                    parent: "tech".into(),
                    parent_weight: dec!(60),
                    sum: dec!(50)
                },
                ScoringError::RootWeightsSum { sum: dec!(90) },
            ]
        );
    }

    #[test]
    fn decimal_weights_summing_exactly_are_accepted() {
        let criteria = vec![
            Criterion::evaluated("a", "A", dec!(33.33), dec!(10)),
            Criterion::evaluated("b", "B", dec!(33.33), dec!(10)),
            Criterion::evaluated("c", "C", dec!(33.34), dec!(10)),
        ];
        let mut errors = Vec::new();
        CriteriaIndex::build(&criteria, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn duplicate_ids_bad_scale_zero_weight_and_priced_subs_are_reported() {
        let mut p = prix().with_sub_criteria(vec![SubCriterion::new("x", "X", dec!(40))]);
        p.weight = dec!(40);
        let criteria = vec![
            p,
            Criterion::evaluated("tech", "T", dec!(60), dec!(0)).with_sub_criteria(vec![
                SubCriterion::new("prix", "Doublon", dec!(60)),
                SubCriterion::new("zero", "Zéro", dec!(0)),
            ]),
        ];
        let mut errors = Vec::new();
        let idx = CriteriaIndex::build(&criteria, &mut errors);
        assert!(errors.contains(&ScoringError::MalformedCriterion {
            criterion: "prix".into(),
            reason: "un critère prix ne peut pas avoir de sous-critères".into()
        }));
        assert!(errors.contains(&ScoringError::InvalidScale {
            criterion: "tech".into(),
            scale: dec!(0),
            max: MAX_SCALE
        }));
        assert!(errors.contains(&ScoringError::DuplicateCriterion("prix".into())));
        assert!(errors.contains(&ScoringError::NonPositiveWeight {
            criterion: "zero".into(),
            weight: dec!(0)
        }));
        assert_eq!(idx.by_id["prix"], 0, "first definition kept");
    }

    #[test]
    fn environmental_criterion_required_from_2026_08_21() {
        let plain = vec![prix(), tech()];
        assert_eq!(check_environmental(&plain, date(2026, 8, 20)), None);
        let w = check_environmental(&plain, date(2026, 8, 21)).expect("warning");
        assert!(w.message.contains("L2152-7"), "{}", w.message);
        assert!(w.message.contains("21/08/2026"), "{}", w.message);

        let mut with_root = vec![prix(), tech().environmental()];
        assert_eq!(check_environmental(&with_root, date(2027, 1, 1)), None);
        with_root[1].environmental = false;
        with_root[1].sub_criteria[1] = SubCriterion::new("deploi", "D", dec!(20)).environmental();
        assert_eq!(check_environmental(&with_root, date(2027, 1, 1)), None);
    }

    #[test]
    fn criterion_json_shape_matches_the_case_file() {
        let v = serde_json::to_value(tech()).expect("serialize");
        assert_eq!(
            v,
            serde_json::json!({"id": "tech", "label": "Valeur technique", "weight": "60",
                "kind": "evaluated", "scale": "20", "environmental": false,
                "sub_criteria": [
                    {"id": "fonct", "label": "Couverture fonctionnelle", "weight": "40", "environmental": false},
                    {"id": "deploi", "label": "Déploiement", "weight": "20", "environmental": false}]})
        );
        let back: Criterion = serde_json::from_value(v).expect("deserialize");
        assert_eq!(back, tech());
    }
}
