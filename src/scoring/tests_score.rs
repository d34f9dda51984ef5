//! Scoring, ranking and `coordo score` tests with hand-computed expectations.

use rust_decimal::Decimal;
use rust_decimal::dec;
use serde_json::json;

use crate::scoring::test_cases::{
    SPEC_CASE_JSON, large_case, note, offer, reversal_case, three_offers,
};
use crate::scoring::{
    ConsensusNote, Criterion, OfferStatus, PriceFormula, ScoringCase, ScoringError, ScoringResult,
    format_points, score, score_case_json, validate,
};

fn scored(case: &ScoringCase) -> ScoringResult {
    score(case).expect("valid case")
}

/// (offer, rank, total rounded to 2 decimals) in ranking order.
fn table(r: &ScoringResult) -> Vec<(String, u32, String)> {
    r.ranking
        .iter()
        .map(|o| (o.offer.clone(), o.rank, format_points(o.total)))
        .collect()
}

fn row(offer: &str, rank: u32, total: &str) -> (String, u32, String) {
    (offer.to_owned(), rank, total.to_owned())
}

#[test]
fn the_issue_example_gives_exactly_the_expected_output() {
    let out = score_case_json(SPEC_CASE_JSON).expect("valid case");
    assert_eq!(
        out,
        json!({"ranking": [{"offer": "A", "bidder": "Éditeur A", "rank": 1, "total": "87.50",
                            "points": {"prix": "40.00", "tech": "47.50", "fonct": "32.00", "deploi": "15.50"}}],
               "excluded": [{"offer": "B", "status": "irreguliere"}]})
    );
}

#[test]
fn points_follow_the_tree_and_excluded_offers_do_not_set_pmin() {
    let r = scored(&three_offers());
    // Pmin 80 000: prix A 32, B 25.6, C 40; fonct = 40 × mean / 20; deploi = 20 × mean / 20.
    assert_eq!(r.points["A"]["prix"], dec!(32));
    assert_eq!(r.points["B"]["prix"], dec!(25.6));
    assert_eq!(r.points["A"]["fonct"], dec!(30));
    assert_eq!(r.points["B"]["fonct"], dec!(35));
    assert_eq!(r.points["B"]["deploi"], dec!(17));
    assert_eq!(r.points["B"]["tech"], dec!(52));
    assert_eq!(
        table(&r),
        [
            row("B", 1, "77.60"),
            row("A", 2, "77.00"),
            row("C", 3, "72.00")
        ]
    );
    // C (the cheapest) made irregular: Pmin becomes 100 000 and A now has the full 40 points.
    let mut case = three_offers();
    case.offers[2].status = OfferStatus::Irreguliere;
    let r = scored(&case);
    assert_eq!(r.points["A"]["prix"], dec!(40));
    assert_eq!(r.points["B"]["prix"], dec!(32));
    assert_eq!(table(&r), [row("A", 1, "85.00"), row("B", 2, "84.00")]);
    assert_eq!(r.excluded.len(), 1);
    assert_eq!(r.excluded[0].offer, "C");
    assert_eq!(r.excluded[0].status, OfferStatus::Irreguliere);
    assert!(!r.points.contains_key("C"));
}

#[test]
fn worked_example_1_proportional_then_c_reverses_a_and_b() {
    let base = [("A", dec!(100), dec!(55)), ("B", dec!(120), dec!(60))];
    let r = scored(&reversal_case(PriceFormula::Proportional, &base));
    assert_eq!(table(&r), [row("A", 1, "95.00"), row("B", 2, "93.33")]);

    let with_c = [base[0], base[1], ("C", dec!(60), dec!(20))];
    let r = scored(&reversal_case(PriceFormula::Proportional, &with_c));
    assert_eq!(
        table(&r),
        [
            row("B", 1, "80.00"),
            row("A", 2, "79.00"),
            row("C", 3, "60.00")
        ]
    );
    assert_eq!(r.ranking[1].total, dec!(79));
    assert_eq!(r.ranking[0].total, dec!(80));
}

