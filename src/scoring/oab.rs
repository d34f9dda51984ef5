//! Detection of possibly abnormally low offers (offres anormalement basses, OAB).
//!
//! The buyer must detect OABs and, when an offer seems abnormally low, ask the tenderer for
//! precisions and justifications (L2152-6, R2152-3); it may reject it only after that
//! contradictory check (R2152-4). A mathematical threshold may therefore only **flag** offers:
//! automatic exclusion is illegal (DOMAIN §4.4). None of the heuristics below is legal; the one
//! chosen should be stated in the règlement de consultation and the analysis report.
//!
//! Only `admissible` offers are compared (the "compliant offers" of the heuristics).

use rust_decimal::Decimal;
use rust_decimal::dec;
use serde::{Deserialize, Serialize};

use crate::scoring::error::ScoringError;
use crate::scoring::fmt::{fr_eur, fr_number, fr_percent};
use crate::scoring::model::Offer;

/// A detection heuristic and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum OabMethod {
    /// Practitioners' ratio: suspect when P < ratio × mean of the **other** admissible offers
    /// (default ratio 0.8).
    RatioOfMeanOfOthers {
        /// In `]0, 1]`.
        ratio: Decimal,
    },
    /// FFB "moyenne réduite": M1 = mean of the admissible offers; offers above
    /// `exclusion_factor` × M1 (1.2) are dropped; M2 = mean of the rest; suspect when
    /// P < `suspicion_factor` × M2 (0.9). An offer at exactly 0.9 × M2 is not flagged.
    ReducedMean {
        /// At least 1.
        exclusion_factor: Decimal,
        /// In `]0, 1]`.
        suspicion_factor: Decimal,
    },
    /// FFB/APVF 2015: suspect when P < mean − k × population standard deviation (k = 1).
    MeanMinusStdDev {
        /// In `]0, 10]`.
        k: Decimal,
    },
}

impl Default for OabMethod {
    fn default() -> Self {
        OabMethod::RatioOfMeanOfOthers { ratio: dec!(0.8) }
    }
}

impl OabMethod {
    /// FFB reduced mean with its usual factors 1.2 and 0.9.
    #[must_use]
    pub fn reduced_mean() -> Self {
        OabMethod::ReducedMean {
            exclusion_factor: dec!(1.2),
            suspicion_factor: dec!(0.9),
        }
    }

    /// Mean minus one standard deviation.
    #[must_use]
    pub fn mean_minus_std_dev() -> Self {
        OabMethod::MeanMinusStdDev { k: Decimal::ONE }
    }

    fn check(&self) -> Result<(), ScoringError> {
        let bad = |name: &str, value: Decimal, expected: &str| {
            Err(ScoringError::InvalidOabParameter {
                name: name.into(),
                value,
                expected: expected.into(),
            })
        };
        match *self {
            OabMethod::RatioOfMeanOfOthers { ratio }
                if ratio <= Decimal::ZERO || ratio > Decimal::ONE =>
            {
                bad("ratio", ratio, "attendu entre 0 (exclu) et 1")
            }
            OabMethod::ReducedMean {
                exclusion_factor, ..
            } if exclusion_factor < Decimal::ONE => {
                bad("exclusion_factor", exclusion_factor, "attendu au moins 1")
            }
            OabMethod::ReducedMean {
                suspicion_factor, ..
            } if suspicion_factor <= Decimal::ZERO || suspicion_factor > Decimal::ONE => bad(
                "suspicion_factor",
                suspicion_factor,
                "attendu entre 0 (exclu) et 1",
            ),
            OabMethod::MeanMinusStdDev { k } if k <= Decimal::ZERO || k > Decimal::TEN => {
                bad("k", k, "attendu entre 0 (exclu) et 10")
            }
            _ => Ok(()),
        }
    }
}

/// An offer flagged as possibly abnormally low. Never a rejection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OabFlag {
    /// Offer identifier.
    pub offer: String,
    /// Tenderer.
    pub bidder: String,
    /// Price of the offer.
    pub price: Decimal,
    /// Price under which an offer is flagged.
    pub threshold: Decimal,
    /// French explanation, with the next step (request for justifications).
    pub explanation: String,
}

const NEXT_STEP: &str = "Offre susceptible d'être anormalement basse : demander par écrit au \
    soumissionnaire des précisions et justifications sur le montant de son offre (L2152-6, \
    R2152-3). Ce signalement ne vaut pas rejet : seule la vérification contradictoire peut \
    établir le caractère anormalement bas (R2152-4).";

