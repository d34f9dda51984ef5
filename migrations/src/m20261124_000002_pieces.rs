//! Pièces du marché: one row per piece of a consultation's DCE, its immutable versions (DOCX
//! bytes, Markdown source, context and their SHA-256), the clause library's overrides and the
//! editorial data of the DCE that the registry and the consultation do not hold.

use crate::util::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn unique(name: &str, table: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table.to_owned()).unique();
    for c in cols {
        i.col(*c);
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("piece")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(string("kind"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("piece", "consultation_id", "consultation"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_piece_consultation_kind",
                "piece",
                &["consultation_id", "kind"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("piece_version")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("piece_id"))
                    .col(integer("number"))
                    .col(blob("docx"))
                    .col(string("docx_sha256"))
                    .col(text("source_markdown"))
                    .col(string("source_sha256"))
                    .col(text("context_json"))
                    .col(integer_null("author_user_id"))
                    .col(string("author"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("piece_version", "piece_id", "piece"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_piece_version_number",
                "piece_version",
                &["piece_id", "number"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("clause_override")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("groupement_id"))
                    .col(integer_null("consultation_id"))
                    .col(string("name"))
                    .col(text("source"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(string("updated_by"))
                    .foreign_key(&mut fk("clause_override", "groupement_id", "groupement"))
                    .foreign_key(&mut fk(
                        "clause_override",
                        "consultation_id",
                        "consultation",
                    ))
                    .to_owned(),
            )
            .await?;
        // NULLs are distinct in a unique index on both backends: the service itself keeps one
        // groupement-level override per name (it looks the row up in the same transaction).
        manager
            .create_index(unique(
                "ux_clause_override_scope_name",
                "clause_override",
                &["groupement_id", "consultation_id", "name"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("dce_data")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer_uniq("consultation_id"))
                    .col(text("data"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(string("updated_by"))
                    .foreign_key(&mut fk("dce_data", "consultation_id", "consultation"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["dce_data", "clause_override", "piece_version", "piece"] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
