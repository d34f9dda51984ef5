//! Data-quality report of an imported groupement file: invalid identifiers, duplicates,
//! incoherent roles, missing or textual values. Pure: it only reads the parsed file.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::identifiers::{Finess, Siret, field_label};
use crate::registry::quality_words::{
    establishment_place, identifier_words, member_kinds_list, member_place,
};
use crate::registry::seed::{
    Establishment, EstablishmentKind, GroupementFile, Member, MemberKind, MemberRole, compact_upper,
};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Must be corrected before the data can be used.
    Erreur,
    /// To be checked by the coordonnateur.
    Avertissement,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Self::Erreur => "erreur",
            Self::Avertissement => "avertissement",
        }
    }
}

/// Machine-readable kind of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    EmptyField,
    InvalidIdentifier,
    DuplicateFiness,
    SharedSiret,
    DuplicateSiret,
    SirenMismatch,
    NoMember,
    MemberWithoutEstablishment,
    EstablishmentWithoutSiret,
    RoleFinessNotFound,
    RoleMismatch,
    DuplicateRole,
    UnknownRole,
    MissingKind,
    UnknownKind,
    MissingCapacity,
    NonNumericCapacity,
}

use FindingCode::*;

/// One problem found in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: FindingCode,
    /// Machine path of the field, e.g. `members[2].establishments[1].finess` (for the API and
    /// the command line; pages show `place` and `detail`).
    pub field: String,
    /// The value as written in the file.
    pub value: String,
    /// Where, in people's words: « CCAS DE RONCHIN — établissement « SAAD DE RONCHIN » », or
    /// « Groupement ».
    pub place: String,
    /// What, in people's words, naming the field: « la capacité est vide ».
    pub detail: String,
    /// The whole French sentence: « {place} : {detail} ».
    pub message: String,
    /// Rank of the member concerned in the file, if any.
    pub member: Option<usize>,
    /// Rank of the establishment concerned within its member, if any.
    pub establishment: Option<usize>,
    /// The edit-form input where it can be corrected (`finess_juridique`, `capacity`,
    /// `siret`…), if any.
    pub input: Option<String>,
}

/// All findings, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityReport {
    pub findings: Vec<Finding>,
}

impl QualityReport {
    pub fn error_count(&self) -> usize {
        self.count(Severity::Erreur)
    }

    pub fn warning_count(&self) -> usize {
        self.count(Severity::Avertissement)
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// French text report: one line per finding (the machine path at the end, for operators),
    /// then a summary line.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let _ = writeln!(out, "[{}] {} ({})", f.severity.label(), f.message, f.field);
        }
        if self.findings.is_empty() {
            out.push_str("Aucune anomalie détectée.\n");
        } else {
            let _ = writeln!(
                out,
                "Bilan : {}, {}.",
                plural(self.error_count(), "erreur", "erreurs"),
                plural(self.warning_count(), "avertissement", "avertissements")
            );
        }
        out
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

/// Checks a groupement file and lists every finding, in file order.
///
/// Rules (convention constitutive, code de la commande publique art. L2113-6 and L2113-7: the
/// convention names the members and the coordonnateur):
/// - the groupement, each member and each establishment have a name (erreur);
/// - every FINESS and SIRET is well-formed with a valid key (erreur, see [`crate::identifiers`]);
/// - a FINESS identifies one entity: the same FINESS twice is an erreur;
/// - a SIRET identifies one establishment: shared by two establishments, or listed twice,
///   is an avertissement (sources may legitimately disagree, e.g. a SPASAD);
/// - the SIRETs of one member have the same SIREN (avertissement otherwise);
/// - the coordonnateur/porteur FINESS matches a member, and the members' `role` agrees
///   with it, at most one member per role (erreur);
/// - each member has at least one establishment (erreur);
/// - the capacity of an ESMS (authorisation, code de l'action sociale et des familles,
///   art. L313-1) is given as a plain number (avertissement « capacité non numérique »
///   otherwise, « capacité non renseignée » when empty);
/// - missing/unknown kinds, addresses, representatives and SIRETs are avertissements.
pub fn check(g: &GroupementFile) -> QualityReport {
    let mut c = Checker::default();
    c.top_level(g);
    for (i, m) in g.members.iter().enumerate() {
        c.member(g, i, m);
    }
    QualityReport {
        findings: c.findings,
    }
}

/// Where a finding sits: machine path, people's words and ranks.
#[derive(Clone)]
struct Spot {
    path: String,
    place: String,
    member: Option<usize>,
    establishment: Option<usize>,
}

impl Spot {
    fn groupement() -> Self {
        Self {
            path: String::new(),
            place: "Groupement".into(),
            member: None,
            establishment: None,
        }
    }

