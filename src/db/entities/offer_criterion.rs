use sea_orm::entity::prelude::*;

/// One award criterion or sub-criterion of a consultation (`crate::offers::criteria`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offer_criterion")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub parent_id: Option<i32>,
    /// Order among its siblings.
    pub position: i32,
    /// Identifier in the scoring engine, unique in the consultation.
    pub code: String,
    pub label: String,
    /// Weight in points, decimal string.
    pub weight: String,
    /// Root criteria only: `price` or `evaluated`.
    pub kind: Option<String>,
    /// Price criteria: `proportional`, `linear_relative`, `min_max`.
    pub formula: Option<String>,
    /// Evaluated root criteria: top of the scale, decimal string.
    pub scale: Option<String>,
    pub environmental: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
