use sea_orm::entity::prelude::*;

/// One outgoing email of the outbox (`crate::mail`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_message")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub groupement_id: Option<i32>,
    /// RFC 5322 Message-ID (`<uuid@coordo>`), fixed at enqueue.
    #[sea_orm(unique)]
    pub message_id: String,
    /// What the email is about: `noti3`, `visa_demande`…
    pub kind: String,
    pub to_addr: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// JSON list of `crate::mail::AttachmentMeta`.
    pub attachments: String,
    /// `en_attente`, `envoye` or `en_echec` (`crate::mail::Status`).
    pub status: String,
    /// Delivery attempts made (reset by a resend).
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// Why the last attempt failed (French).
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::mail_attachment::Entity")]
    MailAttachment,
}

impl Related<super::mail_attachment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MailAttachment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
