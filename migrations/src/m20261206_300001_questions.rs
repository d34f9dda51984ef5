//! Questions of the candidates during the consultation and their answers, sent to every
//! candidate without naming who asked (R2132-6: at the latest six days — four in urgency —
//! before the offers deadline; equal treatment).

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
                    .table("question")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("number"))
                    // Who asked: kept for the coordonnateur, never sent to the other candidates.
                    .col(string("asked_by"))
                    .col(date("asked_on"))
                    .col(text("text"))
                    .col(text_null("answer"))
                    .col(timestamp_with_time_zone_null("answered_at"))
                    .col(string_null("answered_by"))
                    .col(integer_null("announced_to"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .foreign_key(&mut fk("question", "consultation_id", "consultation"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_question_number",
                "question",
                &["consultation_id", "number"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("question").to_owned())
            .await
    }
}
