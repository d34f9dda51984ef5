//! Robustness panel tests, including the rank reversals of DOMAIN §4.6.

use rust_decimal::dec;

use crate::scoring::test_cases::{reversal_case, three_offers};
use crate::scoring::{
    Criterion, PriceFormula, RobustnessReport, RobustnessScenario, ScenarioKind, ScoringCase,
    format_points, robustness,
};

fn report(case: &ScoringCase) -> RobustnessReport {
    robustness(case).expect("valid case")
}

fn find<'r>(r: &'r RobustnessReport, kind: ScenarioKind, needle: &str) -> &'r RobustnessScenario {
    r.scenarios
        .iter()
        .find(|s| s.kind == kind && s.description.contains(needle))
        .unwrap_or_else(|| panic!("no {kind:?} scenario with {needle}: {:#?}", r.scenarios))
}

/// (winner, changed) of a scenario.
fn outcome(s: &RobustnessScenario) -> (Option<&str>, bool) {
    (s.winner.as_deref(), s.changed)
}

#[test]
fn the_panel_shows_the_reversal_of_example_1_without_c() {
    let offers = [
        ("A", dec!(100), dec!(55)),
        ("B", dec!(120), dec!(60)),
        ("C", dec!(60), dec!(20)),
    ];
    let r = report(&reversal_case(PriceFormula::Proportional, &offers));
    assert_eq!(r.baseline_winner.as_deref(), Some("B"));
    let s = find(&r, ScenarioKind::WithoutOffer, "« C »");
    assert_eq!(outcome(s), (Some("A"), true));
    let totals: Vec<(&str, String)> = s
        .totals
        .iter()
        .map(|t| (t.offer.as_str(), format_points(t.total)))
        .collect();
    assert_eq!(
        totals,
        [("A", "95.00".to_owned()), ("B", "93.33".to_owned())]
    );
    assert_eq!(
        s.conclusion,
        "Le classement change en tête : « A » au lieu de « B »."
    );
    // Removing A leaves B first: no reversal there.
    assert_eq!(
        outcome(find(&r, ScenarioKind::WithoutOffer, "« A »")),
        (Some("B"), false)
    );
    assert!(!r.stable);
}

#[test]
fn the_panel_shows_the_reversal_of_example_2_without_d() {
    let offers = [
        ("A", dec!(100), dec!(55)),
        ("B", dec!(110), dec!(60)),
        ("D", dec!(200), dec!(50)),
    ];
    let r = report(&reversal_case(PriceFormula::MinMax, &offers));
    assert_eq!(r.baseline_winner.as_deref(), Some("B"));
    let s = find(&r, ScenarioKind::WithoutOffer, "« D »");
    assert_eq!(outcome(s), (Some("A"), true));
    assert_eq!(format_points(s.totals[0].total), "95.00");
    assert_eq!(format_points(s.totals[1].total), "60.00");
}

