//! The acte d'engagement signed by the attributaire and the buyer, uploaded by the coordonnateur
//! after the signature: the file the NOTI5 notifies (R2182-4) and the archive keeps. Every
//! upload is kept (a replaced file stays, the latest counts).

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
                    .table("signed_acte")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("attribution_id"))
                    .col(string("file_name"))
                    .col(string("media_type"))
                    .col(blob("bytes"))
                    .col(string("sha256"))
                    .col(big_integer("size"))
                    .col(timestamp_with_time_zone("uploaded_at"))
                    .col(string("uploaded_by"))
                    .foreign_key(&mut fk("signed_acte", "consultation_id", "consultation"))
                    .foreign_key(&mut fk("signed_acte", "attribution_id", "attribution"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_signed_acte_attribution",
                "signed_acte",
                &["attribution_id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("signed_acte").to_owned())
            .await
    }
}
