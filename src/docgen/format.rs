//! French formatting of dates, times, amounts and decimals for the pièces du marché.
//!
//! Conventions (chosen and documented here, used by the `date_fr`, `money`, `decimal` helpers):
//! - dates: « 21 mars 2024 », « 1er avril 2026 » (ordinal only for the first day of the month);
//! - times: « 12 h 00 » (notation of the Imprimerie nationale, used in French administrative letters);
//! - thousands separator: U+202F NARROW NO-BREAK SPACE (CLDR `fr`), so an amount never breaks
//!   across lines; decimal separator: comma;
//! - currency: U+00A0 NO-BREAK SPACE then « € »; amounts are rounded to the cent, half away from zero;
//! - a date-time is shown as written (its wall-clock part): contexts carry Europe/Paris local times.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Thousands separator: U+202F NARROW NO-BREAK SPACE (CLDR `fr`).
pub const THOUSANDS_SEP: char = '\u{202F}';
/// Space between an amount and its unit (« € », « % »): U+00A0 NO-BREAK SPACE.
pub const UNIT_SEP: char = '\u{A0}';

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// French name of a weekday (« lundi »…).
pub fn weekday_fr(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

/// « 21 mars 2024 », « 1er avril 2026 ».
pub fn date_fr(date: NaiveDate) -> String {
    let day = if date.day() == 1 {
        "1er".to_owned()
    } else {
        date.day().to_string()
    };
    format!("{day} {} {}", MONTHS[date.month0() as usize], date.year())
}

/// « vendredi 15 janvier 2027 ».
pub fn date_fr_with_weekday(date: NaiveDate) -> String {
    format!("{} {}", weekday_fr(date.weekday()), date_fr(date))
}

/// « 12 h 00 », « 9 h 30 ».
pub fn time_fr(time: NaiveTime) -> String {
    format!("{} h {:02}", time.hour(), time.minute())
}

/// « 15 janvier 2027 à 12 h 00 ».
pub fn datetime_fr(dt: NaiveDateTime) -> String {
    format!("{} à {}", date_fr(dt.date()), time_fr(dt.time()))
}

/// Parses « AAAA-MM-JJ » or a date-time (« AAAA-MM-JJTHH:MM[:SS][décalage] ») and keeps its date.
///
/// # Errors
/// A French message naming the value when it is not a date.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d);
    }
    parse_datetime(s)
        .map(|dt| dt.date())
        .map_err(|_| format!("« {s} » n'est pas une date (format attendu AAAA-MM-JJ)"))
}

/// Parses a date-time and returns its wall-clock part (the offset, if any, is not applied:
/// contexts carry Europe/Paris local times, e.g. `2027-01-15T12:00:00+01:00` → 15/01/2027 12 h 00).
///
/// # Errors
/// A French message naming the value when it is not a date-time.
pub fn parse_datetime(s: &str) -> Result<NaiveDateTime, String> {
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(dt.naive_local());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(dt);
        }
    }
    Err(format!(
        "« {s} » n'est pas une date et heure (format attendu AAAA-MM-JJTHH:MM)"
    ))
}

/// Parses a decimal written as a JSON string (« 1234.56 ») or number.
///
/// # Errors
/// A French message naming the value when it is not a decimal number.
pub fn parse_decimal(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .map_err(|_| format!("« {s} » n'est pas un nombre décimal (ex. 1234.56)"))
}

/// Parses a decimal as people type it in a French form: « 12,5 », « 1 234,50 », « 12.5 »
/// (spaces, non-breaking and narrow spaces are thousands separators; comma or dot).
///
/// # Errors
/// A French message naming the value.
pub fn parse_decimal_fr(s: &str) -> Result<Decimal, String> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202F}' && *c != '\u{00A0}')
        .collect();
    if t.contains(',') && t.contains('.') {
        return Err(format!(
            "« {} » : utilisez la virgule ou le point comme séparateur décimal, pas les deux",
            s.trim()
        ));
    }
    Decimal::from_str(&t.replace(',', "."))
        .map_err(|_| format!("« {} » n'est pas un nombre (ex. 12,5)", s.trim()))
}

/// Groups the integer digits by three with [`THOUSANDS_SEP`].
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(THOUSANDS_SEP);
        }
        out.push(c);
    }
    out
}

/// « 1 234,5 » (`dp = None`: as many decimals as the value has, trailing zeros removed)
/// or « 1 234,50 » (`dp = Some(2)`: rounded half away from zero and padded).
pub fn decimal_fr(value: Decimal, dp: Option<u32>) -> String {
    let v = match dp {
        Some(dp) => value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero),
        None => value.normalize(),
    };
    let text = match dp {
        Some(dp) => format!("{:.*}", dp as usize, v.abs()),
        None => v.abs().to_string(),
    };
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::new();
    if v.is_sign_negative() && !v.is_zero() {
        out.push('-');
    }
    out.push_str(&group_thousands(int_part));
    if let Some(f) = frac_part.filter(|f| !f.is_empty()) {
        out.push(',');
        out.push_str(f);
    }
    out
}

