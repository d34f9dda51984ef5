use sea_orm::entity::prelude::*;

/// A present member's signature of the procès-verbal, given on their own account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_signoff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub seance_id: i32,
    pub assignment_id: i32,
    pub user_id: Option<i32>,
    pub signed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
