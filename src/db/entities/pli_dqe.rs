use sea_orm::entity::prelude::*;

/// The DQE workbook a bidder filled, uploaded on its opened pli (`crate::offers::dqe_prices`):
/// its SHA-256, the BPU version it was checked against, the recomputed lot total and the
/// coordonnateur's decision on the material errors, if any.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pli_dqe")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub pli_id: i32,
    pub piece_version_id: i32,
    pub file_name: String,
    /// SHA-256 (hex) of the uploaded file.
    pub sha256: String,
    pub size: i64,
    /// Decimal string HT: the lot total recomputed from the unit prices.
    pub total_ht: String,
    /// Decimal string HT: the lot total the workbook announces (= `total_ht` when it agrees).
    pub announced_total_ht: String,
    /// JSON list of `docgen::dqe_read::MaterialError`.
    #[sea_orm(column_type = "Text")]
    pub material_errors: String,
    /// `recalcule` or `annonce`: the total retained by the coordonnateur's decision.
    pub retained: Option<String>,
    pub retained_total_ht: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
