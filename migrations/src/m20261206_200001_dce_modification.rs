//! The life of a published consultation (issue 17): the register of the candidates who
//! withdrew the DCE (to announce every change to them), and the modifications of the DCE after
//! publication — opened with a reason and an extended deadline (R2151-4), the pieces generated
//! and visaed again by every member (convention art. 5.4 and 6.2), then announced to every
//! candidate.

use crate::util::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("consultation")
                    .add_column(boolean("dce_modification_open").default(false).to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("retrait")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(string("name"))
                    .col(string("email"))
                    .col(date("withdrawn_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .foreign_key(&mut fk("retrait", "consultation_id", "consultation"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_retrait_email",
                "retrait",
                &["consultation_id", "email"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("dce_modification")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("number"))
                    .col(text("motif"))
                    // Paris wall-clock `YYYY-MM-DDTHH:MM`, before and after the extension.
                    .col(string("previous_deadline"))
                    .col(string("new_deadline"))
                    .col(timestamp_with_time_zone("opened_at"))
                    .col(string("opened_by"))
                    .col(timestamp_with_time_zone_null("published_at"))
                    // JSON list of the pieces published (kind, version, SHA-256).
                    .col(text_null("pieces"))
                    .col(integer_null("announced_to"))
                    .foreign_key(&mut fk(
                        "dce_modification",
                        "consultation_id",
                        "consultation",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_dce_modification_number",
                "dce_modification",
                &["consultation_id", "number"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["dce_modification", "retrait"] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("consultation")
                    .drop_column("dce_modification_open")
                    .to_owned(),
            )
            .await
    }
}
