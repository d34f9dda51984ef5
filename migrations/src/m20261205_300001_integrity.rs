//! Integrity of the journal and of the register of plis (issue 15, items 3 and 4):
//! - `audit_head.key_id`: the identifier (not the secret) of the HMAC key that seals the
//!   journal; the key itself lives in a file outside the database;
//! - `pli.entered_at`: when the pli was entered in Coordo (the system's time);
//! - `pli.platform_receipt`: the receipt reference of a pli transcribed from the buyer's
//!   platform, whose reception time is then the platform's;
//! - `offer_conflict`: a member of the CAO's declared conflict of interest with a bidder (pli):
//!   the déport, so that this member does not score that offer.
//!
//! One column per statement: SQLite alters one column at a time.

use crate::util::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("audit_head")
                    .add_column(string_null("key_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("pli")
                    .add_column(timestamp_with_time_zone_null("entered_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("pli")
                    .add_column(string_null("platform_receipt"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("offer_conflict")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("pli_id"))
                    .col(integer("evaluator_id"))
                    .col(text("reason"))
                    .col(timestamp_with_time_zone("declared_at"))
                    .foreign_key(&mut fk("offer_conflict", "consultation_id", "consultation"))
                    .foreign_key(&mut fk("offer_conflict", "pli_id", "pli"))
                    .foreign_key(&mut fk("offer_conflict", "evaluator_id", "app_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_offer_conflict")
                    .table("offer_conflict")
                    .col("pli_id")
                    .col("evaluator_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("offer_conflict").to_owned())
            .await?;
        for (t, c) in [
            ("pli", "platform_receipt"),
            ("pli", "entered_at"),
            ("audit_head", "key_id"),
        ] {
            manager
                .alter_table(Table::alter().table(t).drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
