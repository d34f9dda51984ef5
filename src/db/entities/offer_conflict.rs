use sea_orm::entity::prelude::*;

/// A member of the CAO's declared conflict of interest with a bidder: the déport, so that this
/// member does not score that offer (`crate::offers::conflicts`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offer_conflict")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub pli_id: i32,
    pub evaluator_id: i32,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub declared_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
