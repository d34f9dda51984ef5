//! The needs grid as a spreadsheet: the rows of the template to download and the reading of a
//! filled file into needs. Pure: the file formats are in [`super::needs_sheet`], the page in
//! [`super::needs_import_handlers`], the writing in [`super::service::set_needs`].
//!
//! # Accepted columns
//!
//! The first line holds the headers, in any order (case, accents and spaces around are
//! tolerated; other columns are ignored):
//!
//! | Header             | Required | Use                                                        |
//! |--------------------|----------|------------------------------------------------------------|
//! | `N° de lot`        | yes      | the lot of the consultation (its number)                   |
//! | `Intitulé du lot`  | no       | shown only, not read                                       |
//! | `Membre`           | no       | shown only, not read                                       |
//! | `FINESS juridique` | yes      | the member (an active member of the groupement)            |
//! | `Montant HT`       | yes      | the estimated need, euros HT (decimal comma or point)      |
//! | `Options HT`       | yes      | empty = 0                                                  |
//! | `Reconductions HT` | yes      | empty = 0                                                  |
//! | `Quantité`         | yes      | empty = none                                               |
//! | `Unité`            | yes      | empty = none, at most 40 characters                        |
//!
//! A line whose five value cells are empty is skipped (as an empty row of the grid); a (lot,
//! member) pair may appear only once; members and lots absent from the file keep their needs.
//! Every error names the line (the spreadsheet's row number, headers on line 1) and the column.

use super::model::{NeedDraft, NeedInput, validate_need};
use super::needs_grid::FIELDS;
use super::rules::{RulesError, parse_amount};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Header of the lot number column.
pub const LOT_NUMBER: &str = "N° de lot";
/// Header of the lot label column (shown only).
pub const LOT_LABEL: &str = "Intitulé du lot";
/// Header of the member name column (shown only).
pub const MEMBER: &str = "Membre";
/// Header of the member identifier column.
pub const FINESS: &str = "FINESS juridique";

/// Every header of the template, in order.
#[must_use]
pub fn headers() -> Vec<&'static str> {
    let mut h = vec![LOT_NUMBER, LOT_LABEL, MEMBER, FINESS];
    h.extend(FIELDS.iter().map(|(_, header)| *header));
    h
}

/// One line of the template: a lot, an active member and the stored need (values in
/// [`FIELDS`] order, numbers with a decimal point, empty when none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateRow {
    pub lot_number: i32,
    pub lot_label: String,
    pub member: String,
    pub finess: String,
    pub values: [String; FIELDS.len()],
}

/// A lot of the consultation: id, number.
pub type Lot = (i32, i32);
/// An active member: id, name, FINESS juridique.
pub type Member = (i32, String, String);

use crate::table_file::header_key;

/// A FINESS as compared: no spaces, upper case, the leading zero a spreadsheet drops restored.
fn finess_key(raw: &str) -> String {
    let k: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !k.is_empty() && k.len() < 9 && k.chars().all(|c| c.is_ascii_digit()) {
        format!("{k:0>9}")
    } else {
        k
    }
}

/// Where each required column is: header → column index.
fn columns(header: &[String]) -> Result<BTreeMap<&'static str, usize>, Vec<String>> {
    let mut found = BTreeMap::new();
    let mut errors = Vec::new();
    let required: Vec<&'static str> = headers()
        .into_iter()
        .filter(|h| *h != LOT_LABEL && *h != MEMBER)
        .collect();
    for (i, cell) in header.iter().enumerate() {
        let key = header_key(cell);
        if let Some(h) = required.iter().find(|h| header_key(h) == key)
            && found.insert(*h, i).is_some()
        {
            errors.push(format!(
                "La colonne « {h} » figure deux fois sur la ligne 1 : gardez-en une seule."
            ));
        }
    }
    let missing: Vec<String> = required
        .iter()
        .filter(|h| !found.contains_key(*h))
        .map(|h| format!("« {h} »"))
        .collect();
    if !missing.is_empty() {
        errors.push(format!(
            "Colonne(s) manquante(s) sur la ligne 1 : {}. Téléchargez le modèle et gardez ses en-têtes.",
            missing.join(", ")
        ));
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

/// The error of one amount cell, or none.
fn amount_error(raw: &str, required: bool) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() || (!required && v == "0") {
        return required.then(|| "le montant est obligatoire sur une ligne remplie".to_owned());
    }
    match parse_amount(v) {
        Ok(_) => None,
        Err(RulesError::InvalidAmount { reason, .. }) => {
            Some(format!("« {v} » n'est pas un montant ({reason})"))
        }
        Err(e) => Some(format!("« {v} » n'est pas un montant ({e})")),
    }
}

