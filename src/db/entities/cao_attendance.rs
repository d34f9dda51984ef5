use sea_orm::entity::prelude::*;

/// A person present at a séance (one row per present seat holder).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_attendance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub seance_id: i32,
    pub assignment_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
