//! Consultations, their lots and each member's estimated need per lot.
//! Amounts are stored as decimal strings: exact on every backend, never a float.

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
                    .table("consultation")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("groupement_id"))
                    .col(string("reference"))
                    .col(string("objet"))
                    .col(string("nature"))
                    .col(string("cpv"))
                    .col(string("ccag"))
                    .col(string("vat_rate"))
                    .col(string("status"))
                    .col(string_null("procedure_chosen"))
                    .col(text_null("procedure_justification"))
                    .col(date_null("launch_date"))
                    .col(date_null("publication_date"))
                    .col(string_null("offers_deadline"))
                    .col(date_null("questions_deadline"))
                    .col(integer_null("offers_validity_days"))
                    .col(boolean("electronic"))
                    .col(boolean("preinformation"))
                    .col(boolean("urgence"))
                    .col(text_null("status_motif"))
                    .col(date_null("rejection_letters_sent_on"))
                    .col(date_null("signed_on"))
                    .col(date_null("notified_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("consultation", "groupement_id", "groupement"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_consultation_reference")
                    .table("consultation")
                    .col("groupement_id")
                    .col("reference")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lot")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("number"))
                    .col(string("label"))
                    .foreign_key(&mut fk("lot", "consultation_id", "consultation"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_lot_number")
                    .table("lot")
                    .col("consultation_id")
                    .col("number")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("need")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("lot_id"))
                    .col(integer("member_id"))
                    .col(string("amount_ht"))
                    .col(string("options_ht"))
                    .col(string("renewals_ht"))
                    .col(string_null("quantity"))
                    .col(string_null("unit"))
                    .foreign_key(&mut fk("need", "lot_id", "lot"))
                    .foreign_key(&mut fk("need", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_need_lot_member")
                    .table("need")
                    .col("lot_id")
                    .col("member_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["need", "lot", "consultation"] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
