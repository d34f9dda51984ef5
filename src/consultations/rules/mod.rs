//! Pure procurement rules engine: dated legal parameters, choice of procedure, legal calendar.
//!
//! Every legal figure lives in [`params`] as a dated parameter chosen by the launch date of the
//! consultation (date the consultation is engaged or the avis is sent, décret 2025-1386 art. 4).

pub mod cli;
pub mod deadlines;
#[cfg(test)]
mod deadlines_tests;
pub mod lots;
pub mod overrides;
pub mod params;
pub mod procedure;
#[cfg(test)]
mod procedure_tests;
pub mod technique;
pub mod technique_choice;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;
use thiserror::Error;

/// Errors of the rules engine (French messages, naming the value at fault).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RulesError {
    #[error(
        "Aucune valeur en vigueur pour le paramètre « {param} » à la date du {date} ({coverage}) : \
         la table des paramètres datés doit être mise à jour avant de traiter cette consultation."
    )]
    ParamOutOfRange {
        param: &'static str,
        date: String,
        coverage: String,
    },
    #[error("Montant invalide « {input} » : {reason}.")]
    InvalidAmount { input: String, reason: String },
    #[error(
        "Date invalide « {input} » pour « {field} » : format attendu AAAA-MM-JJ (ex. 2026-12-01) ou JJ/MM/AAAA."
    )]
    InvalidDate { field: &'static str, input: String },
    #[error(
        "Nature de marché inconnue « {0} » : valeurs possibles « fournitures », « services » ou « travaux »."
    )]
    UnknownNature(String),
    #[error("La consultation doit comporter au moins un lot (ou un marché unique).")]
    NoLot,
    #[error("Lot « {lot} » : {reason}.")]
    InvalidLot { lot: String, reason: String },
    #[error(
        "La justification du choix de « {chosen} » au lieu de « {proposed} » est {problem} : \
         au moins {min_chars} caractères sont exigés, exposant le motif et l'article applicable \
         (il sera repris au rapport de présentation, R2184-3)."
    )]
    JustificationTooShort {
        proposed: &'static str,
        chosen: &'static str,
        problem: String,
        min_chars: usize,
    },
    #[error(
        "La procédure choisie « {0} » est celle proposée par le moteur de règles : aucune dérogation à justifier."
    )]
    OverrideNotNeeded(&'static str),
    #[error("{0}")]
    InvalidInput(String),
}

/// Formats an amount in euros the French way: "350 000,00 €" (plain spaces as thousands separator).
pub fn format_eur(amount: Decimal) -> String {
    let rounded = amount.round_dp(2);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.2}", rounded.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((text.as_str(), "00"));
    let mut grouped = String::new();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{}{grouped},{frac_part} €", if negative { "-" } else { "" })
}

/// Formats a whole amount without cents when it has none: "216 000 €", "83 333,33 €".
pub fn format_eur_short(amount: Decimal) -> String {
    let full = format_eur(amount);
    full.replace(",00 €", " €")
}

/// Parses a French-friendly amount HT: "350000", "350 000,00", "350 000,00 €", "350000.5".
/// Spaces (including non-breaking ones) are thousands separators; the comma or the dot is the
/// decimal separator (not both); at most two decimals; strictly positive.
pub fn parse_amount(input: &str) -> Result<Decimal, RulesError> {
    let err = |reason: &str| RulesError::InvalidAmount {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    let mut cleaned: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202F}' && *c != '\u{00A0}')
        .collect();
    for suffix in ["€HT", "€", "EUR", "HT"] {
        if let Some(stripped) = cleaned.strip_suffix(suffix) {
            cleaned = stripped.to_string();
            break;
        }
    }
    if cleaned.is_empty() {
        return Err(err("le montant est vide"));
    }
    if cleaned.contains(',') && cleaned.contains('.') {
        return Err(err(
            "utiliser soit la virgule soit le point comme séparateur décimal, pas les deux",
        ));
    }
    let normalized = cleaned.replace(',', ".");
    if !normalized
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
    {
        return Err(err(
            "seuls des chiffres, des espaces et une virgule sont attendus (ex. 350 000,00)",
        ));
    }
    let value = Decimal::from_str(&normalized)
        .map_err(|_| err("ce n'est pas un nombre (ex. 350000 ou 350 000,00)"))?;
    if value.scale() > 2 {
        return Err(err("au plus deux décimales (centimes) sont admises"));
    }
    if value <= Decimal::ZERO {
        return Err(err("le montant estimé HT doit être strictement positif"));
    }
    Ok(value)
}

/// Parses a date "2026-12-01" or "01/12/2026"; `field` names the input in the error message.
pub fn parse_date(field: &'static str, input: &str) -> Result<NaiveDate, RulesError> {
    let trimmed = input.trim();
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(trimmed, "%d/%m/%Y"))
        .map_err(|_| RulesError::InvalidDate {
            field,
            input: input.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn formats_euros() {
        assert_eq!(format_eur(dec!(350000)), "350 000,00 €");
        assert_eq!(format_eur(dec!(83333.333)), "83 333,33 €");
        assert_eq!(format_eur(dec!(999.5)), "999,50 €");
        assert_eq!(format_eur(dec!(1000)), "1 000,00 €");
        assert_eq!(format_eur(dec!(-1234567.8)), "-1 234 567,80 €");
        assert_eq!(format_eur(dec!(0)), "0,00 €");
        assert_eq!(format_eur_short(dec!(216000)), "216 000 €");
        assert_eq!(format_eur_short(dec!(215999.99)), "215 999,99 €");
    }

    #[test]
    fn parses_amounts() {
        assert_eq!(parse_amount("350000"), Ok(dec!(350000)));
        assert_eq!(parse_amount("350 000,00"), Ok(dec!(350000)));
        assert_eq!(parse_amount("350\u{202F}000,00 €"), Ok(dec!(350000)));
        assert_eq!(parse_amount("350\u{00A0}000 € HT"), Ok(dec!(350000)));
        assert_eq!(parse_amount("83333.33"), Ok(dec!(83333.33)));
        assert_eq!(parse_amount("215 999,99"), Ok(dec!(215999.99)));
    }

    #[test]
    fn rejects_bad_amounts() {
        for bad in [
            "",
            "  ",
            "abc",
            "-5",
            "0",
            "0,00",
            "1.234,56",
            "12,345",
            "1e5",
            "12 000,001",
            "100,500",
        ] {
            let e = parse_amount(bad).expect_err(bad);
            assert!(e.to_string().starts_with("Montant invalide"), "{bad}: {e}");
        }
        assert_eq!(
            parse_amount("-5").expect_err("negative").to_string(),
            "Montant invalide « -5 » : le montant estimé HT doit être strictement positif."
        );
    }

    #[test]
    fn parses_dates() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert_eq!(parse_date("lancement", "2026-12-01"), Ok(d));
        assert_eq!(parse_date("lancement", " 01/12/2026 "), Ok(d));
        let e = parse_date("lancement", "2026-13-01").expect_err("bad month");
        assert_eq!(
            e.to_string(),
            "Date invalide « 2026-13-01 » pour « lancement » : format attendu AAAA-MM-JJ (ex. 2026-12-01) ou JJ/MM/AAAA."
        );
        assert!(parse_date("lancement", "2026-02-30").is_err());
        assert!(parse_date("lancement", "demain").is_err());
    }
}
