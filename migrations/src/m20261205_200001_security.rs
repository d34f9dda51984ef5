//! Security hardening (issue 15): sessions know their user (list and revoke one's sessions,
//! purge by expiry), API tokens become rows of their own (several per account, expiry, scope,
//! revocation), and the server keeps one random secret (signed CSRF tokens for anonymous
//! visitors, device cookies of the login throttle) that survives restarts.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for col in [
            integer_null("user_id"),
            timestamp_with_time_zone_null("created_at"),
            string_null("user_agent"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("web_session")
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(index(
                "ix_web_session_user",
                "web_session",
                &["user_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_web_session_expires",
                "web_session",
                &["expires_at"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("api_token")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("user_id"))
                    .col(string("label"))
                    // SHA-256 (hex) of the token; the token itself is shown once.
                    .col(string_uniq("token_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .foreign_key(&mut fk("api_token", "user_id", "app_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_api_token_user", "api_token", &["user_id"], false))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("app_secret")
                    .if_not_exists()
                    .col(string("name").primary_key())
                    // Hex of the random bytes.
                    .col(string("value"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("app_secret").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("api_token").to_owned())
            .await?;
        for (ix, _) in [("ix_web_session_user", ()), ("ix_web_session_expires", ())] {
            manager
                .drop_index(Index::drop().name(ix).table("web_session").to_owned())
                .await?;
        }
        for col in ["user_id", "created_at", "user_agent"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("web_session")
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
