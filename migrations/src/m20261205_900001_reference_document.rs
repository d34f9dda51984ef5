//! The groupement's reference document (styles and letterhead of every pièce and letter),
//! versioned: each upload is a new version; a version without bytes restores the built-in look.

use crate::util::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("reference_document")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("groupement_id"))
                    .col(integer("version"))
                    // All three null: the built-in look was restored by this version.
                    .col(string_null("file_name"))
                    .col(blob_null("bytes"))
                    .col(string_null("sha256"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .foreign_key(&mut fk("reference_document", "groupement_id", "groupement"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_reference_document_version",
                "reference_document",
                &["groupement_id", "version"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("reference_document").to_owned())
            .await
    }
}
