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
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every FINESS (juridique and géographique) of data/groupement.json, plus the two
    /// FINESS juridiques of the engagement letters (590799995, 590798617) that pass the key.
    const SEED_FINESS: [&str; 32] = [
        "590059945",
        "620002378",
        "590036745",
        "590799995",
        "590798617",
        "590044947",
        "590054144",
        "590052205",
        "620029165",
        "620029124",
        "590798377",
        "590807723",
        "590793030",
        "590000329",
        "590795407",
        "590054367",
        "590057857",
        "590057865",
        "020011078",
        "020011128",
        "590796371",
        "590793972",
        "620001735",
        "620108175",
        "620116582",
        "590797528",
        "590793170",
        "590800942",
        "620023713",
        "620109967",
        "620107243",
        "620116590",
    ];

    /// Every SIRET of data/groupement.json.
    const SEED_SIRET: [&str; 21] = [
        "77562471100708",
        "77562471100690",
        "77562471100666",
        "77562471100625",
        "77562471100658",
        "26590507500056",
        "26590507500023",
        "30171118000028",
        "30171118000044",
        "51835214100015",
        "26020094400023",
        "26590650300031",
        "26590650300056",
        "34067007400053",
        "34067007400061",
        "34067007400087",
        "34067007400046",
        "26590017500125",
        "26590017500034",
        "92376482300012",
        "35238797100034",
    ];

    /// All strings differing from `s` by exactly one digit (digits positions only).
    fn single_digit_variants(s: &str) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        let mut out = Vec::new();
        for (i, c) in chars.iter().enumerate() {
            if !c.is_ascii_digit() {
                continue;
            }
            for d in '0'..='9' {
                if d != *c {
                    let mut v = chars.clone();
                    v[i] = d;
                    out.push(v.into_iter().collect());
                }
            }
        }
        out
    }

    #[test]
    fn every_seed_finess_passes_and_every_single_digit_change_fails() {
        for f in SEED_FINESS {
            assert_eq!(Finess::parse(f).unwrap().as_str(), f);
            for v in single_digit_variants(f) {
                let err = Finess::parse(&v).unwrap_err();
                assert_eq!(err.fault, IdentifierFault::InvalidKey, "{v}");
            }
        }
    }

    #[test]
    fn every_seed_siret_passes_and_every_single_digit_change_fails() {
        for s in SEED_SIRET {
            let siret = Siret::parse(s).unwrap();
            assert_eq!(siret.as_str(), s);
            assert_eq!(siret.siren().as_str(), &s[..9]);
            assert!(Siren::parse(&s[..9]).is_ok());
            for v in single_digit_variants(s) {
                assert!(Siret::parse(&v).is_err(), "{v}");
            }
        }
    }

    #[test]
    fn engagement_letter_finess_fails_with_field_label() {
        let err = Finess::parse_field("finess_juridique", "595005821").unwrap_err();
        assert_eq!(
            err.to_string(),
            "FINESS juridique \"595005821\" : la clé de contrôle est invalide"
        );
        assert_eq!(err.field, "finess_juridique");
        let err = Finess::parse("595005821").unwrap_err();
        assert_eq!(
            err.to_string(),
            "FINESS \"595005821\" : la clé de contrôle est invalide"
        );
        // A caller-given label is kept as is.
        let err = Finess::parse_field("FINESS de l'ESMS", "59").unwrap_err();
        assert_eq!(
            err.to_string(),
            "FINESS de l'ESMS \"59\" : 9 caractères attendus, 2 trouvés"
        );
    }

    #[test]
    fn spaces_and_non_breaking_spaces_are_removed() {
        assert_eq!(
            Finess::parse(" 590 059 945 ").unwrap().as_str(),
            "590059945"
        );
        assert_eq!(
            Finess::parse("59\u{a0}005\u{a0}9945").unwrap().as_str(),
            "590059945"
        );
        assert_eq!(
            Siret::parse("775 624 711 00708").unwrap().as_str(),
            "77562471100708"
        );
        assert_eq!(
            Siret::parse("775\u{202f}624\u{202f}711\u{a0}00708")
                .unwrap()
                .nic(),
            "00708"
        );
        assert_eq!(Siren::parse("775 624 711").unwrap().as_str(), "775624711");
    }

    #[test]
    fn wrong_length_letters_and_empty_are_rejected() {
        let e = Finess::parse("59005994").unwrap_err();
        assert_eq!(
            e.fault,
            IdentifierFault::WrongLength {
                expected: 9,
                found: 8
            }
        );
        let e = Finess::parse("5900599450").unwrap_err();
        assert_eq!(
            e.fault,
            IdentifierFault::WrongLength {
                expected: 9,
                found: 10
            }
        );
        let e = Finess::parse("59005994X").unwrap_err();
        assert_eq!(
            e.fault,
            IdentifierFault::InvalidCharacter {
                character: 'X',
                position: 9
            }
        );
        let e = Siret::parse("7756247110070").unwrap_err();
        assert_eq!(
            e.fault,
            IdentifierFault::WrongLength {
                expected: 14,
                found: 13
            }
        );
        let e = Siret::parse("775624711OO708").unwrap_err();
        assert_eq!(
            e.fault,
            IdentifierFault::InvalidCharacter {
                character: 'O',
                position: 10
            }
        );
        assert_eq!(
            e.to_string(),
            "SIRET \"775624711OO708\" : le caractère « O » (position 10) n'est pas autorisé"
        );
        let e = Siren::parse("775-624-711").unwrap_err();
        assert_eq!(
            e.fault,
            IdentifierFault::InvalidCharacter {
                character: '-',
                position: 4
            }
        );
        for empty in ["", "   ", "\u{a0}"] {
            assert_eq!(
                Finess::parse(empty).unwrap_err().fault,
                IdentifierFault::Empty
            );
            assert_eq!(
                Siret::parse(empty).unwrap_err().fault,
                IdentifierFault::Empty
            );
            assert_eq!(
                Siren::parse(empty).unwrap_err().fault,
                IdentifierFault::Empty
            );
        }
        assert_eq!(
            Siret::parse("").unwrap_err().to_string(),
            "SIRET \"\" : la valeur est vide"
        );
        // Two adjacent SIREN digits swapped: invalid key.
        assert_eq!(
            Siren::parse("775624171").unwrap_err().fault,
            IdentifierFault::InvalidKey
        );
    }

    #[test]
    fn siret_with_invalid_siren_key_is_rejected() {
        // 12345678900007 passes Luhn over 14 digits, but 123456789 does not.
        assert!(luhn_is_valid("12345678900007"));
        assert_eq!(
            Siret::parse("12345678900007").unwrap_err().fault,
            IdentifierFault::InvalidSirenKey
        );
    }

    #[test]
    fn la_poste_rule() {
        // Head office: Luhn-valid, digit sum 26.
        assert_eq!(
            Siret::parse("35600000000048").unwrap().siren().as_str(),
            LA_POSTE_SIREN
        );
        // Digit sum 15 (multiple of 5), not Luhn-valid: accepted only through the La Poste rule.
        assert!(!luhn_is_valid("35600000000010"));
        assert!(Siret::parse("35600000000010").is_ok());
        // Digit sum 16, not Luhn-valid: rejected.
        assert_eq!(
            Siret::parse("35600000000011").unwrap_err().fault,
            IdentifierFault::InvalidKey
        );
        // The digit-sum rule does not apply to other SIRENs (77562471100709: sum 55).
        assert!(Siret::parse("77562471100709").is_err());
    }

    #[test]
    fn corsican_finess() {
        // 2A000001 → 21000001: Luhn sum without key = 2+2+2 = 6 → key 4.
        assert_eq!(Finess::check_digit("2A000001"), Some('4'));
        // 2B000001 → 22000001: Luhn sum without key = 2+4+2 = 8 → key 2.
        assert_eq!(Finess::check_digit("2B000001"), Some('2'));
        let f = Finess::parse("2A0000014").unwrap();
        assert!(f.is_corsican());
        assert_eq!(Finess::parse("2b 000 001 2").unwrap().as_str(), "2B0000012");
        assert_eq!(
            Finess::parse("2A0000012").unwrap_err().fault,
            IdentifierFault::InvalidKey
        );
        assert_eq!(
            Finess::parse("2B0000014").unwrap_err().fault,
            IdentifierFault::InvalidKey
        );
        assert_eq!(
            Finess::parse("2C0000014").unwrap_err().fault,
            IdentifierFault::InvalidCharacter {
                character: 'C',
                position: 2
            }
        );
        assert_eq!(
            Finess::parse("20A000014").unwrap_err().fault,
            IdentifierFault::InvalidCharacter {
                character: 'A',
                position: 3
            }
        );
        assert!(!Finess::parse("590059945").unwrap().is_corsican());
    }

    #[test]
    fn luhn_helpers() {
        assert_eq!(luhn_check_digit("7756247110070"), Some('8'));
        assert_eq!(luhn_check_digit("59005994"), Some('5'));
        assert_eq!(luhn_check_digit("59A"), None);
        assert!(luhn_is_valid("0"));
        assert!(!luhn_is_valid(""));
        assert!(!luhn_is_valid("12a"));
    }

    #[test]
    fn serde_as_validated_string() {
        let f: Finess = serde_json::from_str("\"590 059 945\"").unwrap();
        assert_eq!(serde_json::to_string(&f).unwrap(), "\"590059945\"");
        let s: Siret = serde_json::from_str("\"92376482300012\"").unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"92376482300012\"");
        let n: Siren = serde_json::from_str("\"923764823\"").unwrap();
        assert_eq!(n.to_string(), "923764823");
        let err = serde_json::from_str::<Finess>("\"595005821\"").unwrap_err();
        assert!(
            err.to_string().contains("la clé de contrôle est invalide"),
            "{err}"
        );
        assert!(serde_json::from_str::<Siret>("\"92376482300013\"").is_err());
        assert!(serde_json::from_str::<Siren>("775624711").is_err());
    }

    #[test]
    fn labels_and_messages() {
        assert_eq!(field_label("finess_geographique"), "FINESS géographique");
        assert_eq!(
            field_label("coordonnateur_finess_juridique"),
            "FINESS juridique du coordonnateur"
        );
        assert_eq!(field_label("copil_member"), "copil member");
        assert_eq!(field_label("SIRET du siège"), "SIRET du siège");
        assert_eq!(
            field_message("siret", "123", "format invalide"),
            "SIRET \"123\" : format invalide"
        );
    }

    fn with_key(payload: &str) -> String {
        format!("{payload}{}", luhn_check_digit(payload).unwrap())
    }

    proptest! {
        #[test]
        fn generated_finess_passes_and_any_digit_change_fails(payload in "[0-9]{8}") {
            let f = with_key(&payload);
            prop_assert!(Finess::parse(&f).is_ok());
            for v in single_digit_variants(&f) {
                prop_assert!(Finess::parse(&v).is_err(), "{}", v);
            }
        }

        #[test]
        fn generated_corsican_finess_passes_and_any_digit_change_fails(
            dep in "2[AB]", rest in "[0-9]{6}"
        ) {
            let first_eight = format!("{dep}{rest}");
            let f = format!("{first_eight}{}", Finess::check_digit(&first_eight).unwrap());
            prop_assert!(Finess::parse(&f).is_ok());
            for v in single_digit_variants(&f) {
                prop_assert!(Finess::parse(&v).is_err(), "{}", v);
            }
        }

        #[test]
        fn generated_siret_passes_and_any_digit_change_fails(siren8 in "[0-9]{8}", nic4 in "[0-9]{4}") {
            let siren = with_key(&siren8);
            prop_assume!(siren != LA_POSTE_SIREN);
            prop_assert!(Siren::parse(&siren).is_ok());
            let siret = with_key(&format!("{siren}{nic4}"));
            let parsed = Siret::parse(&siret).unwrap();
            prop_assert_eq!(parsed.siren().to_string(), siren.clone());
            for v in single_digit_variants(&siret) {
                // A change that lands on La Poste's SIREN follows another rule.
                if v.starts_with(LA_POSTE_SIREN) {
                    continue;
                }
                prop_assert!(Siret::parse(&v).is_err(), "{}", v);
            }
            for v in single_digit_variants(&siren) {
                prop_assert!(Siren::parse(&v).is_err(), "{}", v);
            }
        }

        #[test]
        fn luhn_key_round_trip(payload in "[0-9]{1,20}") {
            let key = luhn_check_digit(&payload).unwrap();
            let valid = format!("{payload}{key}");
            prop_assert!(luhn_is_valid(&valid));
            for other in ('0'..='9').filter(|d| *d != key) {
                let invalid = format!("{payload}{other}");
                prop_assert!(!luhn_is_valid(&invalid));
            }
        }
    }
}
