//! The DQE workbook a bidder filled, uploaded on its opened pli (coordonnateur): checked
//! against the BPU version the candidates received (`docgen::dqe_read`), its unit prices
//! stored per price line with the file's SHA-256, and the price of the pli set from the
//! recomputed lot total — or, when the workbook announces other amounts, left to the
//! coordonnateur's reasoned decision. Every change is journaled in its transaction; the same
//! file again changes nothing. The rules are in [`super::dqe_rules`].

use super::dqe_rules::{self, PriceEffect, Retained};
use super::register::{self, begin_on_opened};
use crate::audit::{self, Actor};
use crate::consultations::service as consultations;
use crate::db::entities::{lot, piece, piece_version, pli, pli_dqe, pli_dqe_line};
use crate::docgen::DocKind;
use crate::docgen::dqe_read::{DqePrices, MaterialError, read_dqe};
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use std::str::FromStr;

/// The BPU version the candidates received: the current one, the pieces being frozen from the
/// publication on (`pieces::service::ensure_generatable`).
///
/// # Errors
/// `Conflict` when no BPU was generated; database errors.
pub async fn published_bpu<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<piece_version::Model, AppError> {
    let none = || {
        AppError::Conflict(
            "Aucun BPU n'a été publié pour cette consultation : le DQE d'un pli ne peut être \
             vérifié que contre le classeur remis aux candidats."
                .into(),
        )
    };
    let p = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .filter(piece::Column::Kind.eq(DocKind::Bpu.as_str()))
        .one(db)
        .await?
        .ok_or_else(none)?;
    piece_version::Entity::find()
        .filter(piece_version::Column::PieceId.eq(p.id))
        .order_by_desc(piece_version::Column::Number)
        .one(db)
        .await?
        .ok_or_else(none)
}

async fn lot_number<C: ConnectionTrait>(db: &C, p: &pli::Model) -> Result<Option<i32>, AppError> {
    Ok(match p.lot_id {
        Some(id) => lot::Entity::find_by_id(id).one(db).await?.map(|l| l.number),
        None => None,
    })
}

/// The stored DQE of a pli and its lines.
///
/// # Errors
/// Database errors.
pub async fn stored<C: ConnectionTrait>(
    db: &C,
    pid: i32,
) -> Result<Option<(pli_dqe::Model, Vec<pli_dqe_line::Model>)>, AppError> {
    let Some(d) = pli_dqe::Entity::find()
        .filter(pli_dqe::Column::PliId.eq(pid))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let lines = pli_dqe_line::Entity::find()
        .filter(pli_dqe_line::Column::PliDqeId.eq(d.id))
        .order_by_asc(pli_dqe_line::Column::Position)
        .all(db)
        .await?;
    Ok(Some((d, lines)))
}

/// The material errors stored with a DQE.
#[must_use]
pub fn material_errors(d: &pli_dqe::Model) -> Vec<MaterialError> {
    serde_json::from_str::<Vec<serde_json::Value>>(&d.material_errors)
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let dec = |k: &str| {
                e[k].as_str()
                    .and_then(|v| Decimal::from_str(v).ok())
                    .unwrap_or_default()
            };
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            MaterialError {
                sheet: s("sheet"),
                cell: s("cell"),
                what: s("what"),
                announced: dec("announced"),
                computed: dec("computed"),
            }
        })
        .collect()
}

/// What an upload did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uploaded {
    /// The same file was already stored: nothing changed.
    Unchanged,
    /// Stored; the price of the pli is now this total.
    Priced(Decimal),
    /// Stored; the price was already this total.
    Confirmed(Decimal),
    /// Stored with material errors: the coordonnateur decides which total is retained.
    DecisionRequired(usize),
}

fn refused(messages: Vec<String>) -> AppError {
    AppError::file(messages)
}

