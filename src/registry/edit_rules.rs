//! The edit form of a member and its establishments: the submitted fields read, checked (one
//! French message per field; identifiers by the rules of [`crate::identifiers`], in the words
//! of the quality report) and compared with what is stored, to journal only what changed.
//! Pure: the caller reads the rows and writes the result.

use std::collections::BTreeMap;

use serde::Serialize;

use super::quality_words::{
    ESTABLISHMENT_KINDS, MEMBER_KINDS, establishment_place, identifier_words, member_kinds_list,
};
use super::seed::{MemberKind, compact_upper};
use super::service::{MemberWithEstablishments, sirets};
use crate::error::FieldErrors;
use crate::identifiers::{Finess, Siret, field_label};

/// Longest name accepted.
const NAME_MAX: usize = 300;
/// Longest address, title or capacity accepted.
const TEXT_MAX: usize = 500;

/// The form as typed (or as stored, for a first display).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MemberForm {
    pub name: String,
    /// Stored code (`ccas`, `etablissement_public`…), empty when not given.
    pub kind: String,
    pub finess_juridique: String,
    pub address: String,
    pub representative_name: String,
    pub representative_title: String,
    pub has_own_cao: bool,
    pub establishments: Vec<EstablishmentForm>,
}

/// One establishment of the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EstablishmentForm {
    pub id: i32,
    pub name: String,
    /// `SSIAD`, `SAAD`, `SPASAD`, `ESAD`, or empty.
    pub kind: String,
    pub finess: String,
    pub capacity: String,
    /// SIRET numbers, one a line (commas and semicolons also separate them).
    pub siret: String,
}

/// The input name of an establishment's field: `e12_finess`.
#[must_use]
pub fn establishment_input(id: i32, field: &str) -> String {
    format!("e{id}_{field}")
}

impl MemberForm {
    /// The stored values, for a first display.
    #[must_use]
    pub fn from_stored(m: &MemberWithEstablishments) -> Self {
        let r = &m.member;
        Self {
            name: r.name.clone(),
            kind: r.kind.clone(),
            finess_juridique: r.finess_juridique.clone(),
            address: r.address.clone(),
            representative_name: r.representative_name.clone(),
            representative_title: r.representative_title.clone(),
            has_own_cao: r.has_own_cao,
            establishments: m
                .establishments
                .iter()
                .map(|e| EstablishmentForm {
                    id: e.id,
                    name: e.name.clone(),
                    kind: e.kind.clone(),
                    finess: e.finess.clone(),
                    capacity: e.capacity.clone().unwrap_or_default(),
                    siret: sirets(e).join("\n"),
                })
                .collect(),
        }
    }

    /// The submitted fields: a missing text is empty, a missing checkbox unchecked; the
    /// establishments are those of the member (`ids`), whatever else was posted.
    #[must_use]
    pub fn from_fields(fields: &BTreeMap<String, String>, ids: &[i32]) -> Self {
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        Self {
            name: get("name"),
            kind: get("kind"),
            finess_juridique: get("finess_juridique"),
            address: get("address"),
            representative_name: get("representative_name"),
            representative_title: get("representative_title"),
            has_own_cao: fields.contains_key("has_own_cao"),
            establishments: ids
                .iter()
                .map(|&id| {
                    let e = |f: &str| get(&establishment_input(id, f));
                    EstablishmentForm {
                        id,
                        name: e("name"),
                        kind: e("kind"),
                        finess: e("finess"),
                        capacity: e("capacity"),
                        siret: e("siret"),
                    }
                })
                .collect(),
        }
    }
}

/// Checked values, in their stored form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberValues {
    pub name: String,
    pub kind: String,
    pub finess_juridique: String,
    pub address: String,
    pub representative_name: String,
    pub representative_title: String,
    pub has_own_cao: bool,
    pub establishments: Vec<EstablishmentValues>,
}

/// Checked values of one establishment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EstablishmentValues {
    pub id: i32,
    pub name: String,
    pub kind: String,
    pub finess: String,
    pub capacity: Option<String>,
    pub sirets: Vec<String>,
}

