use sea_orm::entity::prelude::*;

/// The signed acte d'engagement of one attribution, as uploaded (`crate::attribution::signed`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signed_acte")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub attribution_id: i32,
    pub file_name: String,
    /// `application/pdf` or the DOCX media type.
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// SHA-256 (hex) of the bytes, journaled at upload.
    pub sha256: String,
    pub size: i64,
    pub uploaded_at: DateTimeUtc,
    pub uploaded_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