#[test]
fn worked_example_2_min_max_then_d_reverses_a_and_b() {
    let base = [("A", dec!(100), dec!(55)), ("B", dec!(110), dec!(60))];
    let r = scored(&reversal_case(PriceFormula::MinMax, &base));
    assert_eq!(table(&r), [row("A", 1, "95.00"), row("B", 2, "60.00")]);

    let with_d = [base[0], base[1], ("D", dec!(200), dec!(50))];
    let r = scored(&reversal_case(PriceFormula::MinMax, &with_d));
    assert_eq!(
        table(&r),
        [
            row("B", 1, "96.00"),
            row("A", 2, "95.00"),
            row("D", 3, "50.00")
        ]
    );
}

#[test]
fn ties_share_a_rank_the_next_is_skipped_and_ids_order_them() {
    let offers = [
        ("Z", dec!(100), dec!(50)),
        ("M", dec!(100), dec!(50)),
        ("A", dec!(200), dec!(20)),
    ];
    let r = scored(&reversal_case(PriceFormula::Proportional, &offers));
    assert_eq!(
        table(&r),
        [
            row("M", 1, "90.00"),
            row("Z", 1, "90.00"),
            row("A", 3, "40.00")
        ]
    );
}

/// The RC's tie-break: a tie at the first rank goes to the better points on the criterion
/// that alone carries the highest weight; with two criteria of equal highest weight the tie
/// stays; lower ranks are untouched.
#[test]
fn a_first_rank_tie_is_broken_by_the_heaviest_criterion_as_the_rc_announces() {
    let grid = |wq: Decimal, wp: Decimal| {
        vec![
            Criterion::evaluated("q", "Valeur technique", wq, dec!(10)),
            Criterion::evaluated("p", "Performance environnementale", wp, dec!(10)),
        ]
    };
    let notes_of = |x: &[(&str, &str, Decimal)]| {
        x.iter()
            .map(|(o, c, n)| note("e1", o, c, *n))
            .collect::<Vec<_>>()
    };
    // A: 6 × 6 + 4 × 6 = 60; B: 6 × 10 + 4 × 0 = 60; C: 6 × 5 + 4 × 5 = 50.
    let notes = notes_of(&[
        ("A", "q", dec!(6)),
        ("A", "p", dec!(6)),
        ("B", "q", dec!(10)),
        ("B", "p", dec!(0)),
        ("C", "q", dec!(5)),
        ("C", "p", dec!(5)),
    ]);
    let offers = || {
        vec![
            offer("A", dec!(1)),
            offer("B", dec!(1)),
            offer("C", dec!(1)),
        ]
    };
    let r = scored(&ScoringCase::new(grid(dec!(60), dec!(40)), offers(), notes));
    assert_eq!(
        table(&r),
        [
            row("B", 1, "60.00"),
            row("A", 2, "60.00"),
            row("C", 3, "50.00")
        ]
    );
    // 50/50: A = 5 × 6 + 5 × 6 = 60, B = 5 × 10 + 5 × 2 = 60; no single heaviest criterion.
    let notes = notes_of(&[
        ("A", "q", dec!(6)),
        ("A", "p", dec!(6)),
        ("B", "q", dec!(10)),
        ("B", "p", dec!(2)),
        ("C", "q", dec!(5)),
        ("C", "p", dec!(5)),
    ]);
    let r = scored(&ScoringCase::new(grid(dec!(50), dec!(50)), offers(), notes));
    assert_eq!(
        table(&r),
        [
            row("A", 1, "60.00"),
            row("B", 1, "60.00"),
            row("C", 3, "50.00")
        ]
    );
}

#[test]
fn mathematically_equal_totals_tie_despite_division_rounding() {
    // X: three criteria at 1 × 1/3 (0.333…3 each, 0.999…9 in Decimal); Y: 1 × 3/3 = 1.
    let mut criteria: Vec<Criterion> = (1..=3)
        .map(|i| Criterion::evaluated(&format!("c{i}"), "C", dec!(1), dec!(3)))
        .collect();
    criteria.push(Criterion::evaluated("c4", "C4", dec!(97), dec!(3)));
    let mut notes = Vec::new();
    for (c, x, y) in [("c1", 1, 3), ("c2", 1, 0), ("c3", 1, 0), ("c4", 0, 0)] {
        notes.push(note("e1", "X", c, Decimal::from(x)));
        notes.push(note("e1", "Y", c, Decimal::from(y)));
    }
    let case = ScoringCase::new(
        criteria,
        vec![offer("X", dec!(1)), offer("Y", dec!(1))],
        notes,
    );
    let r = scored(&case);
    assert_ne!(
        r.ranking[0].total, r.ranking[1].total,
        "Decimal rounding differs"
    );
    assert_eq!(table(&r), [row("X", 1, "1.00"), row("Y", 1, "1.00")]);
}

