use sea_orm::entity::prelude::*;

/// One visa, never updated: the latest per (version, member) counts, ties broken by id.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visa")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub piece_version_id: i32,
    pub docx_sha256: String,
    /// The member the visa is given for.
    pub member_id: i32,
    /// The member who answered: itself, or the holder of its written proxy (art. 8.1).
    pub actor_member_id: i32,
    pub actor_user_id: Option<i32>,
    /// Who answered (e-mail of the account, or « système » for a tacit visa).
    pub actor: String,
    /// `favorable`, `favorable_avec_reserves`, `defavorable`, `tacite`.
    pub decision: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub given_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
