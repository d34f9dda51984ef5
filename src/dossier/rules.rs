//! Pure rules on the facts of a dossier: which members take part, and whether the award
//! criteria may be published. No I/O.

use crate::consultations::rules::params::ENV_CRITERION_MANDATORY;
use crate::scoring::{Criterion, CriterionKind, OabMethod, PriceFormula, SubCriterion};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Whether a member is active on `day`: it has not withdrawn, or its withdrawal takes effect
/// after that day. A withdrawal only affects what the groupement buys afterwards (convention
/// art. 15: « le retrait ne vaut que pour les commandes futures »), so a consultation counts
/// the members active on its launch date, a letter or a visa those active on its own date.
#[must_use]
pub fn member_active_on(withdrawn_on: Option<NaiveDate>, day: NaiveDate) -> bool {
    withdrawn_on.is_none_or(|w| w > day)
}

/// Whether the criterion tree holds a criterion or sub-criterion on the environmental
/// characteristics of the offers.
#[must_use]
pub fn has_environmental_criterion(criteria: &[Criterion]) -> bool {
    fn subs(s: &[SubCriterion]) -> bool {
        s.iter().any(|c| c.environmental || subs(&c.sub_criteria))
    }
    criteria
        .iter()
        .any(|c| c.environmental || subs(&c.sub_criteria))
}

/// What forbids publishing the award criteria of a consultation launched on `launch` (the
/// reference date of the dated parameters): French sentences, empty when they may be published.
///
/// - The criteria and their weighting are announced in the consultation documents (R2152-11,
///   R2152-12): an empty grid cannot be published.
/// - From 21 August 2026, at least one criterion takes the environmental characteristics of
///   the offer into account (L2152-7 as amended by loi n° 2021-1104 art. 35, in force on the
///   date fixed by décret n° 2022-767): a dated parameter, chosen by the launch date.
#[must_use]
pub fn award_criteria_problems(launch: NaiveDate, criteria: &[Criterion]) -> Vec<String> {
    let mut out = Vec::new();
    if criteria.is_empty() {
        out.push(
            "la grille des critères d'attribution n'est pas définie : les critères et leur pondération sont annoncés dans les documents de la consultation (articles R2152-11 et R2152-12 du code de la commande publique) ; définissez-la sur la page « Offres et analyse »".to_owned(),
        );
        return out;
    }
    let required = ENV_CRITERION_MANDATORY.at(launch).is_ok_and(|p| p.value);
    if required && !has_environmental_criterion(criteria) {
        out.push(
            "aucun critère d'attribution ne prend en compte les caractéristiques environnementales de l'offre, obligatoire pour une consultation lancée à partir du 21 août 2026 (article L2152-7 du code de la commande publique, modifié par l'article 35 de la loi n° 2021-1104 du 22 août 2021 ; décret n° 2022-767) ; cochez « environnemental » sur un critère ou un sous-critère de la grille".to_owned(),
        );
    }
    out
}

/// How the price criterion is marked, as the RC announces it (R2152-12: the buyer says how
/// each criterion is assessed) and as the scoring engine computes it.
#[must_use]
pub fn price_method(formula: PriceFormula, weight: &str) -> String {
    match formula {
        PriceFormula::Proportional => format!(
            "note = {weight} × (prix de l'offre la moins disante / prix de l'offre examinée)"
        ),
        PriceFormula::LinearRelative => format!(
            "note = {weight} × (1 − (prix de l'offre examinée − prix de l'offre la moins disante) / prix de l'offre la moins disante), et 0 au moins"
        ),
        PriceFormula::MinMax => format!(
            "note = {weight} × (prix de l'offre la plus disante − prix de l'offre examinée) / (prix de l'offre la plus disante − prix de l'offre la moins disante)"
        ),
    }
}

/// How an evaluated criterion is marked.
#[must_use]
pub fn evaluated_method(scale: &str, weight: &str) -> String {
    format!(
        "note sur {scale} attribuée par chaque membre de la commission au vu du mémoire technique, ramenée à {weight} points ; la note retenue est la moyenne des notes"
    )
}

