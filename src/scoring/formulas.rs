//! Price scoring formulas (DOMAIN §4.6).
//!
//! Notation: P = price of the offer, Pmin / Pmax = lowest / highest price among the
//! **admissible** offers, N = maximum points (the weight of the price criterion). Every formula
//! gives the full N to the lowest price, as the case law requires (CE 29 oct. 2013 n° 370789),
//! and none neutralises the price gaps (CE 3 nov. 2014 Belleville-sur-Loire n° 373362).
//! All of them depend on Pmin (and min-max on Pmax): adding or removing an offer can reverse the
//! order of two others (rank reversal, see [`crate::scoring::robustness`]).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How price points are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceFormula {
    /// "Proportionnelle": N × Pmin / P. Never reaches 0; score ratio = inverse price ratio.
    Proportional,
    /// "Linéaire, écart relatif au moins-disant": N × max(0, 2 − P / Pmin). An offer at twice
    /// Pmin or more gets 0.
    LinearRelative,
    /// "Linéaire min-max": N × (Pmax − P) / (Pmax − Pmin); N for everyone when all prices are
    /// equal. The highest offer always gets 0.
    MinMax,
}

impl PriceFormula {
    /// Every formula, in a fixed order (used by the robustness panel).
    pub const ALL: [PriceFormula; 3] = [
        PriceFormula::Proportional,
        PriceFormula::LinearRelative,
        PriceFormula::MinMax,
    ];

    /// French name with the formula, for reports and the robustness panel.
    #[must_use]
    pub fn label_fr(self) -> &'static str {
        match self {
            PriceFormula::Proportional => "proportionnelle (N × Pmin / P)",
            PriceFormula::LinearRelative => {
                "linéaire relative au moins-disant (N × (2 − P / Pmin))"
            }
            PriceFormula::MinMax => "linéaire min-max (N × (Pmax − P) / (Pmax − Pmin))",
        }
    }

    /// Points of an offer at `price`, out of `max_points`, given the admissible price range.
    ///
    /// `price` must lie in `[range.min, range.max]` and `range.min` must be positive (guaranteed
    /// by [`crate::scoring::validate`]); each formula does a single division so that the
    /// result is exact up to the last of Decimal's 28 significant digits.
    #[must_use]
    pub fn points(self, max_points: Decimal, price: Decimal, range: PriceRange) -> Decimal {
        let PriceRange { min, max } = range;
        match self {
            PriceFormula::Proportional => max_points * min / price,
            PriceFormula::LinearRelative => {
                let numerator = min + min - price;
                if numerator <= Decimal::ZERO {
                    Decimal::ZERO
                } else {
                    max_points * numerator / min
                }
            }
            PriceFormula::MinMax => {
                if max == min {
                    max_points
                } else {
                    max_points * (max - price) / (max - min)
                }
            }
        }
    }
}

/// Lowest and highest price among the admissible offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceRange {
    /// Pmin.
    pub min: Decimal,
    /// Pmax.
    pub max: Decimal,
}

impl PriceRange {
    /// The range of `prices`, or `None` when there is none.
    pub fn of(prices: impl IntoIterator<Item = Decimal>) -> Option<PriceRange> {
        prices.into_iter().fold(None, |acc, p| match acc {
            None => Some(PriceRange { min: p, max: p }),
            Some(r) => Some(PriceRange {
                min: r.min.min(p),
                max: r.max.max(p),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn range(min: Decimal, max: Decimal) -> PriceRange {
        PriceRange { min, max }
    }

    #[test]
    fn proportional_gives_n_times_pmin_over_p() {
        let r = range(dec!(100), dec!(120));
        assert_eq!(
            PriceFormula::Proportional.points(dec!(40), dec!(100), r),
            dec!(40)
        );
        // 40 × 100 / 120 = 33.333…
        let b = PriceFormula::Proportional.points(dec!(40), dec!(120), r);
        assert_eq!(b.round_dp(10), dec!(33.3333333333));
        // 40 × 280000 / 310000 = 36.129032258…
        let r = range(dec!(280000.00), dec!(310000.00));
        assert_eq!(
            PriceFormula::Proportional
                .points(dec!(40), dec!(310000.00), r)
                .round_dp(6),
            dec!(36.129032)
        );
    }

    #[test]
    fn linear_relative_floors_at_zero_from_twice_pmin() {
        let r = range(dec!(100), dec!(300));
        let f = PriceFormula::LinearRelative;
        assert_eq!(f.points(dec!(40), dec!(100), r), dec!(40));
        assert_eq!(f.points(dec!(40), dec!(150), r), dec!(20));
        assert_eq!(f.points(dec!(40), dec!(200), r), dec!(0));
        assert_eq!(f.points(dec!(40), dec!(300), r), dec!(0));
        assert_eq!(f.points(dec!(40), dec!(110), r), dec!(36));
    }

    #[test]
    fn min_max_gives_zero_to_the_highest_and_n_when_all_equal() {
        let f = PriceFormula::MinMax;
        let r = range(dec!(100), dec!(200));
        assert_eq!(f.points(dec!(40), dec!(100), r), dec!(40));
        assert_eq!(f.points(dec!(40), dec!(110), r), dec!(36));
        assert_eq!(f.points(dec!(40), dec!(200), r), dec!(0));
        let flat = range(dec!(100), dec!(100));
        assert_eq!(f.points(dec!(40), dec!(100), flat), dec!(40));
    }

    #[test]
    fn range_of_prices() {
        assert_eq!(PriceRange::of(Vec::new()), None);
        assert_eq!(
            PriceRange::of([dec!(120), dec!(60), dec!(100)]),
            Some(range(dec!(60), dec!(120)))
        );
    }

    #[test]
    fn formulas_serialize_as_in_the_case_file() {
        let names: Vec<String> = PriceFormula::ALL
            .iter()
            .map(|f| serde_json::to_string(f).expect("serialize"))
            .collect();
        assert_eq!(
            names,
            ["\"proportional\"", "\"linear_relative\"", "\"min_max\""]
        );
    }
}
