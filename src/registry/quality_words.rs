//! People's words of the data-quality report and of the registry's edit form: where a
//! finding sits (« CCAS DE RONCHIN — établissement « SAAD DE RONCHIN » ») and what is wrong
//! with an identifier (« FINESS juridique « 59000123 » : 9 chiffres attendus, avec la clé de
//! contrôle (8 saisis) »). Pure.

use crate::identifiers::{IdentifierError, IdentifierFault};
use crate::registry::seed::{EstablishmentKind, MemberKind};

/// The member kinds offered by the edit form, in the order shown.
pub const MEMBER_KINDS: [MemberKind; 8] = [
    MemberKind::Ccas,
    MemberKind::Cias,
    MemberKind::Association,
    MemberKind::Fondation,
    MemberKind::Commune,
    MemberKind::Gcsms,
    MemberKind::EtablissementPublic,
    MemberKind::Mutuelle,
];

/// The establishment kinds offered by the edit form, in the order shown.
pub const ESTABLISHMENT_KINDS: [EstablishmentKind; 4] = [
    EstablishmentKind::Ssiad,
    EstablishmentKind::Saad,
    EstablishmentKind::Spasad,
    EstablishmentKind::Esad,
];

/// « CCAS, CIAS, association… » : the known member kinds, for messages.
#[must_use]
pub fn member_kinds_list() -> String {
    MEMBER_KINDS
        .iter()
        .map(MemberKind::label)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The French label of a stored member kind (`etablissement_public` → « établissement
/// public »); an unknown code is shown as stored.
#[must_use]
pub fn member_kind_label(code: &str) -> String {
    serde_json::from_value::<MemberKind>(serde_json::Value::String(code.to_owned()))
        .map_or_else(|_| code.to_owned(), |k| k.label().to_owned())
}

/// How a member is named in messages: its name, or its rank when it has none.
#[must_use]
pub fn member_place(index: usize, name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        format!("Membre n° {} (sans nom)", index + 1)
    } else {
        name.to_owned()
    }
}

/// How an establishment is named in messages: « MEMBRE — établissement « NOM » ».
#[must_use]
pub fn establishment_place(member: &str, index: usize, name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        format!("{member} — établissement n° {} (sans nom)", index + 1)
    } else {
        format!("{member} — établissement « {name} »")
    }
}

/// What is wrong with an identifier, naming the field and the value as typed:
/// « FINESS juridique « 59000123 » : 9 chiffres attendus, avec la clé de contrôle (8 saisis) ».
#[must_use]
pub fn identifier_words(e: &IdentifierError) -> String {
    let finess = e.field.contains("finess");
    let what = match &e.fault {
        IdentifierFault::Empty => return format!("le {} est vide", e.label),
        IdentifierFault::InvalidCharacter {
            character,
            position,
        } => format!("le caractère « {character} » (position {position}) n'est pas un chiffre"),
        IdentifierFault::WrongLength { expected, found } => {
            let typed = if *found > 1 { "saisis" } else { "saisi" };
            if finess {
                format!("{expected} chiffres attendus, avec la clé de contrôle ({found} {typed})")
            } else if *expected == 14 {
                format!("{expected} chiffres attendus (SIREN puis NIC), {found} {typed}")
            } else {
                format!("{expected} chiffres attendus, {found} {typed}")
            }
        }
        IdentifierFault::InvalidKey => {
            "la clé de contrôle (dernier chiffre) ne correspond pas : un chiffre est \
             probablement mal recopié"
                .to_owned()
        }
        IdentifierFault::InvalidSirenKey => {
            "la clé de contrôle du SIREN (9 premiers chiffres) ne correspond pas : un chiffre \
             est probablement mal recopié"
                .to_owned()
        }
    };
    format!("{} « {} » : {what}", e.label, e.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifiers::{Finess, Siret};

    fn finess(raw: &str) -> String {
        identifier_words(&Finess::parse_field("finess_juridique", raw).unwrap_err())
    }

    fn siret(raw: &str) -> String {
        identifier_words(&Siret::parse(raw).unwrap_err())
    }

    #[test]
    fn identifiers_in_people_s_words() {
        assert_eq!(
            finess("59000123"),
            "FINESS juridique « 59000123 » : 9 chiffres attendus, avec la clé de contrôle (8 saisis)"
        );
        assert_eq!(
            finess("595005821"),
            "FINESS juridique « 595005821 » : la clé de contrôle (dernier chiffre) ne correspond \
             pas : un chiffre est probablement mal recopié"
        );
        assert_eq!(finess(" "), "le FINESS juridique est vide");
        assert_eq!(
            finess("59O059945"),
            "FINESS juridique « 59O059945 » : le caractère « O » (position 3) n'est pas un chiffre"
        );
        assert_eq!(
            siret("123"),
            "SIRET « 123 » : 14 chiffres attendus (SIREN puis NIC), 3 saisis"
        );
        assert!(siret("26590507500057").contains("clé de contrôle"));
    }

    #[test]
    fn places() {
        assert_eq!(member_place(2, " CCAS DE RONCHIN "), "CCAS DE RONCHIN");
        assert_eq!(member_place(2, ""), "Membre n° 3 (sans nom)");
        assert_eq!(
            establishment_place("CCAS DE RONCHIN", 0, "SAAD DE RONCHIN"),
            "CCAS DE RONCHIN — établissement « SAAD DE RONCHIN »"
        );
        assert_eq!(
            establishment_place("X", 1, " "),
            "X — établissement n° 2 (sans nom)"
        );
        assert!(member_kinds_list().starts_with("CCAS, CIAS, association"));
        assert_eq!(
            member_kind_label("etablissement_public"),
            "établissement public"
        );
        assert_eq!(member_kind_label("ccas"), "CCAS");
        assert_eq!(member_kind_label("gip"), "gip");
    }
}
