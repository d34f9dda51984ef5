//! Données essentielles (DECP) of a notified marché: CCP R2196-1 and arrêté du 22 décembre 2022
//! (format réglementaire, schema v2.0.3 of github.com/139bercy/format-commande-publique, copied
//! byte for byte in `data/decp/schema_decp_v2.0.3.json` and validated against in the tests).
//!
//! For a groupement de commandes the `acheteur` is the coordonnateur: the schema defines it as
//! « le mandataire en charge d'effectuer la procédure de passation » (field `acheteur`).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::{Decimal, dec};
use serde_json::{Number, Value, json};

use super::{
    ContractFacts, OpenDataError, TypeCodeLieu, TypeGroupementOperateurs, TypeIdentifiant,
};
use crate::identifiers::Siret;

/// Characters the schema asks to avoid in identifiers (`IdentifiantMarche` description).
const AVOIDED: [char; 7] = ['&', '"', '\\', '<', ' ', ',', ';'];
/// `IdentifiantMarche`: 1 to 16 characters.
const ID_MAX: usize = 16;
/// `objet`: `maxLength` 1000.
pub(super) const OBJET_MAX: usize = 1000;

/// `IdentifiantMarche`: 1 to 16 characters, avoiding `& " \ <`, space, comma and semicolon.
pub(super) fn check_identifier(id: &str) -> Result<(), OpenDataError> {
    if let Some(character) = id.chars().find(|c| AVOIDED.contains(c) || c.is_control()) {
        return Err(OpenDataError::IdCaractereInterdit {
            id: id.to_owned(),
            character,
        });
    }
    let len = id.chars().count();
    if len == 0 {
        return Err(OpenDataError::ReferenceVide);
    }
    if len > ID_MAX {
        return Err(OpenDataError::IdTropLong {
            id: id.to_owned(),
            len,
        });
    }
    Ok(())
}

/// `CodeCPV` pattern `^[0-9]{8}(-[0-9])?$`; the schema prefers the code without check digit.
pub(super) fn cpv_without_check_digit(cpv: &str) -> Result<String, OpenDataError> {
    let cpv = cpv.trim();
    let (code, check) = cpv.split_once('-').unwrap_or((cpv, "0"));
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if digits(code, 8) && digits(check, 1) {
        Ok(code.to_owned())
    } else {
        Err(OpenDataError::CpvInvalide {
            cpv: cpv.to_owned(),
        })
    }
}

/// `lieuExecution.code`: 5 digits for a code postal; INSEE codes (2A/2B in Corsica) otherwise.
pub(super) fn check_lieu(code: &str, type_code: TypeCodeLieu) -> Result<(), OpenDataError> {
    let alnum = code.chars().all(|c| c.is_ascii_alphanumeric());
    let len = code.len();
    let ok = alnum
        && match type_code {
            TypeCodeLieu::CodePostal => len == 5 && code.bytes().all(|b| b.is_ascii_digit()),
            TypeCodeLieu::CodeCommune => len == 5,
            TypeCodeLieu::CodeDepartement => len == 2 || len == 3,
            _ => (1..=10).contains(&len),
        };
    if ok {
        Ok(())
    } else {
        Err(OpenDataError::LieuExecutionInvalide {
            code: code.to_owned(),
            type_code: type_code.label(),
        })
    }
}

/// DECP `titulaires` (`minItems` 1, SIRET preferred) and `typeGroupementOperateurs`: at least
/// one identified titulaire (SIRET key checked), one unless the type is conjoint or solidaire.
/// Returns the normalised identifiers.
pub(super) fn titulaire_ids(facts: &ContractFacts) -> Result<Vec<String>, OpenDataError> {
    if facts.titulaires.is_empty() {
        return Err(OpenDataError::AucunTitulaire);
    }
    let mut ids = Vec::with_capacity(facts.titulaires.len());
    for t in &facts.titulaires {
        if t.name.trim().is_empty() {
            return Err(OpenDataError::NomManquant { role: "titulaire" });
        }
        let raw = t.identifiant.as_deref().map(str::trim).unwrap_or_default();
        if raw.is_empty() {
            return Err(OpenDataError::IdentifiantTitulaireManquant {
                name: t.name.clone(),
                type_identifiant: t.type_identifiant.label(),
            });
        }
        ids.push(match t.type_identifiant {
            TypeIdentifiant::Siret => {
                Siret::parse_field(&format!("SIRET du titulaire « {} »", t.name), raw)?.to_string()
            }
            _ => raw.to_owned(),
        });
    }
    let count = facts.titulaires.len();
    let single = facts.type_groupement_operateurs == TypeGroupementOperateurs::PasDeGroupement;
    if (count == 1) != single {
        return Err(OpenDataError::GroupementOperateursIncoherent {
            count,
            type_groupement: facts.type_groupement_operateurs.label(),
        });
    }
    Ok(ids)
}

/// Largest amount kept exact through serde_json's f64 (15 significant digits, 2 decimals).
const MAX_EXACT: Decimal = dec!(9999999999999.99);

