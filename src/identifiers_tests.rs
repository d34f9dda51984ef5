//! Unit tests of `identifiers.rs`.
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