#[test]
fn ranking_uses_exact_totals_not_the_rounded_display() {
    let case = ScoringCase::new(
        vec![Criterion::evaluated("q", "Qualité", dec!(100), dec!(1000))],
        vec![offer("A", dec!(1)), offer("B", dec!(1))],
        vec![
            note("e1", "A", "q", dec!(875.01)),
            note("e1", "B", "q", dec!(875.04)),
        ],
    );
    let r = scored(&case);
    assert_eq!(table(&r), [row("B", 1, "87.50"), row("A", 2, "87.50")]);
}

#[test]
fn a_missing_individual_note_uses_the_mean_of_the_others_and_is_reported() {
    let mut case = three_offers();
    // e2 forgets C on deploi: C deploi = 20 × 11 / 20 = 11 instead of 10.
    case.notes
        .retain(|n| !(n.evaluator == "e2" && n.offer == "C" && n.criterion == "deploi"));
    let r = scored(&case);
    assert_eq!(r.points["C"]["deploi"], dec!(11));
    assert_eq!(r.missing_notes.len(), 1);
    assert_eq!(r.missing_notes[0].offer, "C");
    assert_eq!(r.missing_notes[0].criterion, "deploi");
    assert_eq!(r.missing_notes[0].evaluators, ["e2"]);
    assert!(scored(&three_offers()).missing_notes.is_empty());
}

#[test]
fn divergences_are_flagged_above_a_quarter_of_the_scale_by_default() {
    let mut case = three_offers();
    // A fonct: e1 16, e2 → 10: spread 6 > 5 (25 % of 20).
    case.notes[1].value = dec!(10);
    // B deploi: e1 16, e2 → 11: spread 5, not above 5.
    case.notes[7].value = dec!(11);
    let r = scored(&case);
    assert_eq!(r.divergences.len(), 1, "{:?}", r.divergences);
    let d = &r.divergences[0];
    assert_eq!((d.offer.as_str(), d.criterion.as_str()), ("A", "fonct"));
    assert_eq!((d.min, d.max, d.threshold), (dec!(10), dec!(16), dec!(5)));
    assert!(!d.resolved_by_consensus);
    let message = d.message();
    assert!(
        message
            .contains("de 10 à 16 (écart 6, au-delà du seuil de 5 soit 25\u{a0}% du barème de 20)"),
        "{message}"
    );
    assert!(
        message.contains("« Couverture fonctionnelle »"),
        "{message}"
    );
    // A stricter threshold (20 % = 4 points) also catches B deploi.
    case.divergence_ratio = dec!(0.2);
    assert_eq!(scored(&case).divergences.len(), 2);
}

#[test]
fn a_consensus_note_replaces_the_mean_and_must_be_motivated() {
    let mut case = three_offers();
    case.notes[1].value = dec!(10); // A fonct: 16 and 10, divergent
    case.consensus.push(ConsensusNote {
        offer: "A".into(),
        criterion: "fonct".into(),
        value: dec!(12),
        reason: "Après échange, le module RH n'est pas couvert.".into(),
    });
    let r = scored(&case);
    assert_eq!(r.points["A"]["fonct"], dec!(24)); // 40 × 12 / 20, not the mean 13
    assert!(r.divergences[0].resolved_by_consensus);
    case.consensus[0].reason = "  ".into();
    assert_eq!(
        validate(&case),
        Err(vec![ScoringError::ConsensusWithoutReason {
            offer: "A".into(),
            criterion: "fonct".into()
        }])
    );
}

#[test]
fn consensus_alone_is_enough_for_a_criterion() {
    let mut case = three_offers();
    case.notes
        .retain(|n| !(n.offer == "C" && n.criterion == "fonct"));
    let errors = validate(&case).expect_err("no note for C on fonct");
    assert!(matches!(
        errors.as_slice(),
        [ScoringError::MissingNotes { .. }]
    ));
    case.consensus.push(ConsensusNote {
        offer: "C".into(),
        criterion: "fonct".into(),
        value: dec!(10),
        reason: "Note fixée en commission.".into(),
    });
    assert_eq!(scored(&case).points["C"]["fonct"], dec!(20));
}

