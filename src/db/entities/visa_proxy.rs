use sea_orm::entity::prelude::*;

/// A written proxy: `grantor_member_id` lets `holder_member_id` give its visas (art. 8.1).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visa_proxy")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub groupement_id: i32,
    pub grantor_member_id: i32,
    pub holder_member_id: i32,
    /// Date written on the proxy.
    pub given_on: Date,
    pub valid_until: Option<Date>,
    pub revoked_on: Option<Date>,
    /// Reference of the written document (deliberation, letter, e-mail of…).
    #[sea_orm(column_type = "Text")]
    pub document_reference: String,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
