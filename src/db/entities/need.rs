use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "need")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub lot_id: i32,
    pub member_id: i32,
    /// Decimal strings, HT.
    pub amount_ht: String,
    pub options_ht: String,
    pub renewals_ht: String,
    pub quantity: Option<String>,
    pub unit: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
