use sea_orm::entity::prelude::*;

/// A note agreed for an (offer, criterion), recorded with its reason by the président of the CAO.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consensus_note")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub pli_id: i32,
    pub criterion_id: i32,
    /// Decimal string on the criterion's scale.
    pub note: String,
    pub reason: String,
    pub decided_by: i32,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
