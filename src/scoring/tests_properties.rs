//! Property tests of the scoring engine.

use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::scoring::test_cases::note;
use crate::scoring::{
    Criterion, OabMethod, Offer, OfferStatus, PriceFormula, RANKING_DECIMALS, ScoringCase,
    ScoringResult, SubCriterion, decimal_sqrt, detect_oab, score,
};

const LEAVES: [&str; 3] = ["fonct", "deploi", "env"];

/// A random valid case: price (weight p) + technical value (split fonct/deploi) + environment,
/// scale 20, notes in [0, 15] so that up to 5 can be added; the first offer is admissible.
fn arb_case() -> impl Strategy<Value = ScoringCase> {
    let offers = prop::collection::vec((1i64..=10_000_000, 0u8..4), 1..7);
    let weights = (5u32..=77, 1u32..=10, 1u32..=10);
    let formula = prop::sample::select(PriceFormula::ALL.to_vec());
    (offers, weights, formula, 1usize..4)
        .prop_flat_map(|(offers, weights, formula, evaluators)| {
            let n_notes = offers.len() * LEAVES.len() * evaluators;
            let notes = prop::collection::vec(0i64..=30, n_notes);
            (
                Just(offers),
                Just(weights),
                Just(formula),
                Just(evaluators),
                notes,
            )
        })
        .prop_map(|(offers, (p, f, d), formula, evaluators, halves)| {
            let (p, f, d) = (Decimal::from(p), Decimal::from(f), Decimal::from(d));
            let env = Decimal::ONE_HUNDRED - p - f - d;
            let criteria = vec![
                Criterion::price("prix", "Prix", p, formula),
                Criterion::evaluated("tech", "Technique", f + d, Decimal::from(20))
                    .with_sub_criteria(vec![
                        SubCriterion::new("fonct", "F", f),
                        SubCriterion::new("deploi", "D", d),
                    ]),
                Criterion::evaluated("env", "Environnement", env, Decimal::from(20))
                    .environmental(),
            ];
            let offers: Vec<Offer> = offers
                .iter()
                .enumerate()
                .map(|(i, &(cents, status))| Offer {
                    id: format!("O{i}"),
                    bidder: format!("Soumissionnaire {i}"),
                    price: Decimal::new(cents, 2),
                    status: if i == 0 || status > 0 {
                        OfferStatus::Admissible
                    } else {
                        OfferStatus::Irreguliere
                    },
                })
                .collect();
            let mut notes = Vec::new();
            let mut k = 0;
            for o in &offers {
                for leaf in LEAVES {
                    for e in 0..evaluators {
                        notes.push(note(
                            &format!("e{e}"),
                            &o.id,
                            leaf,
                            Decimal::new(halves[k] * 5, 1),
                        ));
                        k += 1;
                    }
                }
            }
            ScoringCase::new(criteria, offers, notes)
        })
}

fn ranks(r: &ScoringResult) -> Vec<(String, u32)> {
    r.ranking
        .iter()
        .map(|o| (o.offer.clone(), o.rank))
        .collect()
}

fn weight_of(case: &ScoringCase, id: &str) -> Decimal {
    for c in &case.criteria {
        if c.id == id {
            return c.weight;
        }
        if let Some(s) = c.sub_criteria.iter().find(|s| s.id == id) {
            return s.weight;
        }
    }
    panic!("unknown criterion {id}")
}

