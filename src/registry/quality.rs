//! Data-quality report of an imported groupement file: invalid identifiers, duplicates,
//! incoherent roles, missing or textual values. Pure: it only reads the parsed file.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::identifiers::{Finess, Siret, field_message};
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
    /// Path of the field, e.g. `members[2].establishments[1].finess`.
    pub field: String,
    /// The value as written in the file.
    pub value: String,
    /// French explanation naming the member/establishment and the value.
    pub message: String,
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

    /// French text report: one line per finding, then a summary line.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let _ = writeln!(out, "[{}] {} — {}", f.severity.label(), f.field, f.message);
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

#[derive(Default)]
struct Checker {
    findings: Vec<Finding>,
    /// FINESS (compact) → (path, owner description) of its first use.
    finess_seen: HashMap<String, (String, String)>,
    /// SIRET (compact) → (establishment path, establishment name) of its first use.
    siret_seen: HashMap<String, (String, String)>,
    /// Role → (path, member name) of the first member having it.
    role_seen: HashMap<&'static str, (String, String)>,
}

/// Where an establishment sits, for messages.
struct EstablishmentContext<'a> {
    path: String,
    name: &'a str,
    /// « establishment » (member)
    who: String,
    member: &'a str,
    /// The member's predominant SIREN.
    siren: Option<&'a str>,
}

impl Checker {
    fn add(
        &mut self,
        severity: Severity,
        code: FindingCode,
        field: &str,
        value: &str,
        message: String,
    ) {
        self.findings.push(Finding {
            severity,
            code,
            field: field.to_owned(),
            value: value.to_owned(),
            message,
        });
    }

    fn err(&mut self, code: FindingCode, field: &str, value: &str, message: String) {
        self.add(Severity::Erreur, code, field, value, message);
    }

    fn warn(&mut self, code: FindingCode, field: &str, value: &str, message: String) {
        self.add(Severity::Avertissement, code, field, value, message);
    }