    /// The path of a field under this spot.
    fn at(&self, sub: &str) -> String {
        if self.path.is_empty() {
            sub.to_owned()
        } else {
            format!("{}.{sub}", self.path)
        }
    }
}

/// One finding to add, before it is placed.
struct Fact<'a> {
    code: FindingCode,
    sub: &'a str,
    input: Option<&'a str>,
    value: &'a str,
    detail: String,
}

#[derive(Default)]
struct Checker {
    findings: Vec<Finding>,
    /// FINESS (compact) → place of its first use.
    finess_seen: HashMap<String, String>,
    /// SIRET (compact) → (establishment path, establishment place) of its first use.
    siret_seen: HashMap<String, (String, String)>,
    /// Role → place of the first member having it.
    role_seen: HashMap<&'static str, String>,
}

impl Checker {
    fn add(&mut self, severity: Severity, spot: &Spot, fact: Fact<'_>) {
        self.findings.push(Finding {
            severity,
            code: fact.code,
            field: spot.at(fact.sub),
            value: fact.value.to_owned(),
            message: format!("{} : {}", spot.place, fact.detail),
            place: spot.place.clone(),
            detail: fact.detail,
            member: spot.member,
            establishment: spot.establishment,
            input: fact.input.map(str::to_owned),
        });
    }

    fn err(&mut self, spot: &Spot, fact: Fact<'_>) {
        self.add(Severity::Erreur, spot, fact);
    }

    fn warn(&mut self, spot: &Spot, fact: Fact<'_>) {
        self.add(Severity::Avertissement, spot, fact);
    }

    fn top_level(&mut self, g: &GroupementFile) {
        let spot = Spot::groupement();
        if g.name.trim().is_empty() {
            let detail = "le nom du groupement est vide".into();
            self.err(&spot, fact(EmptyField, "name", None, &g.name, detail));
        }
        let roles = [
            (
                "coordonnateur_finess_juridique",
                Some(&g.coordonnateur_finess_juridique),
            ),
            (
                "porteur_finess_juridique",
                g.porteur_finess_juridique.as_ref(),
            ),
        ];
        for (field, raw) in roles {
            let Some(raw) = raw else { continue };
            match Finess::parse_field(field, raw) {
                Err(e) => {
                    let detail = identifier_words(&e);
                    self.err(&spot, fact(InvalidIdentifier, field, None, raw, detail));
                }
                Ok(_) if g.member_by_finess(raw).is_none() => {
                    let detail = format!(
                        "{} « {raw} » : ne correspond à aucun membre du groupement",
                        field_label(field)
                    );
                    self.err(&spot, fact(RoleFinessNotFound, field, None, raw, detail));
                }
                Ok(_) => {}
            }
        }
        if g.members.is_empty() {
            let detail = "le groupement ne compte aucun membre".into();
            self.err(&spot, fact(NoMember, "members", None, "", detail));
        }
    }

