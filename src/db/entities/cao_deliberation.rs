use sea_orm::entity::prelude::*;

/// The result of the deliberation on one agenda item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_deliberation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub agenda_item_id: i32,
    /// `cao::rules::deliberation::DeliberationResult` in snake_case.
    pub result: String,
    pub pour: i32,
    pub contre: i32,
    pub abstention: i32,
    pub voting_present: i32,
    pub quorum_required: i32,
    pub quorum_reached: bool,
    /// JSON array of the names of the members who left the room (conflict of interest).
    pub deportes: String,
    pub explanation: String,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
