use sea_orm::entity::prelude::*;

/// One immutable version of a piece: inserted once, never updated nor deleted by the code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "piece_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub piece_id: i32,
    /// 1, 2, 3… per piece.
    pub number: i32,
    #[sea_orm(column_type = "Blob")]
    pub docx: Vec<u8>,
    /// SHA-256 (hex) of the DOCX bytes: the exact version the members' visas refer to.
    pub docx_sha256: String,
    #[sea_orm(column_type = "Text")]
    pub source_markdown: String,
    pub source_sha256: String,
    /// The context the version was rendered from (JSON).
    #[sea_orm(column_type = "Text")]
    pub context_json: String,
    pub author_user_id: Option<i32>,
    pub author: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