impl MemberValues {
    /// What is stored.
    #[must_use]
    pub fn from_stored(m: &MemberWithEstablishments) -> Self {
        let r = &m.member;
        Self {
            name: r.name.clone(),
            kind: r.kind.clone(),
            finess_juridique: r.finess_juridique.clone(),
            address: r.address.clone(),
            representative_name: r.representative_name.clone(),
            representative_title: r.representative_title.clone(),
            has_own_cao: r.has_own_cao,
            establishments: m
                .establishments
                .iter()
                .map(|e| EstablishmentValues {
                    id: e.id,
                    name: e.name.clone(),
                    kind: e.kind.clone(),
                    finess: e.finess.clone(),
                    capacity: e.capacity.clone(),
                    sirets: sirets(e),
                })
                .collect(),
        }
    }

    /// The member's own fields differ.
    #[must_use]
    pub fn member_fields_differ(&self, other: &Self) -> bool {
        (
            &self.name,
            &self.kind,
            &self.finess_juridique,
            &self.address,
            &self.representative_name,
            &self.representative_title,
            self.has_own_cao,
        ) != (
            &other.name,
            &other.kind,
            &other.finess_juridique,
            &other.address,
            &other.representative_name,
            &other.representative_title,
            other.has_own_cao,
        )
    }
}

