use sea_orm::entity::prelude::*;

/// An observation asked to be recorded in the procès-verbal (member or consultative member).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_observation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub seance_id: i32,
    pub assignment_id: Option<i32>,
    pub author: String,
    pub text: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