#[test]
fn validation_reports_every_error_in_french() {
    let mut case = three_offers();
    case.criteria[1].sub_criteria[1].weight = dec!(25);
    case.offers[1].price = dec!(-5);
    case.offers.push(offer("A", dec!(1)));
    case.notes.push(note("e3", "A", "inconnu", dec!(5)));
    case.notes.push(note("e3", "Q", "fonct", dec!(5)));
    case.notes.push(note("e3", "A", "fonct", dec!(21)));
    case.notes.push(note("e3", "A", "prix", dec!(5)));
    case.notes.push(note("e3", "A", "tech", dec!(5)));
    case.notes.push(note("e1", "A", "fonct", dec!(5)));
    let errors = validate(&case).expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let expected = [
        "Les sous-critères du critère « tech » totalisent 65 points alors que ce critère est pondéré à 60 points.",
        "Le prix de l'offre « B » doit être strictement positif et au plus 1000000000000 € (reçu -5).",
        "L'identifiant d'offre « A » est utilisé plusieurs fois.",
        "La note de l'évaluateur « e3 » pour l'offre « A » porte sur un critère inconnu « inconnu ».",
        "La note de l'évaluateur « e3 » pour l'offre « Q » porte sur une offre inconnue « Q ».",
        "La note 21 de l'évaluateur « e3 » pour l'offre « A » sur le critère « fonct » sort du barème [0, 20].",
        "La note de l'évaluateur « e3 » pour l'offre « A » porte sur le critère prix « prix », qui est calculé par formule.",
        "La note de l'évaluateur « e3 » pour l'offre « A » porte sur le critère « tech », décomposé en sous-critères : noter ses sous-critères.",
        "L'évaluateur « e1 » a noté deux fois l'offre « A » sur le critère « fonct ».",
    ];
    assert_eq!(messages, expected);
}

#[test]
fn missing_notes_and_price_without_admissible_offer_are_errors() {
    let mut case = three_offers();
    case.notes
        .retain(|n| n.offer != "B" && n.offer != "C" || n.criterion != "deploi");
    assert_eq!(
        validate(&case).map_err(|e| e[0].to_string()),
        Err("Le critère « deploi » (Déploiement) n'a aucune note pour l'offre admissible ou les offres admissibles : B, C.".to_owned())
    );
    // Notes of an excluded offer are not required.
    case.offers[1].status = OfferStatus::HorsDelai;
    case.offers[2].status = OfferStatus::OabRejetee;
    assert!(validate(&case).is_ok());
    for o in &mut case.offers {
        o.status = OfferStatus::Inacceptable;
    }
    assert_eq!(
        validate(&case),
        Err(vec![ScoringError::NoAdmissibleOfferForPrice {
            criterion: "prix".into()
        }])
    );
}

#[test]
fn zero_price_duplicate_criterion_and_bad_ratio_are_errors() {
    let mut case = three_offers();
    case.offers[0].price = Decimal::ZERO;
    case.criteria[1].sub_criteria[1].id = "prix".into();
    case.divergence_ratio = dec!(1.5);
    let errors = validate(&case).expect_err("invalid");
    assert!(errors.contains(&ScoringError::DuplicateCriterion("prix".into())));
    assert!(errors.contains(&ScoringError::InvalidDivergenceRatio(dec!(1.5))));
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, ScoringError::InvalidPrice { offer, .. } if offer == "A"))
    ); // The price of an excluded offer is not used, hence not checked (a pli hors délai is not
    // even opened).
    let mut case = three_offers();
    case.offers[2].status = OfferStatus::HorsDelai;
    case.offers[2].price = Decimal::ZERO;
    assert!(validate(&case).is_ok());
}

