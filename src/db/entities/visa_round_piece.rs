use sea_orm::entity::prelude::*;

/// One exact version covered by a visa round, its hash copied.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visa_round_piece")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub piece_id: i32,
    pub piece_version_id: i32,
    /// `docgen::DocKind` as snake_case.
    pub piece_kind: String,
    pub version_number: i32,
    pub docx_sha256: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
