use sea_orm::entity::prelude::*;

/// A candidate's question during the consultation and its answer, sent to every candidate
/// without naming who asked (R2132-6).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub number: i32,
    /// Who asked: for the coordonnateur only.
    pub asked_by: String,
    pub asked_on: Date,
    pub text: String,
    pub answer: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
    pub answered_by: Option<String>,
    pub announced_to: Option<i32>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
