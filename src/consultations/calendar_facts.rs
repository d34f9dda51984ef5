//! The facts of the award that the legal calendar of a consultation reads (standstill, avis
//! d'attribution), read straight from the stored rows so that this area depends on no other.

use crate::db::entities::{attribution, letter, pli};
use crate::error::AppError;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

/// What the legal calendar of the consultation needs from the award rows: whether the NOTI3 went
/// electronically (11 or 16 days, R2182-1), whether a single tenderer took part in every lot
/// (no standstill, R2182-2), and when the avis d'attribution was sent (R2183-1).
///
/// # Errors
/// Database errors.
pub async fn calendar_facts<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<(bool, bool, Option<NaiveDate>), AppError> {
    let noti3 = letter::Entity::find()
        .select_only()
        .column(letter::Column::Electronic)
        .filter(letter::Column::ConsultationId.eq(cid))
        .filter(letter::Column::Kind.eq("noti3"))
        .into_tuple::<bool>()
        .all(db)
        .await?;
    let plis = pli::Entity::find()
        .filter(pli::Column::ConsultationId.eq(cid))
        .filter(pli::Column::HorsDelai.eq(false))
        .filter(pli::Column::Superseded.eq(false))
        .all(db)
        .await?;
    let mut per_lot: std::collections::HashMap<Option<i32>, usize> =
        std::collections::HashMap::new();
    for p in &plis {
        *per_lot.entry(p.lot_id).or_default() += 1;
    }
    let single = !per_lot.is_empty() && per_lot.values().all(|n| *n == 1);
    let avis = attribution::Entity::find()
        .filter(attribution::Column::ConsultationId.eq(cid))
        .all(db)
        .await?
        .iter()
        .filter_map(|a| a.avis_published_on)
        .min();
    Ok((noti3.iter().all(|e| *e), single, avis))
}
