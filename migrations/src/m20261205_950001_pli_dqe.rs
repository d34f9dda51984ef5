//! The DQE workbook a bidder filled, uploaded on its pli once opened: the file's SHA-256, the
//! BPU version it was checked against, the recomputed lot total, the material errors found
//! (announced ≠ recomputed) and the coordonnateur's decision on them; and the unit price of
//! each price line, as read.

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
                    .table("pli_dqe")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("pli_id"))
                    .col(integer("piece_version_id"))
                    .col(string("file_name"))
                    .col(string("sha256"))
                    .col(big_integer("size"))
                    // Decimal strings HT: the recomputed lot total, the total the workbook announces.
                    .col(string("total_ht"))
                    .col(string("announced_total_ht"))
                    // JSON list of the material errors (sheet, cell, what, announced, computed).
                    .col(text("material_errors"))
                    // `recalcule` or `annonce`, once decided (only when there are material errors).
                    .col(string_null("retained"))
                    .col(string_null("retained_total_ht"))
                    .col(text_null("decision_reason"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(string_null("decided_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .foreign_key(&mut fk("pli_dqe", "pli_id", "pli"))
                    .foreign_key(&mut fk("pli_dqe", "piece_version_id", "piece_version"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ux_pli_dqe_pli", "pli_dqe", &["pli_id"], true))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("pli_dqe_line")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("pli_dqe_id"))
                    .col(integer("position"))
                    .col(string("code"))
                    .col(string("quantity"))
                    .col(string("unit_price_ht"))
                    .col(string("amount_ht"))
                    .foreign_key(&mut fk("pli_dqe_line", "pli_dqe_id", "pli_dqe"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_pli_dqe_line_position",
                "pli_dqe_line",
                &["pli_dqe_id", "position"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("pli_dqe_line").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("pli_dqe").to_owned())
            .await
    }
}
