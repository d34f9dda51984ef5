//! French administrative identifiers used by the groupement: SIREN, SIRET and FINESS.
//!
//! Every identifier is parsed from user input (spaces and non-breaking spaces are removed),
//! checked for length, characters and check key, and then kept in its compact form.
//! Errors name the field at fault, e.g. « FINESS juridique "595005821" : la clé de contrôle est
//! invalide ».

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// SIREN of La Poste, whose establishments use a special SIRET key (see [`Siret`]).
pub const LA_POSTE_SIREN: &str = "356000000";

/// What is wrong with an identifier (French messages, without the field name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierFault {
    #[error("la valeur est vide")]
    Empty,
    #[error("le caractère « {character} » (position {position}) n'est pas autorisé")]
    InvalidCharacter { character: char, position: usize },
    #[error("{expected} caractères attendus, {found} trouvés")]
    WrongLength { expected: usize, found: usize },
    #[error("la clé de contrôle est invalide")]
    InvalidKey,
    #[error("le SIREN contenu (9 premiers chiffres) a une clé de contrôle invalide")]
    InvalidSirenKey,
}

/// An identifier rejected by a parser, carrying the field it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{label} \"{value}\" : {fault}")]
pub struct IdentifierError {
    /// Field name or label as given by the caller (e.g. `finess_juridique`).
    pub field: String,
    /// Human French label of the field (e.g. `FINESS juridique`), see [`field_label`].
    pub label: String,
    /// The value as written by the user (trimmed).
    pub value: String,
    pub fault: IdentifierFault,
}

impl IdentifierError {
    fn new(field: &str, raw: &str, fault: IdentifierFault) -> Self {
        Self {
            field: field.to_owned(),
            label: field_label(field),
            value: raw.trim().to_owned(),
            fault,
        }
    }
}

/// French label of a field name, for messages: `finess_juridique` → `FINESS juridique`.
/// A string that already looks like a label (contains a space or an upper-case letter) is kept.
pub fn field_label(field: &str) -> String {
    let known = match field {
        "finess" => "FINESS",
        "finess_juridique" => "FINESS juridique",
        "finess_geographique" => "FINESS géographique",
        "coordonnateur_finess_juridique" => "FINESS juridique du coordonnateur",
        "porteur_finess_juridique" => "FINESS juridique du porteur",
        "siret" => "SIRET",
        "siren" => "SIREN",
        "name" => "nom",
        "capacity" => "capacité",
        "address" => "adresse",
        _ => "",
    };
    if !known.is_empty() {
        known.to_owned()
    } else if field.contains(' ') || field.chars().any(char::is_uppercase) {
        field.to_owned()
    } else {
        field.replace('_', " ")
    }
}

/// Builds a French message about a field value: `{label} "{value}" : {message}`.
/// The field is turned into a label with [`field_label`].
pub fn field_message(field: &str, value: &str, message: &str) -> String {
    format!("{} \"{}\" : {}", field_label(field), value, message)
}

/// Removes every kind of white space, including non-breaking (U+00A0) and narrow
/// non-breaking (U+202F) spaces, which French documents use to group digits.
fn compact(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Luhn sum of a digit sequence whose last digit is the key (the key is not doubled).
fn luhn_sum(digits: &[u8]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum()
}

fn digit_values(s: &str) -> Option<Vec<u8>> {
    s.chars()
        .map(|c| c.to_digit(10).and_then(|d| u8::try_from(d).ok()))
        .collect()
}

/// True when `number` (digits only) passes the Luhn (mod 10) check.
pub fn luhn_is_valid(number: &str) -> bool {
    match digit_values(number) {
        Some(d) if !d.is_empty() => luhn_sum(&d).is_multiple_of(10),
        _ => false,
    }
}

/// Luhn key to append to `payload` (digits only); `None` if `payload` has a non-digit.
pub fn luhn_check_digit(payload: &str) -> Option<char> {
    let mut digits = digit_values(payload)?;
    digits.push(0);
    let key = (10 - luhn_sum(&digits) % 10) % 10;
    char::from_digit(key, 10)
}

/// Checks `compact` is exactly `len` ASCII digits.
fn check_digits(field: &str, raw: &str, compact: &str, len: usize) -> Result<(), IdentifierError> {
    if compact.is_empty() {
        return Err(IdentifierError::new(field, raw, IdentifierFault::Empty));
    }
    if let Some((i, c)) = compact
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(IdentifierError::new(
            field,
            raw,
            IdentifierFault::InvalidCharacter {
                character: c,
                position: i + 1,
            },
        ));
    }
    let found = compact.chars().count();
    if found != len {
        return Err(IdentifierError::new(
            field,
            raw,
            IdentifierFault::WrongLength {
                expected: len,
                found,
            },
        ));
    }
    Ok(())
}

