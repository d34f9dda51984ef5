use sea_orm::entity::prelude::*;

/// The scoring sheet of one CAO member for one consultation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluator_sheet")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub evaluator_id: i32,
    /// Set when submitted (notes locked); cleared when the président reopens it.
    pub submitted_at: Option<DateTimeUtc>,
    pub reopened_at: Option<DateTimeUtc>,
    pub reopen_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
