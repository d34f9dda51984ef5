//! The foundation: groupements, members, establishments, accounts, sessions and the audit journal.

use crate::util::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("groupement")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(string_uniq("import_key"))
                    .col(string("name"))
                    .col(string("legal_basis"))
                    .col(date_null("convention_adopted_on"))
                    .col(text("settings"))
                    .col(text("extra"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("member")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("groupement_id"))
                    .col(string("name"))
                    .col(string("kind"))
                    .col(string("finess_juridique"))
                    .col(string("address"))
                    .col(string("representative_name"))
                    .col(string("representative_title"))
                    .col(string_null("copil_member"))
                    .col(boolean("has_own_cao"))
                    .col(string_null("role"))
                    .col(date_null("withdrawn_on"))
                    .col(integer("position"))
                    .foreign_key(&mut fk("member", "groupement_id", "groupement"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_member_groupement_finess")
                    .table("member")
                    .col("groupement_id")
                    .col("finess_juridique")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("establishment")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("member_id"))
                    .col(string("name"))
                    .col(string("kind"))
                    .col(string("finess"))
                    .col(string_null("capacity"))
                    .col(text("sirets"))
                    .col(integer("position"))
                    .foreign_key(&mut fk("establishment", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_establishment_member_finess")
                    .table("establishment")
                    .col("member_id")
                    .col("finess")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("app_user")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(string_uniq("email"))
                    .col(string("display_name"))
                    .col(string("password_hash"))
                    .col(string("role"))
                    .col(integer_null("groupement_id"))
                    .col(integer_null("member_id"))
                    .col(string_null("cao_seat"))
                    .col(string_null("api_token_hash"))
                    .col(integer("failed_logins"))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("app_user", "groupement_id", "groupement"))
                    .foreign_key(&mut fk("app_user", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_app_user_token")
                    .table("app_user")
                    .col("api_token_hash")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("web_session")
                    .if_not_exists()
                    .col(string_len("id", 64).primary_key())
                    .col(text("data"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("audit_entry")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("at"))
                    .col(integer_null("groupement_id"))
                    .col(integer_null("actor_user_id"))
                    .col(string("actor"))
                    .col(string("action"))
                    .col(string("entity"))
                    .col(string("entity_id"))
                    .col(text("summary"))
                    .col(string_len("prev_hash", 64))
                    .col(string_len("hash", 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_entry_groupement")
                    .table("audit_entry")
                    .col("groupement_id")
                    .to_owned(),
            )
            .await?;
        // One row that holds the head of the hash chain: updating it inside every audited
        // transaction serialises appends (a row lock on PostgreSQL, the write lock on SQLite)
        // and lets `audit verify` notice entries removed from the end of the chain.
        manager
            .create_table(
                Table::create()
                    .table("audit_head")
                    .if_not_exists()
                    .col(integer("id").primary_key())
                    .col(big_integer("last_id"))
                    .col(string_len("last_hash", 64))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("audit_head")
                    .columns(["id", "last_id", "last_hash"])
                    .values_panic([1.into(), 0i64.into(), "0".repeat(64).into()])
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_head",
            "audit_entry",
            "web_session",
            "app_user",
            "establishment",
            "member",
            "groupement",
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