/// Converts an amount HT (€) to a JSON number, exactly.
///
/// DECP v2.0.3 types every amount as `"type": "number", "minimum": 1`. serde_json (without its
/// `arbitrary_precision` feature, which Coordo does not enable) stores a non-integer number as
/// an f64, so the conversion goes through the decimal *text*: the value is normalised
/// (268420.00 → `268420`, an integer like the official example's `575000`; 123456.89 →
/// `123456.89`) and parsed by [`Number::from_str`]. With at most 15 significant digits and 2
/// decimals the parse is exact-then-rounded-once (digits < 2^53 divided by 100), so the
/// shortest text serde_json prints is the decimal again; that round trip is still verified,
/// and anything else is refused, never rounded.
pub(crate) fn amount_number(field: &'static str, value: Decimal) -> Result<Number, OpenDataError> {
    if value < Decimal::ONE {
        return Err(OpenDataError::MontantTropFaible { field, value });
    }
    if value.normalize().scale() > 2 {
        return Err(OpenDataError::MontantTropPrecis { field, value });
    }
    if value > MAX_EXACT {
        return Err(OpenDataError::MontantTropGrand { field, value });
    }
    exact_number(value).ok_or(OpenDataError::MontantTropGrand { field, value })
}

/// Converts a rate in [0, 1] (DECP `tauxAvance`: 0.05 = 5 %) to a JSON number.
pub(crate) fn rate_number(field: &'static str, value: Decimal) -> Result<Number, OpenDataError> {
    let invalid = OpenDataError::TauxInvalide { field, value };
    if value < Decimal::ZERO || value > Decimal::ONE || value.normalize().scale() > 6 {
        return Err(invalid);
    }
    exact_number(value).ok_or(invalid)
}

/// Decimal text → JSON number, `None` unless the number prints back to the same decimal.
fn exact_number(value: Decimal) -> Option<Number> {
    let normalized = value.normalize();
    let number = Number::from_str(&normalized.to_string()).ok()?;
    let printed = number.to_string();
    let back = Decimal::from_str(&printed)
        .or_else(|_| Decimal::from_scientific(&printed))
        .ok()?;
    (back == normalized).then_some(number)
}

/// Labels of a DECP list, duplicates removed (`uniqueItems`), `none` for an empty list.
fn labels<T: Copy + PartialEq>(items: &[T], label: fn(T) -> &'static str, none: &str) -> Value {
    let mut out: Vec<&str> = Vec::new();
    for l in items.iter().map(|i| label(*i)) {
        if !out.contains(&l) {
            out.push(l);
        }
    }
    if out.is_empty() {
        out.push(none);
    }
    json!(out)
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// One `marche` object of DECP v2.0.3 (`#/definitions/marche`), every required field filled.
pub fn record(facts: &ContractFacts) -> Result<Value, OpenDataError> {
    let c = facts.check()?;
    let titulaires: Vec<Value> = facts
        .titulaires
        .iter()
        .zip(&c.titulaire_ids)
        .map(|(t, id)| json!({"titulaire": {"id": id, "typeIdentifiant": t.type_identifiant.label()}}))
        .collect();
    let mut record = json!({
        "id": c.id,
        "acheteur": {"id": c.buyer_siret},
        "nature": facts.type_marche.label(),
        "objet": c.objet,
        "codeCPV": c.cpv,
        "techniques": {"technique": labels(&facts.techniques, |t| t.label(), "Sans objet")},
        "modalitesExecution": {
            "modaliteExecution": labels(&facts.modalites_execution, |m| m.label(), "Sans objet")
        },
        "marcheInnovant": facts.marche_innovant,
        "ccag": facts.ccag.label(),
        "offresRecues": facts.offres_recues,
        "attributionAvance": facts.attribution_avance,
        "tauxAvance": c.taux_avance,
        "typeGroupementOperateurs": facts.type_groupement_operateurs.label(),
        "sousTraitanceDeclaree": facts.sous_traitance_declaree,
        "procedure": facts.procedure.label(),
        "lieuExecution": {
            "code": facts.lieu_execution.code,
            "typeCode": facts.lieu_execution.type_code.label()
        },
        "dureeMois": facts.duree_mois,
        "dateNotification": date(facts.date_notification),
        "datePublicationDonnees": date(facts.date_publication),
        "montant": c.montant,
        "typesPrix": {"typePrix": labels(&facts.types_prix, |t| t.label(), "")},
        "formePrix": facts.forme_prix.label(),
        "titulaires": titulaires,
        "considerationsSociales": {"considerationSociale": labels(
            &facts.considerations_sociales, |c| c.label(), "Pas de considération sociale")},
        "considerationsEnvironnementales": {"considerationEnvironnementale": labels(
            &facts.considerations_environnementales, |c| c.label(),
            "Pas de considération environnementale")},
    });
    let id_accord_cadre = facts.id_accord_cadre.as_deref().map(str::trim);
    if let (Some(id), Value::Object(map)) = (id_accord_cadre.filter(|s| !s.is_empty()), &mut record)
    {
        map.insert("idAccordCadre".to_owned(), json!(id));
    }
    Ok(record)
}

/// The schema's root object, `{"marches": {"marche": [...]}}`, around records built by
/// [`record`].
pub fn document(records: &[Value]) -> Value {
    json!({"marches": {"marche": records}})
}

#[cfg(test)]
#[path = "decp_tests.rs"]
pub(crate) mod tests;