/// The error of one value cell (column `field`), or none.
fn cell_error(field: &str, raw: &str) -> Option<String> {
    let v = raw.trim();
    match field {
        "amount_ht" => amount_error(v, true),
        "options_ht" | "renewals_ht" => amount_error(v, false),
        "quantity" if !v.is_empty() => match v.replace(',', ".").parse::<Decimal>() {
            Ok(q) if q > Decimal::ZERO => None,
            _ => Some(format!(
                "« {v} » n'est pas une quantité (un nombre positif)"
            )),
        },
        "unit" if v.chars().count() > 40 => {
            Some("l'unité ne peut pas dépasser 40 caractères".to_owned())
        }
        _ => None,
    }
}

/// Reads a filled table (`rows[0]` the headers) into needs, all or nothing.
/// `lots`: the consultation's lots; `members`: the groupement's active members.
///
/// # Errors
/// Every error of the file, in line order, in French, each naming its line and column.
pub fn parse(
    rows: &[Vec<String>],
    lots: &[Lot],
    members: &[Member],
) -> Result<Vec<NeedDraft>, Vec<String>> {
    let filled = |r: &Vec<String>| r.iter().any(|c| !c.trim().is_empty());
    let Some(header) = rows.first().filter(|r| filled(r)) else {
        return Err(vec![
            "Le fichier est vide : téléchargez le modèle, complétez-le et déposez-le.".to_owned(),
        ]);
    };
    let cols = columns(header)?;
    let at = |r: &[String], h: &str| {
        cols.get(h)
            .and_then(|i| r.get(*i))
            .map(|c| c.trim().to_owned())
            .unwrap_or_default()
    };
    let mut drafts = Vec::new();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<(i32, i32), usize> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let line = i + 1;
        let values: Vec<String> = FIELDS.iter().map(|(_, h)| at(row, h)).collect();
        if values.iter().all(String::is_empty) {
            continue;
        }
        let err = |errors: &mut Vec<String>, col: &str, msg: String| {
            errors.push(format!("Ligne {line}, colonne « {col} » : {msg}"));
        };
        let raw_lot = at(row, LOT_NUMBER);
        let lot = match raw_lot.parse::<i32>() {
            Ok(n) => match lots.iter().find(|(_, number)| *number == n) {
                Some((id, _)) => Some((*id, n)),
                None => {
                    err(
                        &mut errors,
                        LOT_NUMBER,
                        format!("la consultation n'a pas de lot {n}"),
                    );
                    None
                }
            },
            Err(_) if raw_lot.is_empty() => {
                err(
                    &mut errors,
                    LOT_NUMBER,
                    "le numéro de lot est obligatoire".into(),
                );
                None
            }
            Err(_) => {
                err(
                    &mut errors,
                    LOT_NUMBER,
                    format!("« {raw_lot} » n'est pas un numéro de lot"),
                );
                None
            }
        };
        let raw_finess = at(row, FINESS);
        let member = members
            .iter()
            .find(|(_, _, f)| !raw_finess.is_empty() && finess_key(f) == finess_key(&raw_finess));
        if member.is_none() {
            let msg = if raw_finess.is_empty() {
                "le FINESS juridique du membre est obligatoire".to_owned()
            } else {
                format!("aucun membre actif du groupement n'a le FINESS juridique « {raw_finess} »")
            };
            err(&mut errors, FINESS, msg);
        }
        for ((field, header), value) in FIELDS.iter().zip(&values) {
            if let Some(msg) = cell_error(field, value) {
                err(&mut errors, header, msg);
            }
        }
        let (Some((lot_id, number)), Some((member_id, name, _))) = (lot, member) else {
            continue;
        };
        if let Some(first) = seen.insert((lot_id, *member_id), line) {
            errors.push(format!(
                "Ligne {line} : le lot {number} de {name} figure déjà ligne {first} ; gardez une seule ligne."
            ));
            continue;
        }
        let input = NeedInput {
            lot_id: lot_id.to_string(),
            member_id: member_id.to_string(),
            amount_ht: values[0].clone(),
            options_ht: values[1].clone(),
            renewals_ht: values[2].clone(),
            quantity: values[3].clone(),
            unit: values[4].clone(),
        };
        match validate_need(&input) {
            Ok(d) => drafts.push(d),
            // Already named above; any other rule of the grid still refuses the line.
            Err(errs) => {
                for (field, msgs) in errs {
                    let col = FIELDS
                        .iter()
                        .find(|(f, _)| *f == field)
                        .map_or(FINESS, |(_, h)| h);
                    for m in msgs {
                        let named = format!("Ligne {line}, colonne « {col} »");
                        if !errors.iter().any(|e| e.starts_with(&named)) {
                            err(&mut errors, col, m);
                        }
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(drafts)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
#[path = "needs_import_tests.rs"]
mod tests;
