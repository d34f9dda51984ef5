//! The price lines of the BPU/DQE: per lot, what the candidates price (designation, unit) and
//! the estimated quantity of each member (DOMAIN §7: each member orders and pays its own part,
//! convention art. 6.2). The coordonnateur defines them before the DCE; they are frozen with
//! the DCE at publication. No estimated unit price is kept or shown: the buyer's estimate
//! (R2121-1) must not tell the candidates the price it expects.
//!
//! A lot without price lines keeps one line built from the members' needs (`pieces::parts`).

use crate::audit::{self, Actor};
use crate::consultations::lifecycle::Status;
use crate::consultations::service as consultations;
use crate::db::entities::{price_line, price_line_quantity};
use crate::docgen::format::parse_decimal_fr;
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// Longest designation, unit and code.
const MAX_LABEL: usize = 300;
const MAX_UNIT: usize = 40;
const MAX_CODE: usize = 20;

/// One price line of a lot with the quantity of each member concerned (member id → quantity).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriceLine {
    pub lot_id: i32,
    pub code: String,
    pub label: String,
    pub unit: String,
    pub quantities: BTreeMap<i32, Decimal>,
}

/// A lot as the form knows it.
#[derive(Clone, Debug)]
pub struct LotRef {
    pub id: i32,
    pub number: i32,
}

fn push(errs: &mut FieldErrors, field: String, msg: String) {
    errs.entry(field).or_default().push(msg);
}