macro_rules! string_newtype {
    ($name:ident, $default_field:literal) => {
        impl $name {
            /// Parses with the default field label.
            pub fn parse(s: &str) -> Result<Self, IdentifierError> {
                Self::parse_field($default_field, s)
            }

            /// Compact form (no spaces).
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdentifierError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdentifierError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

/// SIREN: 9-digit identifier of a legal unit in the SIRENE directory kept by INSEE
/// (code de commerce, art. R123-220 et suivants); its last digit is a Luhn key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    /// Parses a SIREN: 9 digits, Luhn key (code de commerce, art. R123-220 et suivants).
    pub fn parse_field(field: &str, s: &str) -> Result<Self, IdentifierError> {
        let c = compact(s);
        check_digits(field, s, &c, 9)?;
        if !luhn_is_valid(&c) {
            return Err(IdentifierError::new(field, s, IdentifierFault::InvalidKey));
        }
        Ok(Self(c))
    }
}
string_newtype!(Siren, "siren");

/// SIRET: 14-digit identifier of an establishment (SIREN + 5-digit NIC) in the SIRENE
/// directory (code de commerce, art. R123-220 et suivants). The key is a Luhn key over the
/// 14 digits, except for La Poste (SIREN 356000000): since its change of status, its SIRETs
/// are valid when the sum of the 14 digits is a multiple of 5; only the head office
/// SIRET 35600000000048 follows the Luhn rule. Source: French Wikipedia, « Système
/// d'identification du répertoire des établissements », section « Exceptions pour le
/// groupe La Poste ».
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    /// Parses a SIRET: 14 digits, valid key (Luhn or La Poste rule) and valid SIREN key.
    pub fn parse_field(field: &str, s: &str) -> Result<Self, IdentifierError> {
        let c = compact(s);
        check_digits(field, s, &c, 14)?;
        let key_ok = if c.starts_with(LA_POSTE_SIREN) {
            let sum: u32 = c.chars().filter_map(|ch| ch.to_digit(10)).sum();
            luhn_is_valid(&c) || sum.is_multiple_of(5)
        } else {
            luhn_is_valid(&c)
        };
        if !key_ok {
            return Err(IdentifierError::new(field, s, IdentifierFault::InvalidKey));
        }
        if !luhn_is_valid(&c[..9]) {
            return Err(IdentifierError::new(
                field,
                s,
                IdentifierFault::InvalidSirenKey,
            ));
        }
        Ok(Self(c))
    }

    /// The SIREN of the legal unit (first 9 digits, already checked by `parse`).
    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }

    /// The NIC (last 5 digits).
    pub fn nic(&self) -> &str {
        &self.0[9..]
    }
}
string_newtype!(Siret, "siret");

/// FINESS: 9-character number of the national directory of health, social and medico-social
/// bodies (arrêté du 23 septembre 2022, JORF du 1er octobre 2022, répertoire FINESS), either
/// juridique (the legal entity) or géographique (the establishment). The first two characters
/// are the département (`2A`/`2B` in Corsica); the last digit is a Luhn key over the first
/// eight characters.
///
/// Corsica: no official text describing the key of `2A`/`2B` numbers was found. The rule
/// implemented here (`2A` counted as `21`, `2B` as `22` before the Luhn check) is the one of
/// the only public validator found, gip-inclusion/pilotage, file
/// `pilotage/itoutils/validators.py` (`check_luhn(finess.replace("2A", "21").replace("2B",
/// "22"))`); it could not be confirmed on real Corsican numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Finess(String);

impl Finess {
    /// Parses a FINESS: 9 characters, digits except a `2A`/`2B` prefix, Luhn key (see type doc).
    pub fn parse_field(field: &str, s: &str) -> Result<Self, IdentifierError> {
        let c = compact(s).to_uppercase();
        if c.is_empty() {
            return Err(IdentifierError::new(field, s, IdentifierFault::Empty));
        }
        let corsican = c.starts_with("2A") || c.starts_with("2B");
        let skip = if corsican { 2 } else { 0 };
        if let Some((i, ch)) = c
            .chars()
            .enumerate()
            .skip(skip)
            .find(|(_, ch)| !ch.is_ascii_digit())
        {
            // Report the character as the user typed it.
            let typed = compact(s).chars().nth(i).unwrap_or(ch);
            return Err(IdentifierError::new(
                field,
                s,
                IdentifierFault::InvalidCharacter {
                    character: typed,
                    position: i + 1,
                },
            ));
        }
        let found = c.chars().count();
        if found != 9 {
            return Err(IdentifierError::new(
                field,
                s,
                IdentifierFault::WrongLength { expected: 9, found },
            ));
        }
        if !luhn_is_valid(&Self::numeric_form(&c)) {
            return Err(IdentifierError::new(field, s, IdentifierFault::InvalidKey));
        }
        Ok(Self(c))
    }

    /// Digits used for the key: `2A` → `21`, `2B` → `22` (see type doc), others unchanged.
    fn numeric_form(c: &str) -> String {
        if let Some(rest) = c.strip_prefix("2A") {
            format!("21{rest}")
        } else if let Some(rest) = c.strip_prefix("2B") {
            format!("22{rest}")
        } else {
            c.to_owned()
        }
    }

    /// Key to append to 8 FINESS characters (digits, or `2A`/`2B` followed by 6 digits).
    pub fn check_digit(first_eight: &str) -> Option<char> {
        let c = first_eight.to_uppercase();
        if c.chars().count() != 8 {
            return None;
        }
        luhn_check_digit(&Self::numeric_form(&c))
    }

    /// True for Corsican numbers (`2A…` / `2B…`).
    pub fn is_corsican(&self) -> bool {
        self.0.starts_with("2A") || self.0.starts_with("2B")
    }
}
string_newtype!(Finess, "finess");

#[cfg(test)]
#[path = "identifiers_tests.rs"]
mod tests;
