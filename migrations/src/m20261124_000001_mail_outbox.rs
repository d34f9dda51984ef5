//! The email outbox: every outgoing email is stored before it is sent, with its attachments,
//! so that a server outage or a restart never loses one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("mail_message")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer_null("groupement_id"))
                    // RFC 5322 Message-ID, fixed at enqueue: a retry is the same email.
                    .col(string_uniq("message_id"))
                    .col(string("kind"))
                    .col(string("to_addr"))
                    .col(string_null("to_name"))
                    .col(string("subject"))
                    .col(text("body_text"))
                    .col(text_null("body_html"))
                    // JSON list of {filename, content_type, sha256, size}.
                    .col(text("attachments"))
                    // `en_attente`, `envoye` or `en_echec`.
                    .col(string("status"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("mail_message", "groupement_id")
                            .to("groupement", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mail_message_due")
                    .table("mail_message")
                    .col("status")
                    .col("next_attempt_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mail_message_groupement")
                    .table("mail_message")
                    .col("groupement_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("mail_attachment")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("mail_message_id"))
                    .col(string("filename"))
                    .col(string("content_type"))
                    .col(blob("bytes"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("mail_attachment", "mail_message_id")
                            .to("mail_message", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mail_attachment_message")
                    .table("mail_attachment")
                    .col("mail_message_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["mail_attachment", "mail_message"] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