    fn top_level(&mut self, g: &GroupementFile) {
        if g.name.trim().is_empty() {
            self.err(
                EmptyField,
                "name",
                &g.name,
                "nom du groupement non renseigné".into(),
            );
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
                Err(e) => self.err(InvalidIdentifier, field, raw, e.to_string()),
                Ok(_) if g.member_by_finess(raw).is_none() => {
                    let message = "ne correspond à aucun membre du groupement";
                    self.err(
                        RoleFinessNotFound,
                        field,
                        raw,
                        field_message(field, raw, message),
                    );
                }
                Ok(_) => {}
            }
        }
        if g.members.is_empty() {
            let message = "le groupement ne compte aucun membre".into();
            self.err(NoMember, "members", "", message);
        }
    }

    fn member(&mut self, g: &GroupementFile, i: usize, m: &Member) {
        let p = format!("members[{i}]");
        let who = format!("membre « {} »", m.name);
        if m.name.trim().is_empty() {
            let message = "nom du membre non renseigné".into();
            self.err(EmptyField, &format!("{p}.name"), &m.name, message);
        }
        let kind_path = format!("{p}.kind");
        match &m.kind {
            None => self.warn(
                MissingKind,
                &kind_path,
                "",
                format!("{who} : type de membre non renseigné"),
            ),
            Some(MemberKind::Other(k)) => {
                self.warn(
                    UnknownKind,
                    &kind_path,
                    k,
                    format!("{who} : type de membre « {k} » inconnu"),
                );
            }
            Some(_) => {}
        }
        self.finess(
            &format!("{p}.finess_juridique"),
            "finess_juridique",
            &m.finess_juridique,
            &who,
        );
        self.role(g, &p, m, &who);
        if m.address.trim().is_empty() {
            let message = format!("{who} : adresse non renseignée");
            self.warn(EmptyField, &format!("{p}.address"), &m.address, message);
        }
        if m.representative.name.trim().is_empty() {
            let message = format!("{who} : représentant légal non renseigné");
            let field = format!("{p}.representative.name");
            self.warn(EmptyField, &field, &m.representative.name, message);
        }
        if m.establishments.is_empty() {
            let message = format!("{who} : aucun établissement");
            self.err(
                MemberWithoutEstablishment,
                &format!("{p}.establishments"),
                "",
                message,
            );
        }
        let siren = majority_siren(m);
        for (j, e) in m.establishments.iter().enumerate() {
            let ctx = EstablishmentContext {
                path: format!("{p}.establishments[{j}]"),
                name: &e.name,
                who: format!("« {} » ({})", e.name, m.name),
                member: &m.name,
                siren: siren.as_deref(),
            };
            self.establishment(&ctx, e, &who);
        }
    }

    fn establishment(&mut self, ctx: &EstablishmentContext, e: &Establishment, member_who: &str) {
        let (ep, who) = (&ctx.path, &ctx.who);
        if e.name.trim().is_empty() {
            let message = format!("{member_who} : nom de l'établissement non renseigné");
            self.err(EmptyField, &format!("{ep}.name"), &e.name, message);
        }
        let kind_path = format!("{ep}.kind");
        match &e.kind {
            None => {
                let message = format!("{who} : type d'établissement non renseigné");
                self.warn(MissingKind, &kind_path, "", message);
            }
            Some(EstablishmentKind::Other(k)) => {
                let message = format!(
                    "{who} : type d'établissement « {k} » inconnu (attendu : SSIAD, SAAD, SPASAD ou ESAD)"
                );
                self.warn(UnknownKind, &kind_path, k, message);
            }
            Some(_) => {}
        }
        self.finess(
            &format!("{ep}.finess"),
            "finess_geographique",
            &e.finess,
            who,
        );
        let capacity_path = format!("{ep}.capacity");
        if e.capacity.trim().is_empty() {
            let message = format!("{who} : capacité non renseignée");
            self.warn(MissingCapacity, &capacity_path, &e.capacity, message);
        } else if e.capacity_places().is_none() {
            let message = format!("{who} : capacité non numérique « {} »", e.capacity);
            self.warn(NonNumericCapacity, &capacity_path, &e.capacity, message);
        }
        if e.siret.is_empty() {
            let message = format!("{who} : aucun SIRET renseigné");
            self.warn(
                EstablishmentWithoutSiret,
                &format!("{ep}.siret"),
                "",
                message,
            );
        }
        for (k, raw) in e.siret.iter().enumerate() {
            self.siret(ctx, k, raw);
        }
    }

    fn finess(&mut self, path: &str, field: &str, raw: &str, who: &str) {
        if let Err(e) = Finess::parse_field(field, raw) {
            self.err(InvalidIdentifier, path, raw, format!("{who} : {e}"));
        }
        let key = compact_upper(raw);
        if key.is_empty() {
            return;
        }
        if let Some((first_path, first_who)) = self.finess_seen.get(&key) {
            let message =
                format!("{who} : FINESS \"{raw}\" déjà utilisé par {first_who} ({first_path})");
            self.err(DuplicateFiness, path, raw, message);
        } else {
            self.finess_seen.insert(key, (path.into(), who.into()));
        }
    }

    fn siret(&mut self, ctx: &EstablishmentContext, k: usize, raw: &str) {
        let path = format!("{}.siret[{k}]", ctx.path);
        let who = &ctx.who;
        match Siret::parse(raw) {
            Err(e) => self.err(InvalidIdentifier, &path, raw, format!("{who} : {e}")),
            Ok(siret) => {
                let siren = siret.siren();
                if let Some(reference) = ctx.siren.filter(|r| *r != siren.as_str()) {
                    let message = format!(
                        "{who} : le SIREN {siren} du SIRET \"{raw}\" diffère du SIREN {reference} \
                         des autres SIRET du membre « {} »",
                        ctx.member
                    );
                    self.warn(SirenMismatch, &path, raw, message);
                }
            }
        }
        let key = compact_upper(raw);
        if key.is_empty() {
            return;
        }
        match self.siret_seen.get(&key) {
            Some((first_ep, _)) if *first_ep == ctx.path => {
                let message = format!("{who} : SIRET \"{raw}\" listé deux fois");
                self.warn(DuplicateSiret, &path, raw, message);
            }
            Some((first_ep, first_name)) => {
                let message = format!(
                    "{who} : SIRET \"{raw}\" partagé avec l'établissement « {first_name} » ({first_ep})"
                );
                self.warn(SharedSiret, &path, raw, message);
            }
            None => {
                self.siret_seen
                    .insert(key, (ctx.path.clone(), ctx.name.into()));
            }
        }
    }

    fn role(&mut self, g: &GroupementFile, p: &str, m: &Member, who: &str) {
        let Some(role) = &m.role else { return };
        let path = format!("{p}.role");
        let (label, expected) = match role {
            MemberRole::Coordonnateur => (
                "coordonnateur",
                Some(g.coordonnateur_finess_juridique.as_str()),
            ),
            MemberRole::Porteur => ("porteur", g.porteur_finess_juridique.as_deref()),
            MemberRole::Other(r) => {
                let message =
                    format!("{who} : rôle « {r} » inconnu (attendu : coordonnateur ou porteur)");
                self.err(UnknownRole, &path, r, message);
                return;
            }
        };
        if let Some((first_path, first_name)) = self.role_seen.get(label) {
            let message = format!(
                "{who} : le rôle « {label} » est déjà attribué au membre « {first_name} » ({first_path})"
            );
            self.err(DuplicateRole, &path, label, message);
        } else {
            self.role_seen.insert(label, (path.clone(), m.name.clone()));
        }
        let matches =
            expected.is_some_and(|e| compact_upper(e) == compact_upper(&m.finess_juridique));
        if !matches {
            let message = format!(
                "{who} : rôle « {label} » alors que son FINESS juridique \"{}\" n'est pas celui \
                 déclaré pour le {label} (\"{}\")",
                m.finess_juridique,
                expected.unwrap_or("")
            );
            self.err(RoleMismatch, &path, label, message);
        }
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
