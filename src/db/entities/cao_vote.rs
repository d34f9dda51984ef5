use sea_orm::entity::prelude::*;

/// One vote on an agenda item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_vote")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub agenda_item_id: i32,
    pub assignment_id: i32,
    /// `pour`, `contre`, `abstention`.
    pub choice: String,
    pub recorded_by_user_id: Option<i32>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
