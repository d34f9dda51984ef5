use sea_orm::entity::prelude::*;

/// A candidate who withdrew the DCE (from the buyer's profile, or by mail): every answer to a
/// question, extension of the deadline and modification of the DCE is sent to it (R2132-6,
/// R2151-4).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "retrait")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub name: String,
    pub email: String,
    pub withdrawn_on: Date,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