/// The stored code of a member kind (`etablissement_public`).
#[must_use]
pub fn member_kind_code(k: &MemberKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Checks the form against what is stored (`stored`: a kind unknown to the form may be kept)
/// and the FINESS numbers used elsewhere in the groupement (`taken`: compact FINESS → how the
/// quality report names its holder).
///
/// # Errors
/// One French message per field at fault, keyed by the input's name.
pub fn validate(
    form: &MemberForm,
    stored: &MemberValues,
    taken: &[(String, String)],
) -> Result<MemberValues, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut fail = |key: &str, message: String| {
        errors.entry(key.to_owned()).or_default().push(message);
    };
    let mut used: Vec<(String, String)> = taken.to_vec();
    let name = text(&form.name, NAME_MAX, "nom du membre", true);
    let name = name.unwrap_or_else(|m| {
        fail("name", m);
        String::new()
    });
    let kind = form.kind.trim().to_owned();
    let known = MEMBER_KINDS.iter().any(|k| member_kind_code(k) == kind);
    if !(kind.is_empty() || known || kind == stored.kind) {
        let expected = member_kinds_list();
        fail(
            "kind",
            format!("type de membre « {kind} » inconnu (attendu : {expected})"),
        );
    }
    let place = if name.is_empty() {
        stored.name.clone()
    } else {
        name.clone()
    };
    let finess_juridique = finess(
        "finess_juridique",
        &form.finess_juridique,
        &place,
        &mut used,
    )
    .unwrap_or_else(|m| {
        fail("finess_juridique", m);
        String::new()
    });
    let mut optional = |key: &str, value: &str, label: &str| {
        text(value, TEXT_MAX, label, false).unwrap_or_else(|m| {
            fail(key, m);
            String::new()
        })
    };
    let address = optional("address", &form.address, "adresse");
    let representative_name = optional(
        "representative_name",
        &form.representative_name,
        "nom du représentant",
    );
    let representative_title = optional(
        "representative_title",
        &form.representative_title,
        "qualité du représentant",
    );
    let mut establishments = Vec::new();
    for (j, e) in form.establishments.iter().enumerate() {
        match establishment(e, &establishment_place(&place, j, &e.name), &mut used) {
            Ok(v) => establishments.push(v),
            Err(errs) => {
                for (field, m) in errs {
                    fail(&establishment_input(e.id, field), m);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(MemberValues {
        name,
        kind,
        finess_juridique,
        address,
        representative_name,
        representative_title,
        has_own_cao: form.has_own_cao,
        establishments,
    })
}

/// A trimmed text of at most `max` characters (`required`: not empty).
fn text(value: &str, max: usize, label: &str, required: bool) -> Result<String, String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(format!("le {label} est obligatoire"));
    }
    if v.chars().count() > max {
        return Err(format!("{label} : {max} caractères au plus"));
    }
    Ok(v.to_owned())
}

/// A FINESS (`field`: `finess_juridique` or `finess_geographique`) not used elsewhere; its
/// compact form is added to `used` under `place`.
fn finess(
    field: &str,
    raw: &str,
    place: &str,
    used: &mut Vec<(String, String)>,
) -> Result<String, String> {
    let f = Finess::parse_field(field, raw).map_err(|e| identifier_words(&e))?;
    let key = compact_upper(f.as_str());
    if let Some((_, holder)) = used.iter().find(|(k, _)| *k == key) {
        return Err(format!(
            "{} « {} » : déjà celui de « {holder} »",
            field_label(field),
            raw.trim()
        ));
    }
    used.push((key.clone(), place.to_owned()));
    Ok(key)
}

/// Checks one establishment (`place`: how messages name it); errors are keyed by field
/// (`name`, `finess`…).
fn establishment(
    e: &EstablishmentForm,
    place: &str,
    used: &mut Vec<(String, String)>,
) -> Result<EstablishmentValues, Vec<(&'static str, String)>> {
    let mut errs = Vec::new();
    let lead = |m: String| format!("{place} : {m}");
    let name = e.name.trim().to_owned();
    if name.is_empty() {
        errs.push((
            "name",
            lead("le nom de l'établissement est obligatoire".into()),
        ));
    } else if name.chars().count() > NAME_MAX {
        errs.push(("name", lead(format!("nom : {NAME_MAX} caractères au plus"))));
    }
    let kind = e.kind.trim().to_owned();
    if !(kind.is_empty() || ESTABLISHMENT_KINDS.iter().any(|k| k.label() == kind)) {
        let m = format!(
            "type d'établissement « {kind} » inconnu (attendu : SSIAD, SAAD, SPASAD ou ESAD)"
        );
        errs.push(("kind", lead(m)));
    }
    let finess = finess("finess_geographique", &e.finess, place, used).unwrap_or_else(|m| {
        errs.push(("finess", lead(m)));
        String::new()
    });
    let capacity = e.capacity.trim().to_owned();
    if capacity.chars().count() > TEXT_MAX {
        errs.push((
            "capacity",
            lead(format!("capacité : {TEXT_MAX} caractères au plus")),
        ));
    }
    let mut sirets = Vec::new();
    for raw in e
        .siret
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match Siret::parse(raw) {
            Ok(s) => sirets.push(s.as_str().to_owned()),
            Err(err) => errs.push(("siret", lead(identifier_words(&err)))),
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(EstablishmentValues {
        id: e.id,
        name,
        kind,
        finess,
        capacity: Some(capacity).filter(|c| !c.is_empty()),
        sirets,
    })
}

/// One changed field, for the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// « membre » or « établissement « NOM » ».
    pub objet: String,
    /// French name of the field.
    pub champ: &'static str,
    pub avant: serde_json::Value,
    pub apres: serde_json::Value,
}

/// The fields that differ between what is stored and the new values, in form order.
#[must_use]
pub fn changes(old: &MemberValues, new: &MemberValues) -> Vec<Change> {
    use serde_json::json;
    let mut out = Vec::new();
    let mut push = |objet: &str, champ, avant: serde_json::Value, apres: serde_json::Value| {
        if avant != apres {
            out.push(Change {
                objet: objet.to_owned(),
                champ,
                avant,
                apres,
            });
        }
    };
    push("membre", "nom", json!(old.name), json!(new.name));
    push("membre", "type", json!(old.kind), json!(new.kind));
    let fj = "FINESS juridique";
    push(
        "membre",
        fj,
        json!(old.finess_juridique),
        json!(new.finess_juridique),
    );
    push("membre", "adresse", json!(old.address), json!(new.address));
    let (rn, rt) = ("représentant légal", "qualité du représentant");
    push(
        "membre",
        rn,
        json!(old.representative_name),
        json!(new.representative_name),
    );
    push(
        "membre",
        rt,
        json!(old.representative_title),
        json!(new.representative_title),
    );
    push(
        "membre",
        "CAO propre",
        json!(old.has_own_cao),
        json!(new.has_own_cao),
    );
    for n in &new.establishments {
        let Some(o) = old.establishments.iter().find(|o| o.id == n.id) else {
            continue;
        };
        let objet = format!("établissement « {} »", o.name);
        push(&objet, "nom", json!(o.name), json!(n.name));
        push(&objet, "type", json!(o.kind), json!(n.kind));
        push(
            &objet,
            "FINESS géographique",
            json!(o.finess),
            json!(n.finess),
        );
        push(&objet, "capacité", json!(o.capacity), json!(n.capacity));
        push(&objet, "SIRET", json!(o.sirets), json!(n.sirets));
    }
    out
}

#[cfg(test)]
#[path = "edit_rules_tests.rs"]
mod tests;