/// Reads the grid of the « Lignes de prix » page: rows `r{i}_lot`, `r{i}_code`, `r{i}_label`,
/// `r{i}_unit` and `r{i}_q{member id}`. A row left blank is ignored; an empty code becomes
/// « lot.n ». Every fault is named per row in French, and nothing is kept if one is found.
///
/// # Errors
/// The French messages, keyed by the field at fault.
pub fn from_form(
    form: &BTreeMap<String, String>,
    lots: &[LotRef],
    members: &[i32],
) -> Result<Vec<PriceLine>, FieldErrors> {
    let rows: BTreeSet<usize> = form
        .keys()
        .filter_map(|k| k.strip_prefix('r'))
        .filter_map(|k| k.split_once('_'))
        .filter_map(|(i, _)| i.parse().ok())
        .collect();
    let field = |i: usize, name: &str| {
        form.get(&format!("r{i}_{name}"))
            .map_or("", |v| v.trim())
            .to_owned()
    };
    let mut errs = FieldErrors::new();
    let mut out: Vec<PriceLine> = Vec::new();
    let mut per_lot: BTreeMap<i32, usize> = BTreeMap::new();
    for i in rows {
        let (label, unit, mut code) = (field(i, "label"), field(i, "unit"), field(i, "code"));
        let raw: Vec<(i32, String)> = members
            .iter()
            .map(|m| (*m, field(i, &format!("q{m}"))))
            .collect();
        if label.is_empty() && unit.is_empty() && raw.iter().all(|(_, q)| q.is_empty()) {
            continue;
        }
        let lot = field(i, "lot")
            .parse::<i32>()
            .ok()
            .and_then(|id| lots.iter().find(|l| l.id == id));
        let Some(lot) = lot else {
            push(
                &mut errs,
                format!("r{i}_label"),
                "Cette ligne ne porte sur aucun lot de la consultation : rechargez la page.".into(),
            );
            continue;
        };
        let n = per_lot.entry(lot.id).or_default();
        *n += 1;
        let at = format!("Ligne {} du lot {}", n, lot.number);
        if label.is_empty() || label.chars().count() > MAX_LABEL {
            push(
                &mut errs,
                format!("r{i}_label"),
                format!("{at} : la désignation est obligatoire ({MAX_LABEL} caractères au plus)."),
            );
        }
        if unit.is_empty() || unit.chars().count() > MAX_UNIT {
            push(
                &mut errs,
                format!("r{i}_unit"),
                format!(
                    "{at} : l'unité est obligatoire (« licence », « jour », « unité »… {MAX_UNIT} caractères au plus)."
                ),
            );
        }
        if code.is_empty() {
            code = format!("{}.{}", lot.number, n);
        } else if code.chars().count() > MAX_CODE {
            push(
                &mut errs,
                format!("r{i}_code"),
                format!("{at} : le numéro de prix a {MAX_CODE} caractères au plus."),
            );
        }
        if out.iter().any(|l| l.code == code) {
            push(
                &mut errs,
                format!("r{i}_code"),
                format!("{at} : le numéro de prix « {code} » est déjà utilisé."),
            );
        }
        let mut quantities = BTreeMap::new();
        for (m, q) in raw.iter().filter(|(_, q)| !q.is_empty()) {
            match parse_decimal_fr(q) {
                Ok(d) if d.is_sign_negative() => push(
                    &mut errs,
                    format!("r{i}_q{m}"),
                    format!("{at} : la quantité « {q} » est négative."),
                ),
                Ok(d) if d.is_zero() => {}
                Ok(d) => {
                    quantities.insert(*m, d.normalize());
                }
                Err(e) => push(&mut errs, format!("r{i}_q{m}"), format!("{at} : {e}.")),
            }
        }
        if quantities.is_empty() && raw.iter().all(|(_, q)| q.is_empty()) {
            push(
                &mut errs,
                format!("r{i}_label"),
                format!("{at} : indiquez la quantité estimée d'au moins un membre."),
            );
        }
        out.push(PriceLine {
            lot_id: lot.id,
            code,
            label,
            unit,
            quantities,
        });
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// The price lines of a consultation, by lot and position.
///
/// # Errors
/// Database errors; a stored quantity that is not a number (a corrupt row is not read as 0).
pub async fn load<C: ConnectionTrait>(db: &C, cid: i32) -> Result<Vec<PriceLine>, AppError> {
    let lines = price_line::Entity::find()
        .filter(price_line::Column::ConsultationId.eq(cid))
        .order_by_asc(price_line::Column::LotId)
        .order_by_asc(price_line::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<i32> = lines.iter().map(|l| l.id).collect();
    let quantities = price_line_quantity::Entity::find()
        .filter(price_line_quantity::Column::PriceLineId.is_in(ids))
        .all(db)
        .await?;
    lines
        .into_iter()
        .map(|l| {
            let mut q = BTreeMap::new();
            for r in quantities.iter().filter(|r| r.price_line_id == l.id) {
                let d = Decimal::from_str(&r.quantity).map_err(|_| {
                    AppError::Internal(anyhow::anyhow!(
                        "quantité illisible sur la ligne de prix {} : {}",
                        l.code,
                        r.quantity
                    ))
                })?;
                q.insert(r.member_id, d);
            }
            Ok(PriceLine {
                lot_id: l.lot_id,
                code: l.code,
                label: l.label,
                unit: l.unit,
                quantities: q,
            })
        })
        .collect()
}

/// Replaces the price lines of a consultation not yet published, in one journaled
/// transaction. The same lines again change nothing.
///
/// # Errors
/// `NotFound`; `Conflict` once published (the DCE is frozen, R2151-4 equal treatment);
/// database errors.
pub async fn replace(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    lines: &[PriceLine],
) -> Result<bool, AppError> {
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    match Status::from_code(&c.status) {
        Ok(Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier) => {}
        Ok(s) => {
            return Err(AppError::Conflict(format!(
                "La consultation est « {} » : les lignes de prix du BPU/DQE ne peuvent plus être modifiées après la publication.",
                s.label()
            )));
        }
        Err(e) => return Err(AppError::Internal(anyhow::anyhow!("{e}"))),
    }
    let before = load(&tx, cid).await?;
    if before == lines {
        return Ok(false);
    }
    let old: Vec<i32> = price_line::Entity::find()
        .filter(price_line::Column::ConsultationId.eq(cid))
        .all(&tx)
        .await?
        .iter()
        .map(|l| l.id)
        .collect();
    price_line_quantity::Entity::delete_many()
        .filter(price_line_quantity::Column::PriceLineId.is_in(old))
        .exec(&tx)
        .await?;
    price_line::Entity::delete_many()
        .filter(price_line::Column::ConsultationId.eq(cid))
        .exec(&tx)
        .await?;
    for (position, l) in lines.iter().enumerate() {
        let row = price_line::ActiveModel {
            consultation_id: Set(cid),
            lot_id: Set(l.lot_id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            code: Set(l.code.clone()),
            label: Set(l.label.clone()),
            unit: Set(l.unit.clone()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        for (m, q) in &l.quantities {
            price_line_quantity::ActiveModel {
                price_line_id: Set(row.id),
                member_id: Set(*m),
                quantity: Set(q.to_string()),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        }
    }
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "dossier.lignes_de_prix",
        entity: "consultation",
        entity_id: cid.to_string(),
        summary: serde_json::json!({"avant": before.len(), "apres": lines.len(), "lignes": lines}),
    })
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn lots() -> Vec<LotRef> {
        vec![LotRef { id: 7, number: 1 }, LotRef { id: 8, number: 2 }]
    }

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_grid_gives_lines_with_codes_and_quantities_per_member() {
        let f = form(&[
            ("r0_lot", "7"),
            ("r0_label", "Licence utilisateur"),
            ("r0_unit", "licence"),
            ("r0_q1", "12"),
            ("r0_q2", "0"),
            ("r1_lot", "7"),
            ("r1_code", "1.9"),
            ("r1_label", "Journée de formation"),
            ("r1_unit", "jour"),
            ("r1_q2", "2,5"),
            ("r2_lot", "8"),
            ("r2_label", ""),
            ("r2_unit", ""),
        ]);
        let lines = from_form(&f, &lots(), &[1, 2]).expect("valid");
        assert_eq!(lines.len(), 2, "the blank row is ignored");
        assert_eq!(lines[0].code, "1.1");
        assert_eq!(lines[0].quantities, BTreeMap::from([(1, dec!(12))]));
        assert_eq!(lines[1].code, "1.9");
        assert_eq!(lines[1].quantities, BTreeMap::from([(2, dec!(2.5))]));
    }

    #[test]
    fn every_fault_is_named_per_row_in_french() {
        let f = form(&[
            ("r0_lot", "7"),
            ("r0_label", "Licence"),
            ("r0_unit", ""),
            ("r0_q1", "-3"),
            ("r1_lot", "8"),
            ("r1_label", "Support"),
            ("r1_unit", "mois"),
            ("r1_q1", "douze"),
            ("r2_lot", "99"),
            ("r2_label", "Hors lot"),
            ("r3_lot", "8"),
            ("r3_label", "Sans quantité"),
            ("r3_unit", "jour"),
        ]);
        let errs = from_form(&f, &lots(), &[1, 2]).unwrap_err();
        let all = errs
            .values()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" | ");
        assert!(
            all.contains("Ligne 1 du lot 1 : l'unité est obligatoire"),
            "{all}"
        );
        assert!(all.contains("la quantité « -3 » est négative"), "{all}");
        assert!(
            all.contains("Ligne 1 du lot 2 : « douze » n'est pas un nombre"),
            "{all}"
        );
        assert!(all.contains("aucun lot de la consultation"), "{all}");
        assert!(
            all.contains("Ligne 2 du lot 2 : indiquez la quantité estimée"),
            "{all}"
        );
    }

    #[test]
    fn a_code_is_used_once() {
        let f = form(&[
            ("r0_lot", "7"),
            ("r0_code", "A"),
            ("r0_label", "Un"),
            ("r0_unit", "u"),
            ("r0_q1", "1"),
            ("r1_lot", "8"),
            ("r1_code", "A"),
            ("r1_label", "Deux"),
            ("r1_unit", "u"),
            ("r1_q1", "1"),
        ]);
        let errs = from_form(&f, &lots(), &[1]).unwrap_err();
        assert!(errs["r1_code"][0].contains("« A » est déjà utilisé"));
    }
}
