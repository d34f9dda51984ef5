use sea_orm::entity::prelude::*;

/// One point of the agenda of a séance: a consultation (or one of its lots) and the decision
/// proposed to the commission.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_agenda_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub seance_id: i32,
    pub position: i32,
    pub consultation_id: i32,
    pub lot_id: Option<i32>,
    pub title: String,
    pub proposed_decision: String,
    /// Legacy JSON array of bidders' names typed by hand; no longer written (`[]`): the bidders
    /// are the plis of the register for the item's lot (`crate::cao::store::ItemData`).
    pub bidders: String,
    /// `attribution` (choice of the attributaire: the PV names it from the ranking) or `autre`;
    /// `None` for items created before this distinction (treated as `autre`).
    pub kind: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
