use sea_orm::entity::prelude::*;

/// One priced line of an uploaded DQE: the unit price the bidder gave, as read.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pli_dqe_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub pli_dqe_id: i32,
    /// 0-based order of the line in the lot.
    pub position: i32,
    /// The « N° de prix » of the BPU.
    pub code: String,
    /// Decimal strings: total quantity, unit price HT, amount HT (to the cent).
    pub quantity: String,
    pub unit_price_ht: String,
    pub amount_ht: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
