use sea_orm::entity::prelude::*;

/// The bytes of one attachment of an outgoing email.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_attachment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub mail_message_id: i32,
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::mail_message::Entity",
        from = "Column::MailMessageId",
        to = "super::mail_message::Column::Id"
    )]
    MailMessage,
}

impl Related<super::mail_message::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MailMessage.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
