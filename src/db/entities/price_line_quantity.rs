use sea_orm::entity::prelude::*;

/// The estimated quantity of one member on one price line (decimal string, > 0).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_line_quantity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub price_line_id: i32,
    pub member_id: i32,
    pub quantity: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
