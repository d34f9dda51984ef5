use sea_orm::entity::prelude::*;

/// A candidate admitted in the category of the SAD a marché spécifique is passed under, as the
/// central purchasing body's list gives it; the invitation to tender goes to each
/// (R2162-48 and following).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sad_admis")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub name: String,
    /// 14 digits, key checked at import.
    pub siret: String,
    pub email: String,
    /// Line of the imported file.
    pub position: i32,
    /// SHA-256 of the imported file.
    pub source_sha256: String,
    pub created_at: DateTimeUtc,
    pub created_by: String,
    /// Day the invitation to tender was sent.
    pub invited_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