#[test]
fn json_errors_are_french_and_precise() {
    let err = |input: &str| score_case_json(input).expect_err("invalid").to_string();
    let unbalanced = SPEC_CASE_JSON.replace(r#""weight": "20"}"#, r#""weight": "10"}"#);
    assert_eq!(
        err(&unbalanced),
        "Les sous-critères du critère « tech » totalisent 50 points alors que ce critère est pondéré à 60 points."
    );
    let e = err(&SPEC_CASE_JSON.replace(r#""weight": "40", "kind""#, r#""weight": 40, "kind""#));
    assert!(
        e.contains("chaînes décimales") && e.contains("ligne 2"),
        "{e}"
    );
    let e = err(&SPEC_CASE_JSON.replace(
        r#""formula": "proportional""#,
        r#""formule": "proportional""#,
    ));
    assert!(e.contains("champ inconnu « formule »"), "{e}");
    let e = err(&SPEC_CASE_JSON.replace("proportional", "quadratic"));
    assert!(e.contains("valeur inconnue « quadratic »"), "{e}");
    let e = err(&SPEC_CASE_JSON.replace(r#", "formula": "proportional""#, ""));
    assert!(
        e.contains("« prix » est mal défini") && e.contains("formula"),
        "{e}"
    );
    let e = err(&SPEC_CASE_JSON.replace(r#""note": "16"}]"#, r#""note": "16"]"#));
    assert!(
        e.starts_with("Le dossier de notation (JSON) est invalide : syntaxe JSON incorrecte"),
        "{e}"
    );
    let e = err(r#"{"criteria": []"#);
    assert!(e.contains("incomplet"), "{e}");
    let e = err(&SPEC_CASE_JSON.replace(r#""note": "15"}"#, r#""note": "quinze"}"#));
    assert!(
        e.contains("« quinze » n'est pas un nombre décimal valide, ligne"),
        "{e}"
    );
    let e = err(&SPEC_CASE_JSON.replace(r#""bidder": "Éditeur B", "#, ""));
    assert!(e.contains("champ obligatoire « bidder » manquant"), "{e}");
}

#[test]
fn several_validation_errors_come_back_together_from_json() {
    let input = SPEC_CASE_JSON
        .replace(r#""weight": "40", "kind""#, r#""weight": "30", "kind""#)
        .replace(r#""price": "310000.00""#, r#""price": "0""#);
    match score_case_json(&input) {
        Err(ScoringError::Several(errors)) => assert_eq!(errors.len(), 2, "{errors:?}"),
        other => panic!("expected several errors, got {other:?}"),
    }
}

#[test]
fn optional_json_extensions_are_read() {
    let input = SPEC_CASE_JSON.replace(
        r#""notes": ["#,
        r#""divergence_ratio": "0.1",
           "consensus": [{"offer": "A", "criterion": "deploi", "note": "18", "reason": "Revu en réunion."}],
           "notes": ["#,
    );
    let out = score_case_json(&input).expect("valid");
    assert_eq!(out["ranking"][0]["points"]["deploi"], json!("18.00"));
    assert_eq!(out["ranking"][0]["total"], json!("90.00"));
}

#[test]
fn a_case_without_admissible_offer_nor_price_ranks_nobody() {
    let case = ScoringCase::new(
        vec![Criterion::evaluated("q", "Qualité", dec!(100), dec!(20))],
        vec![{
            let mut o = offer("A", dec!(10));
            o.status = OfferStatus::Irrecevable;
            o
        }],
        Vec::new(),
    );
    let r = scored(&case);
    assert!(r.ranking.is_empty());
    assert_eq!(r.excluded[0].status, OfferStatus::Irrecevable);
}

#[test]
fn scores_the_benchmark_shape_200_offers_12_criteria_10_evaluators() {
    let case = large_case(200, 10);
    assert_eq!(case.notes.len(), 200 * 11 * 10);
    let r = scored(&case);
    let excluded = (0..200).filter(|i| i % 17 == 5).count();
    assert_eq!(r.excluded.len(), excluded);
    assert_eq!(r.ranking.len(), 200 - excluded);
    assert_eq!(r.ranking[0].rank, 1);
    assert!(r.ranking.windows(2).all(|w| w[0].total >= w[1].total));
    for points in r.points.values() {
        let sum: Decimal = ["prix", "c1", "c2", "c3", "c4", "c5", "c6", "c7"]
            .iter()
            .map(|c| points[*c])
            .sum();
        assert!(sum <= dec!(100));
    }
}
