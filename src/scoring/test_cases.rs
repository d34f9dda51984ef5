//! Case builders shared by the scoring tests.

use rust_decimal::Decimal;
use rust_decimal::dec;

use crate::scoring::{
    Criterion, Note, Offer, OfferStatus, PriceFormula, ScoringCase, SubCriterion,
};

/// The example of the issue, as a case file. Notes: fonct 16 and 16 (→ 32 points), deploi 15
/// and 16 (→ 15.5 points); B is irregular.
pub const SPEC_CASE_JSON: &str = r#"{"criteria": [
   {"id": "prix", "label": "Prix", "weight": "40", "kind": "price", "formula": "proportional"},
   {"id": "tech", "label": "Valeur technique", "weight": "60", "kind": "evaluated", "scale": "20",
    "sub_criteria": [{"id": "fonct", "label": "Couverture fonctionnelle", "weight": "40"},
                     {"id": "deploi", "label": "Déploiement", "weight": "20"}]}],
 "offers": [{"id": "A", "bidder": "Éditeur A", "price": "310000.00", "status": "admissible"},
            {"id": "B", "bidder": "Éditeur B", "price": "280000.00", "status": "irreguliere"}],
 "notes": [{"evaluator": "e1", "offer": "A", "criterion": "fonct", "note": "16"},
           {"evaluator": "e2", "offer": "A", "criterion": "fonct", "note": "16"},
           {"evaluator": "e1", "offer": "A", "criterion": "deploi", "note": "15"},
           {"evaluator": "e2", "offer": "A", "criterion": "deploi", "note": "16"}]}"#;

pub fn offer(id: &str, price: Decimal) -> Offer {
    Offer {
        id: id.to_owned(),
        bidder: format!("Éditeur {id}"),
        price,
        status: OfferStatus::Admissible,
    }
}

pub fn note(evaluator: &str, offer: &str, criterion: &str, value: Decimal) -> Note {
    Note {
        evaluator: evaluator.to_owned(),
        offer: offer.to_owned(),
        criterion: criterion.to_owned(),
        value,
    }
}

/// DOMAIN §4.6 setting: price /40 with `formula`, technical value /60 noted directly on a 0–60
/// scale by one evaluator. `offers` are (id, price, technical mark).
pub fn reversal_case(formula: PriceFormula, offers: &[(&str, Decimal, Decimal)]) -> ScoringCase {
    let criteria = vec![
        Criterion::price("prix", "Prix", dec!(40), formula),
        Criterion::evaluated("tech", "Valeur technique", dec!(60), dec!(60)),
    ];
    let notes = offers
        .iter()
        .map(|&(id, _, mark)| note("e1", id, "tech", mark))
        .collect();
    let offers = offers
        .iter()
        .map(|&(id, price, _)| offer(id, price))
        .collect();
    ScoringCase::new(criteria, offers, notes)
}

/// Two roots: price (40) and technical value (60, scale 20) split into fonct (40) and deploi
/// (20); offers A, B, C; two evaluators.
pub fn three_offers() -> ScoringCase {
    let criteria = vec![
        Criterion::price("prix", "Prix", dec!(40), PriceFormula::Proportional),
        Criterion::evaluated("tech", "Valeur technique", dec!(60), dec!(20)).with_sub_criteria(
            vec![
                SubCriterion::new("fonct", "Couverture fonctionnelle", dec!(40)),
                SubCriterion::new("deploi", "Déploiement", dec!(20)),
            ],
        ),
    ];
    let offers = vec![
        offer("A", dec!(100000)),
        offer("B", dec!(125000)),
        offer("C", dec!(80000)),
    ];
    let marks = [
        ("A", dec!(16), dec!(14), dec!(15), dec!(15)),
        ("B", dec!(18), dec!(17), dec!(16), dec!(18)),
        ("C", dec!(10), dec!(12), dec!(11), dec!(9)),
    ];
    let mut notes = Vec::new();
    for (id, f1, f2, d1, d2) in marks {
        notes.push(note("e1", id, "fonct", f1));
        notes.push(note("e2", id, "fonct", f2));
        notes.push(note("e1", id, "deploi", d1));
        notes.push(note("e2", id, "deploi", d2));
    }
    ScoringCase::new(criteria, offers, notes)
}

/// The benchmark shape: `offers` offers × 12 leaf criteria (1 price + 11 evaluated, two of
/// them split) × `evaluators` evaluators, deterministic pseudo-random notes and prices.
pub fn large_case(offers: usize, evaluators: usize) -> ScoringCase {
    // Roots: prix 30, then 7 evaluated roots of 10 points; roots 1 and 2 split in 3 sub-criteria
    // (4 + 3 + 3): 1 price + 5 simple evaluated + 6 sub-criteria = 12 leaves.
    let mut criteria = vec![Criterion::price(
        "prix",
        "Prix",
        dec!(30),
        PriceFormula::Proportional,
    )];
    for r in 1..=7 {
        let mut c = Criterion::evaluated(
            &format!("c{r}"),
            &format!("Critère {r}"),
            dec!(10),
            dec!(20),
        );
        if r <= 2 {
            c = c.with_sub_criteria(vec![
                SubCriterion::new(&format!("c{r}a"), "a", dec!(4)),
                SubCriterion::new(&format!("c{r}b"), "b", dec!(3)),
                SubCriterion::new(&format!("c{r}c"), "c", dec!(3)),
            ]);
        }
        criteria.push(c);
    }
    let leaves: Vec<String> = [
        "c1a", "c1b", "c1c", "c2a", "c2b", "c2c", "c3", "c4", "c5", "c6", "c7",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let offers: Vec<Offer> = (0..offers)
        .map(|i| {
            let cents = 10_000_000 + next() % 5_000_000;
            let mut o = offer(
                &format!("O{i:03}"),
                Decimal::new(i64::try_from(cents).unwrap_or(1), 2),
            );
            if i % 17 == 5 {
                o.status = OfferStatus::Irreguliere;
            }
            o
        })
        .collect();
    let mut notes = Vec::with_capacity(offers.len() * leaves.len() * evaluators);
    for o in &offers {
        for leaf in &leaves {
            for e in 0..evaluators {
                let half_points = i64::try_from(next() % 41).unwrap_or(0);
                notes.push(note(
                    &format!("e{e}"),
                    &o.id,
                    leaf,
                    Decimal::new(half_points * 5, 1),
                ));
            }
        }
    }
    ScoringCase::new(criteria, offers, notes)
}
