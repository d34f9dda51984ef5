//! Member visas on the pieces of a consultation (convention art. 5.4, 6.2, 8.1): visa rounds
//! over the exact versions (SHA-256) of one or several pieces, the members required, every visa
//! given (all kept, the latest per version and member counts), the reminders sent, and the
//! members' written proxies.

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
        // One request for visas: its due date, the tacit rule in force when it was sent, and
        // its status cached after every change (`en_cours`, `complet`, `bloque`).
        manager
            .create_table(
                Table::create()
                    .table("visa_round")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(date("requested_on"))
                    .col(date("due_on"))
                    .col(integer_null("tacit_jours_ouvres"))
                    .col(string("status"))
                    .col(integer_null("created_by_user_id"))
                    .col(string("created_by"))
                    .foreign_key(&mut fk_on(
                        "visa_round",
                        "consultation_id",
                        "consultation",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "visa_round",
                        "created_by_user_id",
                        "app_user",
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_visa_round_consultation",
                "visa_round",
                &["consultation_id"],
                false,
            ))
            .await?;
        // The exact versions a round covers, with their hash copied (what the visa is on).
        manager
            .create_table(
                Table::create()
                    .table("visa_round_piece")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("round_id"))
                    .col(integer("piece_id"))
                    .col(integer("piece_version_id"))
                    .col(string("piece_kind"))
                    .col(integer("version_number"))
                    .col(string("docx_sha256"))
                    .foreign_key(&mut fk_on(
                        "visa_round_piece",
                        "round_id",
                        "visa_round",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on("visa_round_piece", "piece_id", "piece", CASCADE))
                    .foreign_key(&mut fk_on(
                        "visa_round_piece",
                        "piece_version_id",
                        "piece_version",
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_visa_round_piece_version",
                "visa_round_piece",
                &["round_id", "piece_version_id"],
                true,
            ))
            .await?;
        // The members whose visa is required (every active member when the round opened).
        manager
            .create_table(
                Table::create()
                    .table("visa_round_member")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("round_id"))
                    .col(integer("member_id"))
                    .col(string("member_name"))
                    .foreign_key(&mut fk_on(
                        "visa_round_member",
                        "round_id",
                        "visa_round",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "visa_round_member",
                        "member_id",
                        "member",
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_visa_round_member",
                "visa_round_member",
                &["round_id", "member_id"],
                true,
            ))
            .await?;
        // Every answer, kept: no uniqueness by time, the latest per (version, member) counts.
        manager
            .create_table(
                Table::create()
                    .table("visa")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("round_id"))
                    .col(integer("piece_version_id"))
                    .col(string("docx_sha256"))
                    .col(integer("member_id"))
                    .col(integer("actor_member_id"))
                    .col(integer_null("actor_user_id"))
                    .col(string("actor"))
                    .col(string("decision"))
                    .col(text_null("comment"))
                    .col(timestamp_with_time_zone("given_at"))
                    .foreign_key(&mut fk_on("visa", "round_id", "visa_round", CASCADE))
                    .foreign_key(&mut fk_on(
                        "visa",
                        "piece_version_id",
                        "piece_version",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on("visa", "member_id", "member", CASCADE))
                    .foreign_key(&mut fk_on("visa", "actor_member_id", "member", CASCADE))
                    .foreign_key(&mut fk_on("visa", "actor_user_id", "app_user", SET_NULL))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_visa_round_version_member",
                "visa",
                &["round_id", "piece_version_id", "member_id"],
                false,
            ))
            .await?;
        // A reminder sent for a round on a date: the unique index forbids a second one.
        manager
            .create_table(
                Table::create()
                    .table("visa_reminder")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("round_id"))
                    .col(date("remind_on"))
                    .col(timestamp_with_time_zone("sent_at"))
                    .col(integer("recipients"))
                    .foreign_key(&mut fk_on(
                        "visa_reminder",
                        "round_id",
                        "visa_round",
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_visa_reminder_round_date",
                "visa_reminder",
                &["round_id", "remind_on"],
                true,
            ))
            .await?;
        // A written proxy between two members (convention art. 8.1).
        manager
            .create_table(
                Table::create()
                    .table("visa_proxy")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("groupement_id"))
                    .col(integer("grantor_member_id"))
                    .col(integer("holder_member_id"))
                    .col(date("given_on"))
                    .col(date_null("valid_until"))
                    .col(date_null("revoked_on"))
                    .col(text("document_reference"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .foreign_key(&mut fk_on(
                        "visa_proxy",
                        "groupement_id",
                        "groupement",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "visa_proxy",
                        "grantor_member_id",
                        "member",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "visa_proxy",
                        "holder_member_id",
                        "member",
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "visa_proxy",
            "visa_reminder",
            "visa",
            "visa_round_member",
            "visa_round_piece",
            "visa_round",
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