    fn member(&mut self, g: &GroupementFile, i: usize, m: &Member) {
        let spot = Spot {
            path: format!("members[{i}]"),
            place: member_place(i, &m.name),
            member: Some(i),
            establishment: None,
        };
        if m.name.trim().is_empty() {
            let detail = "le nom du membre est vide".into();
            self.err(
                &spot,
                fact(EmptyField, "name", Some("name"), &m.name, detail),
            );
        }
        match &m.kind {
            None => {
                let detail = "le type de membre est vide".into();
                self.warn(&spot, fact(MissingKind, "kind", Some("kind"), "", detail));
            }
            Some(MemberKind::Other(k)) => {
                let detail = format!(
                    "le type de membre « {k} » n'est pas reconnu (attendu : {})",
                    member_kinds_list()
                );
                self.warn(&spot, fact(UnknownKind, "kind", Some("kind"), k, detail));
            }
            Some(_) => {}
        }
        self.finess(
            &spot,
            "finess_juridique",
            "finess_juridique",
            &m.finess_juridique,
        );
        self.role(g, &spot, m);
        if m.address.trim().is_empty() {
            let detail = "l'adresse est vide".into();
            self.warn(
                &spot,
                fact(EmptyField, "address", Some("address"), &m.address, detail),
            );
        }
        if m.representative.name.trim().is_empty() {
            let detail = "le nom du représentant légal est vide".into();
            let (sub, input) = ("representative.name", Some("representative_name"));
            let value = &m.representative.name;
            self.warn(&spot, fact(EmptyField, sub, input, value, detail));
        }
        if m.establishments.is_empty() {
            let detail = "aucun établissement n'est déclaré".into();
            let code = MemberWithoutEstablishment;
            self.err(&spot, fact(code, "establishments", None, "", detail));
        }
        let siren = majority_siren(m);
        for (j, e) in m.establishments.iter().enumerate() {
            let e_spot = Spot {
                path: spot.at(&format!("establishments[{j}]")),
                place: establishment_place(&spot.place, j, &e.name),
                member: Some(i),
                establishment: Some(j),
            };
            self.establishment(&e_spot, e, siren.as_deref());
        }
    }

    fn establishment(&mut self, spot: &Spot, e: &Establishment, siren: Option<&str>) {
        if e.name.trim().is_empty() {
            let detail = "le nom de l'établissement est vide".into();
            self.err(
                spot,
                fact(EmptyField, "name", Some("name"), &e.name, detail),
            );
        }
        let expected = "attendu : SSIAD, SAAD, SPASAD ou ESAD";
        match &e.kind {
            None => {
                let detail = format!("le type d'établissement est vide ({expected})");
                self.warn(spot, fact(MissingKind, "kind", Some("kind"), "", detail));
            }
            Some(EstablishmentKind::Other(k)) => {
                let detail =
                    format!("le type d'établissement « {k} » n'est pas reconnu ({expected})");
                self.warn(spot, fact(UnknownKind, "kind", Some("kind"), k, detail));
            }
            Some(_) => {}
        }
        self.finess(spot, "finess", "finess_geographique", &e.finess);
        let capacity = Some("capacity");
        if e.capacity.trim().is_empty() {
            let detail = "la capacité est vide".into();
            let f = fact(MissingCapacity, "capacity", capacity, &e.capacity, detail);
            self.warn(spot, f);
        } else if e.capacity_places().is_none() {
            let detail = format!(
                "la capacité « {} » n'est pas un nombre de places",
                e.capacity
            );
            let f = fact(
                NonNumericCapacity,
                "capacity",
                capacity,
                &e.capacity,
                detail,
            );
            self.warn(spot, f);
        }
        if e.siret.is_empty() {
            let detail = "aucun SIRET n'est renseigné".into();
            let code = EstablishmentWithoutSiret;
            self.warn(spot, fact(code, "siret", Some("siret"), "", detail));
        }
        for (k, raw) in e.siret.iter().enumerate() {
            self.siret(spot, k, raw, siren);
        }
    }

    /// Checks a FINESS: `sub` is both the path segment and the form input (`finess_juridique`
    /// or `finess`), `field` names it in messages (`finess_geographique`).
    fn finess(&mut self, spot: &Spot, sub: &str, field: &str, raw: &str) {
        let input = Some(sub);
        if let Err(e) = Finess::parse_field(field, raw) {
            let detail = identifier_words(&e);
            self.err(spot, fact(InvalidIdentifier, sub, input, raw, detail));
        }
        let key = compact_upper(raw);
        if key.is_empty() {
            return;
        }
        if let Some(first) = self.finess_seen.get(&key) {
            let detail = format!(
                "{} « {raw} » : déjà celui de « {first} »",
                field_label(field)
            );
            self.err(spot, fact(DuplicateFiness, sub, input, raw, detail));
        } else {
            self.finess_seen.insert(key, spot.place.clone());
        }
    }

