//! From the decision to the notification (R2144-4 to R2144-7, R2181-1 to R2182-4, R2183-1,
//! R2196-1; convention art. 5.4 and 6.2): the attribution of each lot and its successive
//! attempts (cascade to the next-ranked bidder), the letters generated and sent (NOTI1, NOTI3,
//! NOTI5, sans suite), each member's written validation before signature, and the dispatch of
//! the contractual pieces to the members.

use crate::util::{fk_on, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CASCADE: ForeignKeyAction = ForeignKeyAction::Cascade;
const SET_NULL: ForeignKeyAction = ForeignKeyAction::SetNull;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(clippy::too_many_lines)]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One attempt to award a lot to one pli; a failed attempt (certificates not received)
        // stays, and the next-ranked pli gets a new row (R2144-7).
        manager
            .create_table(
                Table::create()
                    .table("attribution")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer_null("lot_id"))
                    .col(integer("pli_id"))
                    .col(integer("attempt"))
                    .col(string("basis"))
                    .col(integer_null("deliberation_id"))
                    .col(text("reasons"))
                    .col(string("amount_ht"))
                    .col(string("status"))
                    .col(text("certificates"))
                    .col(timestamp_with_time_zone_null("certificates_deadline"))
                    .col(timestamp_with_time_zone_null("noti1_sent_at"))
                    .col(text_null("failure_reason"))
                    .col(date_null("signed_on"))
                    .col(string_null("signatory_name"))
                    .col(string_null("signatory_quality"))
                    .col(timestamp_with_time_zone_null("noti5_sent_at"))
                    .col(string_null("ack_token_sha256"))
                    .col(timestamp_with_time_zone_null("acknowledged_at"))
                    .col(date_null("avis_published_on"))
                    .col(timestamp_with_time_zone("decided_at"))
                    .col(string("decided_by"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk_on(
                        "attribution",
                        "consultation_id",
                        "consultation",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on("attribution", "lot_id", "lot", CASCADE))
                    .foreign_key(&mut fk_on("attribution", "pli_id", "pli", CASCADE))
                    .foreign_key(&mut fk_on(
                        "attribution",
                        "deliberation_id",
                        "cao_deliberation",
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_attribution_consultation",
                "attribution",
                &["consultation_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_attribution_ack_token",
                "attribution",
                &["ack_token_sha256"],
                true,
            ))
            .await?;
        // Every letter generated and sent, with its DOCX (kept for the archive).
        manager
            .create_table(
                Table::create()
                    .table("letter")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer_null("lot_id"))
                    .col(integer_null("pli_id"))
                    .col(integer_null("attribution_id"))
                    .col(string("kind"))
                    .col(string("recipient_name"))
                    .col(string("recipient_email"))
                    .col(date("sent_on"))
                    .col(timestamp_with_time_zone("sent_at"))
                    .col(boolean("electronic"))
                    .col(string("filename"))
                    .col(string("docx_sha256"))
                    .col(blob("docx"))
                    .col(integer_null("mail_message_id"))
                    .col(string("created_by"))
                    .foreign_key(&mut fk_on(
                        "letter",
                        "consultation_id",
                        "consultation",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on("letter", "lot_id", "lot", CASCADE))
                    .foreign_key(&mut fk_on("letter", "pli_id", "pli", CASCADE))
                    .foreign_key(&mut fk_on(
                        "letter",
                        "attribution_id",
                        "attribution",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "letter",
                        "mail_message_id",
                        "mail_message",
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_letter_consultation",
                "letter",
                &["consultation_id"],
                false,
            ))
            .await?;
        // Each member's written validation of the marché before the coordonnateur signs it
        // for all (convention art. 6.2).
        manager
            .create_table(
                Table::create()
                    .table("member_validation")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("member_id"))
                    .col(timestamp_with_time_zone("validated_at"))
                    .col(string("actor"))
                    .col(text_null("comment"))
                    .foreign_key(&mut fk_on(
                        "member_validation",
                        "consultation_id",
                        "consultation",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "member_validation",
                        "member_id",
                        "member",
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_member_validation",
                "member_validation",
                &["consultation_id", "member_id"],
                true,
            ))
            .await?;
        // The contractual pieces sent to every member (convention art. 5.4): one row per send.
        manager
            .create_table(
                Table::create()
                    .table("contract_dispatch")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(timestamp_with_time_zone("sent_at"))
                    .col(integer("recipients"))
                    .col(integer("files"))
                    .col(string("actor"))
                    .foreign_key(&mut fk_on(
                        "contract_dispatch",
                        "consultation_id",
                        "consultation",
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "contract_dispatch",
            "member_validation",
            "letter",
            "attribution",
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