/// Flags the admissible offers that `method` finds suspiciously low, in input order.
///
/// # Errors
/// [`ScoringError::InvalidOabParameter`] when a parameter is out of range.
pub fn detect_oab(offers: &[Offer], method: &OabMethod) -> Result<Vec<OabFlag>, ScoringError> {
    method.check()?;
    let admissible: Vec<&Offer> = offers.iter().filter(|o| o.status.is_admissible()).collect();
    let n = Decimal::from(admissible.len());
    if admissible.len() < 2 {
        return Ok(Vec::new());
    }
    let sum: Decimal = admissible.iter().map(|o| o.price).sum();
    let flag = |o: &Offer, threshold: Decimal, why: String| OabFlag {
        offer: o.id.clone(),
        bidder: o.bidder.clone(),
        price: o.price,
        threshold,
        explanation: format!(
            "Le prix de l'offre « {} » ({}), {}, {why} {NEXT_STEP}",
            o.id,
            o.bidder,
            fr_eur(o.price)
        ),
    };
    let mut flags = Vec::new();
    match *method {
        OabMethod::RatioOfMeanOfOthers { ratio } => {
            for o in &admissible {
                let mean_others = (sum - o.price) / (n - Decimal::ONE);
                let threshold = ratio * mean_others;
                if o.price < threshold {
                    let why = format!(
                        "est inférieur à {} de la moyenne des autres offres admissibles ({}), \
                         soit un seuil de {}.",
                        fr_percent(ratio),
                        fr_eur(mean_others),
                        fr_eur(threshold)
                    );
                    flags.push(flag(o, threshold, why));
                }
            }
        }
        OabMethod::ReducedMean {
            exclusion_factor,
            suspicion_factor,
        } => {
            let m1 = sum / n;
            let ceiling = exclusion_factor * m1;
            let kept: Vec<&&Offer> = admissible.iter().filter(|o| o.price <= ceiling).collect();
            let m2 = kept.iter().map(|o| o.price).sum::<Decimal>() / Decimal::from(kept.len());
            let threshold = suspicion_factor * m2;
            let dropped = admissible.len() - kept.len();
            for o in &admissible {
                if o.price < threshold {
                    let why = format!(
                        "est inférieur à {} de la moyenne réduite M2 = {} (méthode FFB : moyenne \
                         des offres admissibles M1 = {} ; {dropped} offre(s) au-delà de {} de M1 \
                         écartée(s) du calcul de M2), soit un seuil de {}.",
                        fr_percent(suspicion_factor),
                        fr_eur(m2),
                        fr_eur(m1),
                        fr_percent(exclusion_factor),
                        fr_eur(threshold)
                    );
                    flags.push(flag(o, threshold, why));
                }
            }
        }
        OabMethod::MeanMinusStdDev { k } => {
            let mean = sum / n;
            let variance = admissible
                .iter()
                .map(|o| (o.price - mean) * (o.price - mean))
                .sum::<Decimal>()
                / n;
            let sigma = decimal_sqrt(variance).unwrap_or(Decimal::ZERO);
            let threshold = mean - k * sigma;
            for o in &admissible {
                if o.price < threshold {
                    let why = format!(
                        "est inférieur à la moyenne des offres admissibles ({}) diminuée de {} \
                         écart(s)-type(s) ({}), soit un seuil de {}.",
                        fr_eur(mean),
                        fr_number(k),
                        fr_eur(sigma),
                        fr_eur(threshold)
                    );
                    flags.push(flag(o, threshold, why));
                }
            }
        }
    }
    Ok(flags)
}

