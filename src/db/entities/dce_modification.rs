use sea_orm::entity::prelude::*;

/// A modification of the DCE after publication: opened with its reason and the extended
/// deadline (R2151-4), published once every piece changed is visaed again, announced to every
/// candidate.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dce_modification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub number: i32,
    pub motif: String,
    /// Paris wall-clock `YYYY-MM-DDTHH:MM`.
    pub previous_deadline: String,
    pub new_deadline: String,
    pub opened_at: DateTimeUtc,
    pub opened_by: String,
    pub published_at: Option<DateTimeUtc>,
    /// JSON list of the pieces published: kind, version, SHA-256.
    pub pieces: Option<String>,
    pub announced_to: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
