//! Import format of a groupement de commandes (see `data/groupement.json`).
//!
//! Identifiers stay raw strings here: the import must be able to *report* a bad FINESS or SIRET
//! (see [`crate::registry::quality`]) instead of failing to parse the whole file. Fields that the
//! application does not model yet (budget, hardware envelope, timeline, unknown keys) are kept
//! as JSON and written back unchanged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Errors of the groupement import format.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("fichier de groupement illisible : {0}")]
    Json(#[from] serde_json::Error),
}

/// A groupement de commandes as described by its convention constitutive
/// (code de la commande publique, art. L2113-6 et L2113-7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupementFile {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    /// Date the convention was adopted, as written (ISO `YYYY-MM-DD` expected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convention_adopted_on: Option<String>,
    /// FINESS juridique of the coordonnateur (art. L2113-7 CCP), raw.
    #[serde(default)]
    pub coordonnateur_finess_juridique: String,
    /// FINESS juridique of the porteur (the member that receives the grant), raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub porteur_finess_juridique: Option<String>,
    #[serde(default)]
    pub members: Vec<Member>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_ttc: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware_envelope: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Value>,
    /// Free-text notes on contradictions between source documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inconsistencies_in_sources: Vec<String>,
    /// Any other key, kept as is.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl GroupementFile {
    /// Parses the JSON text of a groupement file.
    pub fn from_json(text: &str) -> Result<Self, SeedError> {
        Ok(serde_json::from_str(text)?)
    }

    /// Pretty JSON text of the file.
    pub fn to_json(&self) -> Result<String, SeedError> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// The member whose FINESS juridique (spaces ignored) is `finess`.
    pub fn member_by_finess(&self, finess: &str) -> Option<&Member> {
        let wanted = compact_upper(finess);
        self.members
            .iter()
            .find(|m| compact_upper(&m.finess_juridique) == wanted)
    }

    /// Total number of establishments of all members.
    pub fn establishment_count(&self) -> usize {
        self.members.iter().map(|m| m.establishments.len()).sum()
    }
}

/// Compact, upper-case form of an identifier (white space removed), for comparisons.
pub fn compact_upper(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// Legal form of a member. Unknown values are kept in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    Ccas,
    Cias,
    Association,
    Fondation,
    Commune,
    Gcsms,
    EtablissementPublic,
    Mutuelle,
    #[serde(untagged)]
    Other(String),
}

impl MemberKind {
    /// French label.
    pub fn label(&self) -> &str {
        match self {
            Self::Ccas => "CCAS",
            Self::Cias => "CIAS",
            Self::Association => "association",
            Self::Fondation => "fondation",
            Self::Commune => "commune",
            Self::Gcsms => "GCSMS",
            Self::EtablissementPublic => "établissement public",
            Self::Mutuelle => "mutuelle",
            Self::Other(s) => s,
        }
    }
}

/// Role of a member in the groupement. Unknown values are kept in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Coordonnateur,
    Porteur,
    #[serde(untagged)]
    Other(String),
}

/// The legal representative who signs for a member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
}

/// A member of the groupement (a legal entity, identified by its FINESS juridique).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MemberKind>,
    /// FINESS juridique, raw.
    #[serde(default)]
    pub finess_juridique: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub representative: Representative,
    /// Member's delegate to the comité de pilotage (COPIL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copil_member: Option<String>,
    /// Whether the member has its own commission d'appel d'offres (cao).
    #[serde(default)]
    pub has_own_cao: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<MemberRole>,
    #[serde(default)]
    pub establishments: Vec<Establishment>,
}

/// Kind of ESMS. Unknown values are kept in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EstablishmentKind {
    Ssiad,
    Saad,
    Spasad,
    Esad,
    #[serde(untagged)]
    Other(String),
}

impl EstablishmentKind {
    /// Label as used in the sources (SSIAD, SAAD…).
    pub fn label(&self) -> &str {
        match self {
            Self::Ssiad => "SSIAD",
            Self::Saad => "SAAD",
            Self::Spasad => "SPASAD",
            Self::Esad => "ESAD",
            Self::Other(s) => s,
        }
    }
}

/// An establishment or service (ESMS), identified by its FINESS géographique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Establishment {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EstablishmentKind>,
    /// FINESS géographique, raw.
    #[serde(default)]
    pub finess: String,
    /// Authorised capacity as written in the convention (may be text, e.g. "59 bénéficiaires").
    #[serde(default)]
    pub capacity: String,
    /// SIRET numbers, raw.
    #[serde(default)]
    pub siret: Vec<String>,
}

