use sea_orm::entity::prelude::*;

/// One price line of the BPU/DQE of a lot (`crate::dossier::price_lines`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub lot_id: i32,
    /// Order in the lot.
    pub position: i32,
    /// « 1.1 », « 1.2 »… unique in the consultation.
    pub code: String,
    pub label: String,
    pub unit: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