/// Square root of a non-negative Decimal by Newton's iterations (`x ← (x + v / x) / 2`), started
/// above the root at a power of ten so that the sequence decreases to it; stops when it no longer
/// decreases (full Decimal precision). Implemented here rather than with rust_decimal's `maths`
/// feature. `None` for a negative input.
#[must_use]
pub fn decimal_sqrt(v: Decimal) -> Option<Decimal> {
    if v.is_sign_negative() && !v.is_zero() {
        return None;
    }
    if v.is_zero() {
        return Some(Decimal::ZERO);
    }
    let mut x = Decimal::ONE;
    while x.checked_mul(x).is_some_and(|square| square < v) {
        x *= Decimal::TEN;
    }
    for _ in 0..200 {
        let next = (x + v / x) / Decimal::TWO;
        if next >= x {
            break;
        }
        x = next;
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::model::OfferStatus;

    fn offer(id: &str, price: Decimal) -> Offer {
        Offer {
            id: id.into(),
            bidder: format!("Société {id}"),
            price,
            status: OfferStatus::Admissible,
        }
    }

    fn flagged(offers: &[Offer], m: &OabMethod) -> Vec<String> {
        detect_oab(offers, m)
            .expect("valid method")
            .into_iter()
            .map(|f| f.offer)
            .collect()
    }

    #[test]
    fn sqrt_by_newton() {
        assert_eq!(decimal_sqrt(dec!(0)), Some(dec!(0)));
        assert_eq!(decimal_sqrt(dec!(-1)), None);
        assert_eq!(decimal_sqrt(dec!(4)).map(|r| r.round_dp(24)), Some(dec!(2)));
        assert_eq!(
            decimal_sqrt(dec!(0.25)).map(|r| r.round_dp(24)),
            Some(dec!(0.5))
        );
        assert_eq!(
            decimal_sqrt(dec!(2)).map(|r| r.round_dp(20)),
            Some(dec!(1.41421356237309504880))
        );
        assert_eq!(
            decimal_sqrt(dec!(1_000_000_000_000_000_000_000_000)).map(|r| r.round_dp(10)),
            Some(dec!(1_000_000_000_000))
        );
        assert!(decimal_sqrt(Decimal::MAX).is_some());
    }

    #[test]
    fn ratio_of_mean_of_others_flags_below_80_percent() {
        // Others of A: (100 + 100 + 100) / 3 = 100 → threshold 80: A at 79 flagged, 80 not.
        let mut offers = vec![
            offer("A", dec!(79)),
            offer("B", dec!(100)),
            offer("C", dec!(100)),
            offer("D", dec!(100)),
        ];
        let m = OabMethod::default();
        assert_eq!(flagged(&offers, &m), ["A"]);
        let f = &detect_oab(&offers, &m).expect("valid")[0];
        assert_eq!(f.threshold, dec!(80));
        assert!(f.explanation.contains("80\u{a0}%"), "{}", f.explanation);
        assert!(f.explanation.contains("L2152-6"), "{}", f.explanation);
        assert!(
            f.explanation.contains("ne vaut pas rejet"),
            "{}",
            f.explanation
        );
        offers[0].price = dec!(80);
        assert!(flagged(&offers, &m).is_empty());
        // Excluded offers are not compared, and are never flagged.
        offers[0].price = dec!(10);
        offers[0].status = OfferStatus::Irreguliere;
        assert!(flagged(&offers, &m).is_empty());
    }

    #[test]
    fn reduced_mean_drops_high_offers_before_the_second_mean() {
        // M1 = (70 + 95 + 100 + 105 + 230) / 5 = 120; drop > 144 (230); M2 = 370 / 4 = 92.5;
        // threshold 0.9 × 92.5 = 83.25: only A (70) flagged.
        let offers = vec![
            offer("A", dec!(70)),
            offer("B", dec!(95)),
            offer("C", dec!(100)),
            offer("D", dec!(105)),
            offer("E", dec!(230)),
        ];
        let flags = detect_oab(&offers, &OabMethod::reduced_mean()).expect("valid");
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].offer, "A");
        assert_eq!(flags[0].threshold, dec!(83.25));
        assert!(
            flags[0].explanation.contains("1 offre(s)"),
            "{}",
            flags[0].explanation
        );
        // Without dropping E, M1 × 0.9 = 108 would have flagged A to D: the reduction matters.
        // Exactly 0.9 × M2 is not flagged: 90 vs M2 = 100.
        let edge = vec![offer("A", dec!(90)), offer("B", dec!(110))];
        assert!(flagged(&edge, &OabMethod::reduced_mean()).is_empty());
    }

    #[test]
    fn mean_minus_one_std_dev() {
        // Prices 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population σ = 2 → threshold 3: only A.
        let prices = [2, 4, 4, 4, 5, 5, 7, 9];
        let offers: Vec<Offer> = prices
            .iter()
            .enumerate()
            .map(|(i, p)| offer(&format!("O{i}"), Decimal::from(*p)))
            .collect();
        let flags = detect_oab(&offers, &OabMethod::mean_minus_std_dev()).expect("valid");
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].offer, "O0");
        assert_eq!(flags[0].threshold.round_dp(20), dec!(3));
        // k = 0.5 → threshold 4: still only O0 (4 is not below 4).
        let half = OabMethod::MeanMinusStdDev { k: dec!(0.5) };
        assert_eq!(flagged(&offers, &half), ["O0"]);
    }

    #[test]
    fn fewer_than_two_offers_flag_nothing_and_bad_parameters_are_errors() {
        let one = vec![offer("A", dec!(1))];
        assert!(flagged(&one, &OabMethod::default()).is_empty());
        let err = detect_oab(&one, &OabMethod::RatioOfMeanOfOthers { ratio: dec!(1.5) })
            .expect_err("ratio > 1");
        assert!(err.to_string().contains("« ratio »"), "{err}");
        assert!(
            detect_oab(
                &one,
                &OabMethod::ReducedMean {
                    exclusion_factor: dec!(0.9),
                    suspicion_factor: dec!(0.9)
                }
            )
            .is_err()
        );
        assert!(detect_oab(&one, &OabMethod::MeanMinusStdDev { k: dec!(0) }).is_err());
    }

    #[test]
    fn method_serializes_with_its_name() {
        assert_eq!(
            serde_json::to_value(OabMethod::default()).expect("serialize"),
            serde_json::json!({"method": "ratio_of_mean_of_others", "ratio": "0.8"})
        );
    }
}
