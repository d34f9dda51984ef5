use sea_orm::entity::prelude::*;

/// A voter's declaration, before an agenda item, of a conflict of interest (or of none).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_conflict_declaration")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub agenda_item_id: i32,
    pub assignment_id: i32,
    pub has_conflict: bool,
    pub note: Option<String>,
    pub recorded_by_user_id: Option<i32>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