impl Establishment {
    /// Capacity as a number of places when it is written as a plain number (white space
    /// allowed between digits, e.g. "1 200"); `None` otherwise.
    pub fn capacity_places(&self) -> Option<u32> {
        let c: String = self
            .capacity
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if c.is_empty() || !c.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        c.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = include_str!("../../data/groupement.json");

    #[test]
    fn parses_the_real_file() {
        let g = GroupementFile::from_json(REAL).unwrap();
        assert_eq!(g.members.len(), 10);
        // The convention lists 20 establishments.
        assert_eq!(g.establishment_count(), 20);
        assert_eq!(g.coordonnateur_finess_juridique, "590059945");
        assert_eq!(g.porteur_finess_juridique.as_deref(), Some("620002378"));
        assert_eq!(g.convention_adopted_on.as_deref(), Some("2024-03-21"));
        assert_eq!(g.inconsistencies_in_sources.len(), 10);
        assert!(g.budget_ttc.is_some() && g.hardware_envelope.is_some() && g.timeline.is_some());
        assert!(g.extra.is_empty());

        let wattrelos = g.member_by_finess("590 059 945").unwrap();
        assert_eq!(wattrelos.name, "CCAS DE WATTRELOS");
        assert_eq!(wattrelos.kind, Some(MemberKind::Ccas));
        assert_eq!(wattrelos.role, Some(MemberRole::Coordonnateur));
        assert!(wattrelos.has_own_cao);
        assert_eq!(wattrelos.representative.name, "Dominique BAERT");

        let santelys = &g.members[0];
        assert_eq!(santelys.kind, Some(MemberKind::Association));
        assert_eq!(santelys.role, None);
        assert_eq!(santelys.copil_member.as_deref(), Some("M. Coquet"));
        assert_eq!(
            santelys.establishments[3].kind,
            Some(EstablishmentKind::Ssiad)
        );
        assert_eq!(santelys.establishments[3].capacity_places(), Some(41));

        let amb = &g.members[6].establishments[0];
        assert_eq!(amb.kind, Some(EstablishmentKind::Saad));
        assert_eq!(amb.siret.len(), 3);
        assert_eq!(amb.capacity_places(), None);
        assert_eq!(g.members[8].establishments[1].capacity_places(), None);
    }

    #[test]
    fn round_trip_keeps_every_value() {
        let g = GroupementFile::from_json(REAL).unwrap();
        let back: Value = serde_json::from_str(&g.to_json().unwrap()).unwrap();
        let original: Value = serde_json::from_str(REAL).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn bad_identifiers_and_unknown_values_still_parse() {
        let text = r#"{
            "name": "G",
            "coordonnateur_finess_juridique": "59",
            "members": [{
                "name": "X", "kind": "gip", "finess_juridique": "595005821", "role": "mandataire",
                "establishments": [{"name": "E", "kind": "EHPAD", "finess": "abc", "siret": ["1"]}]
            }],
            "comment": {"free": true}
        }"#;
        let g = GroupementFile::from_json(text).unwrap();
        let m = &g.members[0];
        assert_eq!(m.kind, Some(MemberKind::Other("gip".into())));
        assert_eq!(m.role, Some(MemberRole::Other("mandataire".into())));
        assert_eq!(
            m.establishments[0].kind,
            Some(EstablishmentKind::Other("EHPAD".into()))
        );
        assert_eq!(m.establishments[0].capacity, "");
        assert_eq!(g.extra["comment"], serde_json::json!({"free": true}));
        let back = g.to_json().unwrap();
        assert!(
            back.contains("\"mandataire\"")
                && back.contains("\"EHPAD\"")
                && back.contains("\"comment\"")
        );
    }

    #[test]
    fn invalid_json_is_a_french_error() {
        let err = GroupementFile::from_json("{\"members\": 3}").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("fichier de groupement illisible"),
            "{err}"
        );
    }

    #[test]
    fn capacity_places() {
        let mut e = Establishment {
            name: "E".into(),
            kind: None,
            finess: String::new(),
            capacity: " 1\u{a0}200 ".into(),
            siret: vec![],
        };
        assert_eq!(e.capacity_places(), Some(1200));
        for text in ["", "59 bénéficiaires", "80 à 100", "12.5", "-3"] {
            e.capacity = text.into();
            assert_eq!(e.capacity_places(), None, "{text}");
        }
    }
}
