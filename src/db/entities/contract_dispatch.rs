use sea_orm::entity::prelude::*;

/// One sending of the contractual pieces to every member (convention art. 5.4).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contract_dispatch")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub sent_at: DateTimeUtc,
    pub recipients: i32,
    pub files: i32,
    pub actor: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
