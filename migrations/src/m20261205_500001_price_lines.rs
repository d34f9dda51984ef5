//! The price lines of the BPU/DQE, defined by the coordonnateur before the DCE: per lot, a
//! designation, a unit and the quantity of each member (DOMAIN §7). No estimated unit price is
//! stored here: the candidates give theirs.

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
                    .table("price_line")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("lot_id"))
                    .col(integer("position"))
                    .col(string("code"))
                    .col(string("label"))
                    .col(string("unit"))
                    .foreign_key(&mut fk("price_line", "consultation_id", "consultation"))
                    .foreign_key(&mut fk("price_line", "lot_id", "lot"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_price_line_consultation",
                "price_line",
                &["consultation_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("price_line_quantity")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("price_line_id"))
                    .col(integer("member_id"))
                    .col(string("quantity"))
                    .foreign_key(&mut fk(
                        "price_line_quantity",
                        "price_line_id",
                        "price_line",
                    ))
                    .foreign_key(&mut fk("price_line_quantity", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_price_line_quantity",
                "price_line_quantity",
                &["price_line_id", "member_id"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("price_line_quantity").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("price_line").to_owned())
            .await
    }
}
