//! The analysis settings of a consultation (`offer_analysis`): the OAB detection method the
//! RC announces (art. 9.3) and the rapport d'analyse words alike.

use crate::db::entities::offer_analysis;
use crate::error::AppError;
use crate::scoring::OabMethod;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// The analysis settings of a consultation (defaults when none are stored yet; read-only).
///
/// # Errors
/// Database errors.
pub async fn settings<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<offer_analysis::Model, AppError> {
    Ok(offer_analysis::Entity::find()
        .filter(offer_analysis::Column::ConsultationId.eq(cid))
        .one(db)
        .await?
        .unwrap_or(offer_analysis::Model {
            id: 0,
            consultation_id: cid,
            oab_method: None,
            completion_deadline: None,
            ranking_forced_at: None,
        }))
}

/// The OAB method of the settings (default: 80 % of the mean of the other offers).
#[must_use]
pub fn oab_method(s: &offer_analysis::Model) -> OabMethod {
    s.oab_method
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}