proptest! {
    #[test]
    fn points_stay_within_zero_and_the_weight(case in arb_case()) {
        let r = score(&case).expect("valid");
        for (offer, points) in &r.points {
            for (criterion, p) in points {
                let w = weight_of(&case, criterion);
                prop_assert!(*p >= Decimal::ZERO && *p <= w, "{offer} {criterion} {p} > {w}");
            }
        }
    }

    #[test]
    fn the_lowest_admissible_price_gets_the_full_price_points(case in arb_case()) {
        let r = score(&case).expect("valid");
        let admissible = case.offers.iter().filter(|o| o.status.is_admissible());
        let pmin = admissible.clone().map(|o| o.price).min().expect("one admissible");
        for o in admissible.filter(|o| o.price == pmin) {
            prop_assert_eq!(r.points[&o.id]["prix"], weight_of(&case, "prix"));
        }
    }

    #[test]
    fn a_lower_price_never_gets_fewer_price_points(case in arb_case()) {
        let r = score(&case).expect("valid");
        let adm: Vec<&Offer> = case.offers.iter().filter(|o| o.status.is_admissible()).collect();
        for a in &adm {
            for b in &adm {
                if a.price < b.price {
                    prop_assert!(r.points[&a.id]["prix"] >= r.points[&b.id]["prix"]);
                }
            }
        }
    }

    #[test]
    fn adding_a_constant_to_every_note_keeps_the_ranking(case in arb_case(), c in 0i64..=10) {
        let before = score(&case).expect("valid");
        let mut shifted = case.clone();
        for n in &mut shifted.notes {
            n.value += Decimal::new(c, 1) * Decimal::from(5);
        }
        let after = score(&shifted).expect("valid");
        prop_assert_eq!(ranks(&before), ranks(&after));
    }

    #[test]
    fn ranks_count_strictly_better_totals_and_totals_sum_the_roots(case in arb_case()) {
        let r = score(&case).expect("valid");
        let key = |t: Decimal| t.round_dp(RANKING_DECIMALS);
        for o in &r.ranking {
            let better = r.ranking.iter().filter(|x| key(x.total) > key(o.total)).count();
            prop_assert_eq!(o.rank as usize, better + 1);
            let p = &r.points[&o.offer];
            prop_assert_eq!(o.total, p["prix"] + p["tech"] + p["env"]);
            prop_assert_eq!(p["tech"], p["fonct"] + p["deploi"]);
        }
        prop_assert!(r.ranking.windows(2).all(|w| key(w[0].total) >= key(w[1].total)));
    }

    #[test]
    fn excluded_offers_never_influence_the_result(case in arb_case(), price in 1i64..=1_000_000) {
        let before = score(&case).expect("valid");
        let mut changed = case.clone();
        let excluded: Vec<String> = changed.offers.iter()
            .filter(|o| !o.status.is_admissible()).map(|o| o.id.clone()).collect();
        for o in changed.offers.iter_mut().filter(|o| !o.status.is_admissible()) {
            o.price = Decimal::new(price, 2);
        }
        changed.notes.retain(|n| !excluded.contains(&n.offer));
        let after = score(&changed).expect("valid");
        prop_assert_eq!(&before.ranking, &after.ranking);
        prop_assert_eq!(&before.points, &after.points);
    }

    #[test]
    fn input_order_of_offers_and_notes_does_not_matter(case in arb_case()) {
        let before = score(&case).expect("valid");
        let mut reversed = case.clone();
        reversed.offers.reverse();
        reversed.notes.reverse();
        let after = score(&reversed).expect("valid");
        prop_assert_eq!(&before.ranking, &after.ranking);
        prop_assert_eq!(&before.points, &after.points);
    }

    #[test]
    fn oab_flags_only_admissible_offers_below_their_threshold(case in arb_case()) {
        for m in [OabMethod::default(), OabMethod::reduced_mean(), OabMethod::mean_minus_std_dev()] {
            for f in detect_oab(&case.offers, &m).expect("valid method") {
                prop_assert!(f.price < f.threshold);
                let o = case.offers.iter().find(|o| o.id == f.offer).expect("known offer");
                prop_assert!(o.status.is_admissible());
            }
        }
    }

    #[test]
    fn sqrt_squares_back(mantissa in 0i64..=i64::MAX, scale in 0u32..=12) {
        let v = Decimal::new(mantissa, scale);
        let s = decimal_sqrt(v).expect("non-negative");
        let tolerance = (v * Decimal::new(1, 20)).max(Decimal::new(1, 24));
        prop_assert!((s * s - v).abs() <= tolerance, "sqrt({v}) = {s}");
    }
}
