//! The second factor (issue 15): a TOTP secret per account (RFC 6238, sealed with the server's
//! key), the last time step accepted (a code is never accepted twice), and single-use recovery
//! codes kept as password hashes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for col in [
            string_null("totp_secret"),
            big_integer_null("totp_last_step"),
        ] {
            manager
                .alter_table(Table::alter().table("app_user").add_column(col).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("recovery_code")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("user_id"))
                    // argon2id PHC string of the code; the code itself is shown once.
                    .col(string("code_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .foreign_key(&mut fk("recovery_code", "user_id", "app_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_recovery_code_user",
                "recovery_code",
                &["user_id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("recovery_code").to_owned())
            .await?;
        for col in ["totp_last_step", "totp_secret"] {
            manager
                .alter_table(Table::alter().table("app_user").drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
