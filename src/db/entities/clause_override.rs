use sea_orm::entity::prelude::*;

/// A clause of the library rewritten for a whole groupement (`consultation_id` null) or for one
/// consultation, which beats the groupement's, which beats the default clause.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clause_override")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub groupement_id: i32,
    pub consultation_id: Option<i32>,
    /// Clause name (`docgen::clause_names`).
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub source: String,
    pub updated_at: DateTimeUtc,
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