/// « 1 234,56 € » (rounded to the cent, half away from zero).
pub fn money_fr(value: Decimal) -> String {
    format!("{}{UNIT_SEP}€", decimal_fr(value, Some(2)))
}

/// « 40 % », « 12,5 % ».
pub fn percent_fr(value: Decimal) -> String {
    format!("{}{UNIT_SEP}%", decimal_fr(value, None))
}

/// The contract's name in a sentence (`form`: `le`, `Le`, `du`, `au`, `nom`) after the
/// technique d'achat code (`aucune`, `accord_cadre`, `sad`; `None`: an accord-cadre, as every
/// piece was before the technique was recorded).
///
/// # Errors
/// An unknown form or technique, in French.
pub fn contract_words(technique: Option<&str>, form: &str) -> Result<&'static str, String> {
    const ACCORD_CADRE: [&str; 5] = [
        "l'accord-cadre",
        "L'accord-cadre",
        "de l'accord-cadre",
        "à l'accord-cadre",
        "accord-cadre",
    ];
    const SPECIFIQUE: [&str; 5] = [
        "le marché spécifique",
        "Le marché spécifique",
        "du marché spécifique",
        "au marché spécifique",
        "marché spécifique",
    ];
    const MARCHE: [&str; 5] = ["le marché", "Le marché", "du marché", "au marché", "marché"];
    let words = match technique {
        None | Some("accord_cadre") => ACCORD_CADRE,
        Some("sad") => SPECIFIQUE,
        Some("aucune") => MARCHE,
        Some(other) => return Err(format!("technique d'achat « {other} » inconnue")),
    };
    let i = match form {
        "le" => 0,
        "Le" => 1,
        "du" => 2,
        "au" => 3,
        "nom" => 4,
        other => {
            return Err(format!(
                "forme « {other} » inconnue : le, Le, du, au ou nom"
            ));
        }
    };
    Ok(words[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn french_typed_decimals_are_read() {
        assert_eq!(parse_decimal_fr(" 2,5 "), Ok(dec!(2.5)));
        assert_eq!(parse_decimal_fr("1\u{202F}234,50"), Ok(dec!(1234.50)));
        assert_eq!(parse_decimal_fr("12.5"), Ok(dec!(12.5)));
        assert!(
            parse_decimal_fr("1.234,5")
                .unwrap_err()
                .contains("pas les deux")
        );
        assert!(
            parse_decimal_fr("douze")
                .unwrap_err()
                .contains("« douze » n'est pas un nombre")
        );
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_use_french_months_and_first_day_ordinal() {
        assert_eq!(date_fr(d(2024, 3, 21)), "21 mars 2024");
        assert_eq!(date_fr(d(2026, 4, 1)), "1er avril 2026");
        assert_eq!(date_fr(d(2027, 8, 2)), "2 août 2027");
        assert_eq!(date_fr(d(2026, 12, 31)), "31 décembre 2026");
        assert_eq!(
            date_fr_with_weekday(d(2027, 1, 15)),
            "vendredi 15 janvier 2027"
        );
    }

    #[test]
    fn datetimes_keep_the_wall_clock_time() {
        let dt = parse_datetime("2027-01-15T12:00:00+01:00").unwrap();
        assert_eq!(datetime_fr(dt), "15 janvier 2027 à 12 h 00");
        let dt = parse_datetime("2027-01-05T09:30").unwrap();
        assert_eq!(time_fr(dt.time()), "9 h 30");
        assert_eq!(parse_date("2027-01-15T12:00:00").unwrap(), d(2027, 1, 15));
        assert!(parse_date("15/01/2027").unwrap_err().contains("15/01/2027"));
        assert!(parse_datetime("2027-02-30T10:00").is_err());
    }

    #[test]
    fn money_groups_thousands_with_narrow_no_break_space() {
        assert_eq!(money_fr(dec!(1234.56)), "1\u{202F}234,56\u{A0}€");
        assert_eq!(money_fr(dec!(350000)), "350\u{202F}000,00\u{A0}€");
        assert_eq!(money_fr(dec!(0.005)), "0,01\u{A0}€");
        assert_eq!(money_fr(dec!(999.994)), "999,99\u{A0}€");
        assert_eq!(money_fr(dec!(1000000)), "1\u{202F}000\u{202F}000,00\u{A0}€");
        assert_eq!(money_fr(dec!(-1234.5)), "-1\u{202F}234,50\u{A0}€");
        assert_eq!(money_fr(dec!(-0.001)), "0,00\u{A0}€");
    }

    #[test]
    fn decimals_keep_significant_digits_or_round() {
        assert_eq!(decimal_fr(dec!(17.50), None), "17,5");
        assert_eq!(decimal_fr(dec!(18.755), Some(2)), "18,76");
        assert_eq!(decimal_fr(dec!(12345), None), "12\u{202F}345");
        assert_eq!(decimal_fr(dec!(100), Some(0)), "100");
        assert_eq!(percent_fr(dec!(40)), "40\u{A0}%");
        assert_eq!(parse_decimal(" 12.5 ").unwrap(), dec!(12.5));
        assert!(parse_decimal("12,5").unwrap_err().contains("12,5"));
    }
}
