use sea_orm::entity::prelude::*;

/// A reminder sent for a round on a date (unique: never sent twice).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visa_reminder")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub remind_on: Date,
    pub sent_at: DateTimeUtc,
    /// Number of e-mails enqueued.
    pub recipients: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
