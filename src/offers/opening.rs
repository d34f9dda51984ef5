//! The procès-verbal d'ouverture des plis (kind `pv_ouverture_plis`, field names of
//! `documents/examples/pv_ouverture_plis.json`): every pli of the register with its bidder, lot,
//! time of receipt, whether it arrived in time (a late pli is eliminated unopened, R2151-5; only
//! the last pli of a bidder for a lot is opened, R2151-6), and who opened it and when — the first
//! examination written to the audit journal after the deadline (price, candidature, offer, OAB).

use crate::db::entities::{audit_entry, lot, pli};
use crate::docgen::{DocEngine, DocKind};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// Journal actions that mean a pli was opened (its content read or entered).
pub const OPENING_ACTIONS: [&str; 4] = [
    "offres.prix",
    "offres.candidature",
    "offres.examen",
    "offres.oab",
];

/// Who first opened a pli, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// What the register says of one pli's opening.
#[must_use]
pub fn opening_label(p: &pli::Model, opened: Option<&Opening>) -> String {
    if p.hors_delai {
        return "non ouvert : pli hors délai, éliminé (article R2151-5)".to_owned();
    }
    if p.superseded {
        return "non ouvert : remplacé par un pli ultérieur du même soumissionnaire (article R2151-6)"
            .to_owned();
    }
    opened.map_or_else(
        || "à ouvrir".to_owned(),
        |o| {
            let t = o.at.with_timezone(&Paris);
            format!(
                "ouvert le {} à {} par {}",
                crate::calendar::french_date(t.date_naive()),
                t.format("%H h %M"),
                o.by
            )
        },
    )
}

/// The context of the PV (pure).
#[must_use]
pub fn context(
    base: &Value,
    plis: &[pli::Model],
    lots: &[lot::Model],
    openings: &HashMap<i32, Opening>,
    deadline: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Value {
    let lot_label = |id: Option<i32>| {
        lots.iter().find(|l| Some(l.id) == id).map_or_else(
            || "lot unique".to_owned(),
            |l| format!("Lot {} – {}", l.number, l.label),
        )
    };
    let mut sorted: Vec<&pli::Model> = plis.iter().collect();
    sorted.sort_by_key(|p| (p.received_at, p.id));
    let rows: Vec<Value> = sorted
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "number": i + 1,
                "bidder": p.bidder_name,
                "siret": p.siret,
                "lot": lot_label(p.lot_id),
                "received_at": p.received_at.with_timezone(&Paris).to_rfc3339(),
                "channel": super::register::channel_label(&p.channel),
                "timeliness": if p.hors_delai { "hors délai" } else { "dans le délai" },
                "opening": opening_label(p, openings.get(&p.id)),
            })
        })
        .collect();
    let opened = |p: &&pli::Model| !p.hors_delai && !p.superseded;
    let mut per_lot: BTreeMap<(i32, String), usize> = BTreeMap::new();
    for p in plis.iter().filter(opened) {
        let n = lots
            .iter()
            .find(|l| Some(l.id) == p.lot_id)
            .map_or(0, |l| l.number);
        *per_lot.entry((n, lot_label(p.lot_id))).or_default() += 1;
    }
    let paris = now.with_timezone(&Paris);
    let mut ctx = base.clone();
    ctx["consultation"]["offers_deadline"] =
        json!(deadline.map(|d| d.with_timezone(&Paris).to_rfc3339()));
    ctx["document"]["date"] = json!(paris.date_naive().to_string());
    ctx["document"]["created_at"] = json!(paris.to_rfc3339());
    ctx["document"]["title"] = json!("Procès-verbal d'ouverture des plis");
    if ctx["document"]["place"].is_null() {
        ctx["document"]["place"] = json!("");
    }
    ctx["plis"] = json!(rows);
    ctx["totals"] = json!({
        "received": plis.len(),
        "in_time": plis.iter().filter(opened).count(),
        "late": plis.iter().filter(|p| p.hors_delai).count(),
        "superseded": plis.iter().filter(|p| p.superseded && !p.hors_delai).count(),
    });
    ctx["lots"] = json!(
        per_lot
            .into_iter()
            .map(|((_, label), count)| json!({"label": label, "count": count}))
            .collect::<Vec<_>>()
    );
    ctx["signatory"] = crate::pieces::context::signatory(base);
    ctx
}

/// The first opening action of each pli in the journal (after `deadline`).
async fn openings<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    plis: &[pli::Model],
    deadline: Option<DateTime<Utc>>,
) -> Result<HashMap<i32, Opening>, AppError> {
    let ids: Vec<String> = plis.iter().map(|p| p.id.to_string()).collect();
    let rows = audit_entry::Entity::find()
        .filter(audit_entry::Column::GroupementId.eq(gid))
        .filter(audit_entry::Column::Entity.eq("pli"))
        .filter(audit_entry::Column::EntityId.is_in(ids))
        .filter(audit_entry::Column::Action.is_in(OPENING_ACTIONS))
        .order_by_asc(audit_entry::Column::Id)
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for r in rows {
        let (Ok(id), Ok(at)) = (
            r.entity_id.parse::<i32>(),
            DateTime::parse_from_rfc3339(&r.at),
        ) else {
            continue;
        };
        let at = at.with_timezone(&Utc);
        if deadline.is_some_and(|d| at < d) {
            continue;
        }
        out.entry(id).or_insert(Opening { by: r.actor, at });
    }
    Ok(out)
}

/// The PV of a consultation: `(file name, DOCX)`.
///
/// # Errors
/// `NotFound`; `Conflict` before the deadline (the plis are sealed); database errors.
pub async fn docx<C: ConnectionTrait>(
    db: &C,
    engine: &DocEngine,
    gid: i32,
    cid: i32,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), AppError> {
    let c = crate::consultations::service::get(db, gid, cid).await?;
    let deadline = super::access::deadline_utc(&c);
    if deadline.is_none_or(|d| now < d) {
        return Err(AppError::Conflict(
            "Le procès-verbal d'ouverture des plis s'établit après la date et l'heure limites de remise des offres.".into(),
        ));
    }
    let plis = pli::Entity::find()
        .filter(pli::Column::ConsultationId.eq(cid))
        .order_by_asc(pli::Column::ReceivedAt)
        .all(db)
        .await?;
    let lots = lot::Entity::find()
        .filter(lot::Column::ConsultationId.eq(cid))
        .all(db)
        .await?;
    let opened = openings(db, gid, &plis, deadline).await?;
    // The consultation's base context (buyer, groupement, consultation), without the court
    // the letters need.
    let today = now.with_timezone(&Paris).date_naive();
    let facts = crate::dossier::load(db, gid, cid, today).await?;
    let base = crate::pieces::context::build(&facts, now).ctx;
    let look = crate::pieces::service::effective_look(db, gid, cid).await?;
    let ctx = context(&base, &plis, &lots, &opened, deadline, now);
    let doc = engine
        .render_docx(DocKind::PvOuverturePlis, &ctx, &look)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("pv_ouverture_plis : {e}")))?;
    Ok((
        format!(
            "{}_PV_ouverture_plis.docx",
            crate::file_names::safe_name(&c.reference)
        ),
        doc.docx,
    ))
}
