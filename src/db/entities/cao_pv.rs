use sea_orm::entity::prelude::*;

/// A procès-verbal of the CAO as closed at its séance: the exact bytes rendered once, with their
/// SHA-256, downloaded and archived as they are (`crate::cao::pv_store`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_pv")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub seance_id: i32,
    /// `pv` (séance held) or `pv_carence`.
    pub kind: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// SHA-256 (hex) of the bytes, journaled when stored.
    pub sha256: String,
    pub size: i64,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
