//! The technique d'achat of a consultation (issue 17): ordinary marché, accord-cadre (its
//! execution, one or several titulaires, and the justification of a duration beyond four
//! years, L2125-1 1° — the duration itself is the DCE's) or marché spécifique of a SAD (the SAD's reference); and the
//! candidates admitted in the SAD's category, the only ones invited to tender (R2162-37 and
//! following).

use crate::util::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for col in [
            string("technique").default("aucune").to_owned(),
            string_null("execution"),
            string_null("attributaires"),
            string_null("sad_reference"),
            text_null("technique_justification"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("consultation")
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("sad_admis")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(string("name"))
                    .col(string("siret"))
                    .col(string("email"))
                    // Line of the imported file, for the messages and the register's order.
                    .col(integer("position"))
                    .col(string("source_sha256"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    // Day the invitation to tender was sent to this candidate (R2162-48).
                    .col(date_null("invited_on"))
                    .foreign_key(&mut fk("sad_admis", "consultation_id", "consultation"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_sad_admis_siret",
                "sad_admis",
                &["consultation_id", "siret"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("sad_admis").to_owned())
            .await?;
        for col in [
            "technique",
            "execution",
            "attributaires",
            "sad_reference",
            "technique_justification",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("consultation")
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