#[test]
fn every_family_of_scenarios_on_a_fragile_ranking() {
    // Baseline: B 77.6, A 77, C 72 (see tests_score).
    let r = report(&three_offers());
    assert_eq!(r.baseline_winner.as_deref(), Some("B"));
    let kinds: Vec<ScenarioKind> = r.scenarios.iter().map(|s| s.kind).collect();
    use ScenarioKind::{WeightShift, WithoutEvaluator, WithoutOffer};
    let formula = ScenarioKind::PriceFormula;
    assert_eq!(
        kinds,
        [
            formula,
            formula,
            WeightShift,
            WeightShift,
            WeightShift,
            WeightShift,
            WithoutEvaluator,
            WithoutEvaluator,
            WithoutOffer,
            WithoutOffer
        ]
    );
    // (a) linear relative: A 30 + 45 = 75 > C 72 > B 69.5; min-max: C 72 > A 67.22 > B 52.
    assert_eq!(
        outcome(find(&r, formula, "linéaire relative")),
        (Some("A"), true)
    );
    assert_eq!(outcome(find(&r, formula, "min-max")), (Some("C"), true));
    // (b) prix 45 / tech 55: A 36 + 41.25 = 77.25 > B 28.8 + 47.67; prix 35: B stays first.
    let up = find(&r, WeightShift, "« Prix » portée de 40,00 à 45,00");
    assert_eq!(outcome(up), (Some("A"), true));
    assert!(
        up.description
            .contains("« Valeur technique » 60,00 → 55,00"),
        "{}",
        up.description
    );
    assert_eq!(format_points(up.totals[0].total), "77.25");
    assert_eq!(
        outcome(find(&r, WeightShift, "« Prix » portée de 40,00 à 35,00")),
        (Some("B"), false)
    );
    assert_eq!(
        outcome(find(
            &r,
            WeightShift,
            "« Valeur technique » portée de 60,00 à 55,00"
        )),
        (Some("A"), true)
    );
    // (c) without e1: A 75 < B 77.6; without e2: A 79 > B 77.6.
    assert_eq!(
        outcome(find(&r, WithoutEvaluator, "« e1 »")),
        (Some("B"), false)
    );
    assert_eq!(
        outcome(find(&r, WithoutEvaluator, "« e2 »")),
        (Some("A"), true)
    );
    // (d) without C, Pmin rises to 100 000: A 85 > B 84 (rank reversal); without A: B.
    assert_eq!(outcome(find(&r, WithoutOffer, "« C »")), (Some("A"), true));
    assert_eq!(outcome(find(&r, WithoutOffer, "« A »")), (Some("B"), false));
    assert!(!r.stable);
    assert!(r.scenarios.iter().all(|s| s.computable));
}

#[test]
fn a_clear_winner_is_stable_and_a_lone_evaluator_cannot_be_removed() {
    let offers = [("A", dec!(100), dec!(55)), ("B", dec!(120), dec!(60))];
    let r = report(&reversal_case(PriceFormula::Proportional, &offers));
    assert_eq!(r.baseline_winner.as_deref(), Some("A"));
    assert!(r.stable, "{:#?}", r.scenarios);
    let lone = find(&r, ScenarioKind::WithoutEvaluator, "« e1 »");
    assert!(!lone.computable);
    assert!(!lone.changed);
    assert!(
        lone.conclusion.starts_with("Non calculable : "),
        "{}",
        lone.conclusion
    );
}

#[test]
fn weight_moves_that_would_empty_a_criterion_are_skipped() {
    let mut case = reversal_case(
        PriceFormula::Proportional,
        &[("A", dec!(100), dec!(55)), ("B", dec!(120), dec!(60))],
    );
    case.criteria = vec![
        Criterion::price("prix", "Prix", dec!(96), PriceFormula::Proportional),
        Criterion::evaluated("tech", "Valeur technique", dec!(4), dec!(60)),
    ];
    let r = report(&case);
    let shifts: Vec<&str> = r
        .scenarios
        .iter()
        .filter(|s| s.kind == ScenarioKind::WeightShift)
        .map(|s| s.description.as_str())
        .collect();
    assert_eq!(shifts.len(), 2, "{shifts:#?}");
    assert!(shifts[0].contains("« Prix » portée de 96,00 à 91,00"));
    assert!(shifts[1].contains("« Valeur technique » portée de 4,00 à 9,00"));
}

#[test]
fn a_lone_price_criterion_of_100_points_has_no_weight_scenario() {
    let mut case = reversal_case(
        PriceFormula::MinMax,
        &[("A", dec!(100), dec!(55)), ("B", dec!(150), dec!(60))],
    );
    case.criteria = vec![Criterion::price(
        "prix",
        "Prix",
        dec!(100),
        PriceFormula::MinMax,
    )];
    case.notes.clear();
    let r = report(&case);
    assert!(
        r.scenarios
            .iter()
            .all(|s| s.kind != ScenarioKind::WeightShift)
    );
    // The other formulas are still tried: linear relative gives B 100 × (2 − 1.5) = 50.
    let s = find(&r, ScenarioKind::PriceFormula, "linéaire relative");
    assert_eq!(outcome(s), (Some("A"), false));
    assert_eq!(format_points(s.totals[1].total), "50.00");
}