    fn siret(&mut self, spot: &Spot, k: usize, raw: &str, reference: Option<&str>) {
        let sub = format!("siret[{k}]");
        let input = Some("siret");
        match Siret::parse(raw) {
            Err(e) => {
                let detail = identifier_words(&e);
                self.err(spot, fact(InvalidIdentifier, &sub, input, raw, detail));
            }
            Ok(siret) => {
                let siren = siret.siren();
                if let Some(reference) = reference.filter(|r| *r != siren.as_str()) {
                    let detail = format!(
                        "le SIRET « {raw} » a le SIREN {siren}, alors que les autres SIRET du \
                         membre ont le SIREN {reference}"
                    );
                    self.warn(spot, fact(SirenMismatch, &sub, input, raw, detail));
                }
            }
        }
        let key = compact_upper(raw);
        if key.is_empty() {
            return;
        }
        match self.siret_seen.get(&key) {
            Some((first_path, _)) if *first_path == spot.path => {
                let detail = format!("le SIRET « {raw} » est listé deux fois");
                self.warn(spot, fact(DuplicateSiret, &sub, input, raw, detail));
            }
            Some((_, first_place)) => {
                let detail = format!("le SIRET « {raw} » est aussi celui de « {first_place} »");
                self.warn(spot, fact(SharedSiret, &sub, input, raw, detail));
            }
            None => {
                self.siret_seen
                    .insert(key, (spot.path.clone(), spot.place.clone()));
            }
        }
    }

    fn role(&mut self, g: &GroupementFile, spot: &Spot, m: &Member) {
        let Some(role) = &m.role else { return };
        let (label, expected) = match role {
            MemberRole::Coordonnateur => (
                "coordonnateur",
                Some(g.coordonnateur_finess_juridique.as_str()),
            ),
            MemberRole::Porteur => ("porteur", g.porteur_finess_juridique.as_deref()),
            MemberRole::Other(r) => {
                let detail = format!(
                    "le rôle « {r} » n'est pas reconnu (attendu : coordonnateur ou porteur)"
                );
                self.err(spot, fact(UnknownRole, "role", None, r, detail));
                return;
            }
        };
        if let Some(first) = self.role_seen.get(label) {
            let detail = format!("le rôle « {label} » est déjà celui de « {first} »");
            self.err(spot, fact(DuplicateRole, "role", None, label, detail));
        } else {
            self.role_seen.insert(label, spot.place.clone());
        }
        let matches =
            expected.is_some_and(|e| compact_upper(e) == compact_upper(&m.finess_juridique));
        if !matches {
            let detail = format!(
                "rôle « {label} », mais son FINESS juridique « {} » n'est pas celui déclaré pour \
                 le {label} (« {} »)",
                m.finess_juridique,
                expected.unwrap_or("")
            );
            let input = Some("finess_juridique");
            self.err(spot, fact(RoleMismatch, "role", input, label, detail));
        }
    }
}

fn fact<'a>(
    code: FindingCode,
    sub: &'a str,
    input: Option<&'a str>,
    value: &'a str,
    detail: String,
) -> Fact<'a> {
    Fact {
        code,
        sub,
        input,
        value,
        detail,
    }
}

/// Most frequent SIREN among the member's valid SIRETs (first seen wins a tie).
fn majority_siren(m: &Member) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for raw in m.establishments.iter().flat_map(|e| &e.siret) {
        if let Ok(s) = Siret::parse(raw) {
            let siren = s.siren().to_string();
            match counts.iter_mut().find(|(k, _)| *k == siren) {
                Some((_, n)) => *n += 1,
                None => counts.push((siren, 1)),
            }
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(s, _)| s)
}

#[cfg(test)]
#[path = "quality_tests.rs"]
mod tests;