/// The kind and method of a root criterion, in French.
#[must_use]
pub fn method_of(c: &Criterion, weight: &str) -> String {
    match c.kind {
        CriterionKind::Price { formula } => price_method(formula, weight),
        CriterionKind::Evaluated { scale } => {
            evaluated_method(&scale.normalize().to_string(), weight)
        }
    }
}

/// The OAB detection method as the shared clause `clauses/oab_detection` words it, in the RC
/// (article 9.3) and in this report alike: one method, one wording (L2152-6: the threshold only
/// triggers the request for justifications).
#[must_use]
pub fn oab_detection(m: &OabMethod) -> serde_json::Value {
    let fr = |d: Decimal| crate::docgen::format::decimal_fr(d, None);
    let pct = |d: Decimal| fr(d * Decimal::ONE_HUNDRED);
    match *m {
        OabMethod::RatioOfMeanOfOthers { ratio } => serde_json::json!({
            "method": "ratio_of_mean_of_others", "ratio_percent": pct(ratio),
            "exclusion_percent": "", "suspicion_percent": "", "k": "",
        }),
        OabMethod::ReducedMean {
            exclusion_factor,
            suspicion_factor,
        } => serde_json::json!({
            "method": "reduced_mean", "ratio_percent": "",
            "exclusion_percent": pct(exclusion_factor), "suspicion_percent": pct(suspicion_factor), "k": "",
        }),
        OabMethod::MeanMinusStdDev { k } => serde_json::json!({
            "method": "mean_minus_std_dev", "ratio_percent": "",
            "exclusion_percent": "", "suspicion_percent": "", "k": fr(k),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn price(weight: rust_decimal::Decimal) -> Criterion {
        Criterion {
            id: "prix".into(),
            label: "Prix".into(),
            weight,
            kind: CriterionKind::Price {
                formula: PriceFormula::Proportional,
            },
            environmental: false,
            sub_criteria: vec![],
        }
    }

    fn tech(env_sub: bool) -> Criterion {
        Criterion {
            id: "tech".into(),
            label: "Valeur technique".into(),
            weight: dec!(60),
            kind: CriterionKind::Evaluated { scale: dec!(20) },
            environmental: false,
            sub_criteria: vec![
                SubCriterion {
                    id: "fonct".into(),
                    label: "Fonctions".into(),
                    weight: dec!(50),
                    environmental: false,
                    sub_criteria: vec![],
                },
                SubCriterion {
                    id: "env".into(),
                    label: "Sobriété numérique".into(),
                    weight: dec!(10),
                    environmental: env_sub,
                    sub_criteria: vec![],
                },
            ],
        }
    }

    #[test]
    fn a_withdrawn_member_is_active_until_its_withdrawal_takes_effect() {
        assert!(member_active_on(None, d(2027, 1, 1)));
        assert!(member_active_on(Some(d(2027, 1, 2)), d(2027, 1, 1)));
        assert!(!member_active_on(Some(d(2027, 1, 1)), d(2027, 1, 1)));
        assert!(!member_active_on(Some(d(2026, 12, 1)), d(2027, 1, 1)));
    }

    #[test]
    fn an_empty_grid_is_never_published() {
        let p = award_criteria_problems(d(2026, 1, 5), &[]);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("R2152-11"), "{p:?}");
    }

    #[test]
    fn the_environmental_criterion_is_required_from_21_august_2026() {
        let grid = vec![tech(false), price(dec!(40))];
        assert!(award_criteria_problems(d(2026, 8, 20), &grid).is_empty());
        let p = award_criteria_problems(d(2026, 8, 21), &grid);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].contains("L2152-7") && p[0].contains("2021-1104"),
            "{p:?}"
        );
        // A sub-criterion is enough.
        assert!(award_criteria_problems(d(2026, 8, 21), &[tech(true), price(dec!(40))]).is_empty());
        let mut env_root = price(dec!(40));
        env_root.environmental = true;
        assert!(has_environmental_criterion(&[env_root]));
    }

    #[test]
    fn methods_are_worded_with_the_weight() {
        assert!(price_method(PriceFormula::Proportional, "40").starts_with("note = 40 × (prix"));
        assert!(method_of(&tech(false), "60").contains("note sur 20"));
    }
}
