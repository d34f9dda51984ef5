//! Rounding for display and French number formatting of the explanations.
//!
//! Computations and ranking use exact values; only display is rounded, half away from zero, to
//! two decimals (e.g. 87.505 → 87.51, 33.3333… → 33.33).

use rust_decimal::{Decimal, RoundingStrategy};

/// Non-breaking space used as thousands separator and before units.
const NBSP: char = '\u{a0}';

/// `d` rounded half away from zero to 2 decimals.
#[must_use]
pub fn round_points(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `d` rounded half away from zero to 2 decimals and always written with 2 decimals and a dot,
/// as in the `coordo score` output (`"40.00"`, `"33.33"`).
#[must_use]
pub fn format_points(d: Decimal) -> String {
    let mut r = round_points(d);
    r.rescale(2);
    r.to_string()
}

/// French writing of an exact number: no trailing zeros, decimal comma (`12,5`).
pub(crate) fn fr_number(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

/// French writing of points, rounded to 2 decimals (`33,33`).
pub(crate) fn fr_points(d: Decimal) -> String {
    format_points(d).replace('.', ",")
}

/// A ratio written as a French percentage (`0.8` → `80 %`).
pub(crate) fn fr_percent(ratio: Decimal) -> String {
    format!("{}{NBSP}%", fr_number(ratio * Decimal::ONE_HUNDRED))
}

/// A French amount in euros, rounded to the cent: `280 000,00 €`.
pub(crate) fn fr_eur(d: Decimal) -> String {
    let s = format_points(d);
    let (sign, digits) = s
        .strip_prefix('-')
        .map_or(("", s.as_str()), |rest| ("-", rest));
    let (int, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(NBSP);
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{cents}{NBSP}€")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn rounds_half_away_from_zero_to_two_decimals() {
        assert_eq!(format_points(dec!(87.505)), "87.51");
        assert_eq!(format_points(dec!(87.504999)), "87.50");
        assert_eq!(format_points(dec!(0.125)), "0.13");
        assert_eq!(format_points(dec!(0.135)), "0.14");
        assert_eq!(format_points(dec!(-0.125)), "-0.13");
        assert_eq!(format_points(dec!(40)), "40.00");
        assert_eq!(format_points(dec!(15.5)), "15.50");
        assert_eq!(format_points(dec!(100) / dec!(3)), "33.33");
        assert_eq!(format_points(dec!(200) / dec!(3)), "66.67");
        assert_eq!(round_points(dec!(2.675)), dec!(2.68));
    }

    #[test]
    fn french_formats() {
        assert_eq!(fr_number(dec!(12.50)), "12,5");
        assert_eq!(fr_number(dec!(5.00)), "5");
        assert_eq!(fr_points(dec!(93.3333)), "93,33");
        assert_eq!(fr_percent(dec!(0.8)), "80\u{a0}%");
        assert_eq!(fr_percent(dec!(0.25)), "25\u{a0}%");
        assert_eq!(fr_eur(dec!(280000)), "280\u{a0}000,00\u{a0}€");
        assert_eq!(fr_eur(dec!(1234567.891)), "1\u{a0}234\u{a0}567,89\u{a0}€");
        assert_eq!(fr_eur(dec!(999.995)), "1\u{a0}000,00\u{a0}€");
        assert_eq!(fr_eur(dec!(12)), "12,00\u{a0}€");
        assert_eq!(fr_eur(dec!(-1500)), "-1\u{a0}500,00\u{a0}€");
    }
}
