//! The procès-verbaux of the CAO as closed at the séance: rendered once, stored as is (bytes
//! and SHA-256), downloaded and archived from here, never rendered again. Each agenda item says
//! whether it is the choice of an attributaire (the PV then names it from the ranking).

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
                    .table("cao_pv")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("seance_id"))
                    // `pv` (séance held) or `pv_carence`.
                    .col(string("kind"))
                    .col(string("file_name"))
                    .col(blob("bytes"))
                    .col(string("sha256"))
                    .col(big_integer("size"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .foreign_key(&mut fk("cao_pv", "seance_id", "cao_seance"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_cao_pv_seance_kind",
                "cao_pv",
                &["seance_id", "kind"],
                true,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("cao_agenda_item")
                    .add_column(string_null("kind"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("cao_agenda_item")
                    .drop_column("kind")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("cao_pv").to_owned())
            .await
    }
}
