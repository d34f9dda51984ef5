use sea_orm::entity::prelude::*;

/// One version of a groupement's reference document (`crate::reference_doc`); `bytes` is `None`
/// for a version that restored the built-in look.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reference_document")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub groupement_id: i32,
    pub version: i32,
    pub file_name: Option<String>,
    pub bytes: Option<Vec<u8>>,
    /// SHA-256 (hex) of the bytes, journaled at upload.
    pub sha256: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