/// Uploads the filled DQE `bytes` on pli `pid` (coordonnateur, opened pli).
///
/// # Errors
/// `Validation` (key `fichier`) with every reason to refuse the workbook, nothing stored;
/// `Conflict` (sealed, late, replaced pli; no BPU; another DQE already stored; a price already
/// entered that differs); database errors.
#[allow(clippy::too_many_arguments)]
pub async fn upload(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    pid: i32,
    file_name: &str,
    bytes: &[u8],
) -> Result<Uploaded, AppError> {
    use sha2::{Digest, Sha256};
    if bytes.is_empty() {
        return Err(refused(vec![
            "Aucun fichier n'a été reçu : choisissez le classeur DQE complété par le soumissionnaire (.xlsx).".into(),
        ]));
    }
    if bytes.len() > dqe_rules::MAX_BYTES {
        return Err(refused(vec![format!(
            "Le fichier dépasse {} Mo : le DQE du DCE complété pèse quelques dizaines de kilo-octets.",
            dqe_rules::MAX_BYTES / (1024 * 1024)
        )]));
    }
    let sha = hex::encode(Sha256::digest(bytes));
    let (tx, _, p) = begin_on_opened(db, now, gid, cid, pid).await?;
    if let Some((d, _)) = stored(&tx, pid).await? {
        if d.sha256 == sha {
            return Ok(Uploaded::Unchanged);
        }
        return Err(AppError::Conflict(format!(
            "Le DQE du pli de {} est déjà consigné (« {} », déposé le {}, SHA-256 {}) : un autre \
             classeur ne le remplace pas. Une erreur sur le prix se corrige par une « rectification \
             d'erreur matérielle » motivée.",
            p.bidder_name,
            d.file_name,
            register::paris_label(d.created_at),
            d.sha256
        )));
    }
    let version = published_bpu(&tx, cid).await?;
    let ctx: serde_json::Value = serde_json::from_str(&version.context_json).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("contexte du BPU v{} : {e}", version.number))
    })?;
    let ctx =
        dqe_rules::lot_context(&ctx, lot_number(&tx, &p).await?).map_err(AppError::Conflict)?;
    let prices: DqePrices = read_dqe(bytes, &ctx).map_err(refused)?;
    let announced = dqe_rules::announced_total(&prices);
    let effect = if prices.material_errors.is_empty() {
        Some(
            dqe_rules::price_effect(&p.bidder_name, p.price_ht.as_deref(), prices.total_ht)
                .map_err(AppError::Conflict)?,
        )
    } else {
        None
    };
    let name: String = file_name.trim().chars().take(200).collect();
    let row = pli_dqe::ActiveModel {
        pli_id: Set(pid),
        piece_version_id: Set(version.id),
        file_name: Set(if name.is_empty() {
            "dqe.xlsx".into()
        } else {
            name
        }),
        sha256: Set(sha.clone()),
        size: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
        total_ht: Set(prices.total_ht.to_string()),
        announced_total_ht: Set(announced.to_string()),
        material_errors: Set(serde_json::to_string(&prices.material_errors)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?),
        retained: Set(None),
        retained_total_ht: Set(None),
        decision_reason: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        created_at: Set(now),
        created_by: Set(actor.label.clone()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let mut position = 0;
    for lot in &prices.lots {
        for l in &lot.lines {
            pli_dqe_line::ActiveModel {
                pli_dqe_id: Set(row.id),
                position: Set(position),
                code: Set(l.code.clone()),
                quantity: Set(l.quantity.normalize().to_string()),
                unit_price_ht: Set(l.unit_price_ht.normalize().to_string()),
                amount_ht: Set(l.amount_ht.to_string()),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            position += 1;
        }
    }
    let before = p.price_ht.clone();
    let bidder = p.bidder_name.clone();
    let outcome = match effect {
        Some(PriceEffect::Set(total)) => {
            let mut a: pli::ActiveModel = p.into();
            a.price_ht = Set(Some(total.to_string()));
            a.updated_at = Set(now);
            a.update(&tx).await?;
            Uploaded::Priced(total)
        }
        Some(PriceEffect::Unchanged) => Uploaded::Confirmed(prices.total_ht),
        None => Uploaded::DecisionRequired(prices.material_errors.len()),
    };
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "offres.dqe",
            entity: "pli",
            entity_id: pid.to_string(),
            summary: serde_json::json!({
                "consultation": cid, "soumissionnaire": bidder, "fichier": row.file_name,
                "sha256": sha, "taille": row.size, "bpu_version": version.number,
                "lignes": position, "total_ht_recalcule": prices.total_ht.to_string(),
                "total_ht_annonce": announced.to_string(),
                "erreurs_materielles": prices.material_errors,
                "prix_before": before,
                "prix_after": match outcome {
                    Uploaded::Priced(t) | Uploaded::Confirmed(t) => Some(t.to_string()),
                    _ => None,
                },
                "decision_attendue": matches!(outcome, Uploaded::DecisionRequired(_)),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Records the coordonnateur's decision on the material errors of the DQE of pli `pid`: the
/// retained total becomes the price under the rule of a typed price.
///
/// # Errors
/// `Validation` on the form; `Conflict` (no DQE, nothing to decide, already decided, a price
/// already entered that differs; sealed, late, replaced pli); database errors.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    pid: i32,
    retained: &str,
    reason: &str,
) -> Result<(Retained, Decimal), AppError> {
    let (tx, _, p) = begin_on_opened(db, now, gid, cid, pid).await?;
    let Some((d, _)) = stored(&tx, pid).await? else {
        return Err(AppError::Conflict(
            "Aucun DQE n'est déposé sur ce pli : déposez d'abord le classeur du soumissionnaire."
                .into(),
        ));
    };
    let errors = material_errors(&d);
    if errors.is_empty() {
        return Err(AppError::Conflict(
            "Le DQE de ce pli ne comporte aucune erreur matérielle : il n'y a rien à décider."
                .into(),
        ));
    }
    if let Some(at) = d.decided_at {
        return Err(AppError::Conflict(format!(
            "Le total retenu pour le DQE de ce pli a été décidé le {} : une erreur se corrige par \
             une « rectification d'erreur matérielle » motivée.",
            register::paris_label(at)
        )));
    }
    let (choice, reason) = dqe_rules::check_decision(retained, reason).map_err(|m| {
        let mut errs = FieldErrors::new();
        errs.insert("decision".into(), m);
        AppError::Validation(errs)
    })?;
    let parse = |s: &str| {
        Decimal::from_str(s).map_err(|e| AppError::Internal(anyhow::anyhow!("total du DQE : {e}")))
    };
    let total = match choice {
        Retained::Recomputed => parse(&d.total_ht)?,
        Retained::Announced => parse(&d.announced_total_ht)?,
    };
    let effect = dqe_rules::price_effect(&p.bidder_name, p.price_ht.as_deref(), total)
        .map_err(AppError::Conflict)?;
    let before = p.price_ht.clone();
    let bidder = p.bidder_name.clone();
    if let PriceEffect::Set(t) = effect {
        let mut a: pli::ActiveModel = p.into();
        a.price_ht = Set(Some(t.to_string()));
        a.updated_at = Set(now);
        a.update(&tx).await?;
    }
    let (recomputed, announced) = (d.total_ht.clone(), d.announced_total_ht.clone());
    let mut a: pli_dqe::ActiveModel = d.into();
    a.retained = Set(Some(choice.code().into()));
    a.retained_total_ht = Set(Some(total.to_string()));
    a.decision_reason = Set(Some(reason.clone()));
    a.decided_at = Set(Some(now));
    a.decided_by = Set(Some(actor.label.clone()));
    a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "offres.dqe_decision",
            entity: "pli",
            entity_id: pid.to_string(),
            summary: serde_json::json!({
                "consultation": cid, "soumissionnaire": bidder, "retenu": choice.code(),
                "total_ht_recalcule": recomputed, "total_ht_annonce": announced,
                "erreurs_materielles": errors, "motif": reason,
                "prix_before": before, "prix_after": total.to_string(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((choice, total))
}

/// What the DQE page shows of a pli (those who see the offers, once opened).
///
/// # Errors
/// `NotFound`; `Conflict` while sealed; database errors.
pub async fn page_data<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    gid: i32,
    cid: i32,
    pid: i32,
) -> Result<PageData, AppError> {
    let c = consultations::get(db, gid, cid).await?;
    super::access::ensure_opened(&c, now)?;
    let p = register::list(db, cid)
        .await?
        .into_iter()
        .find(|p| p.id == pid)
        .ok_or(AppError::NotFound)?;
    let bpu = published_bpu(db, cid).await.ok().map(|v| v.number);
    let lot = lot_number(db, &p).await?;
    let dqe = stored(db, pid).await?;
    Ok(PageData {
        c,
        p,
        lot,
        bpu,
        dqe,
    })
}

/// The data of the DQE page.
pub struct PageData {
    pub c: crate::db::entities::consultation::Model,
    pub p: pli::Model,
    pub lot: Option<i32>,
    pub bpu: Option<i32>,
    pub dqe: Option<(pli_dqe::Model, Vec<pli_dqe_line::Model>)>,
}
