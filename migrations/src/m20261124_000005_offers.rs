//! Offers and their analysis: the register of plis (with admissibility and OAB follow-up), the
//! settings of the analysis of a consultation, the criteria tree, the evaluators' notes and
//! sheets, and the président's consensus notes. Prices, weights and notes are decimal strings.

use crate::util::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn unique(name: &str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table).unique();
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
                    .table("offer_analysis")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer_uniq("consultation_id"))
                    // JSON of `offers::scoring::OabMethod`; null = default ratio 0.8.
                    .col(text_null("oab_method"))
                    // Deadline for completing candidatures, the same for all (R2144-2),
                    // Paris wall-clock `YYYY-MM-DDTHH:MM`.
                    .col(string_null("completion_deadline"))
                    // The coordonnateur asked for the ranking on the submitted sheets only.
                    .col(timestamp_with_time_zone_null("ranking_forced_at"))
                    .foreign_key(&mut fk("offer_analysis", "consultation_id", "consultation"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("pli")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer_null("lot_id"))
                    .col(string("bidder_name"))
                    .col(string("siret"))
                    .col(string("address"))
                    .col(string("contact_email"))
                    .col(timestamp_with_time_zone("received_at"))
                    // `profil_acheteur`, `papier`, `support_physique`.
                    .col(string("channel"))
                    // Entered only after the offers deadline.
                    .col(string_null("price_ht"))
                    .col(boolean("hors_delai"))
                    .col(boolean("superseded"))
                    // `a_examiner`, `recevable`, `a_completer`, `irrecevable`.
                    .col(string("candidature_status"))
                    .col(text_null("candidature_reason"))
                    // `a_examiner`, `admissible`, `irreguliere`, `inacceptable`, `inappropriee`.
                    .col(string("offer_status"))
                    .col(text_null("offer_reason"))
                    .col(text_null("regularisation"))
                    .col(date_null("oab_requested_on"))
                    .col(text_null("oab_answer"))
                    // `justifiee` or `rejetee`.
                    .col(string_null("oab_decision"))
                    .col(text_null("oab_decision_reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("pli", "consultation_id", "consultation"))
                    .foreign_key(&mut fk("pli", "lot_id", "lot"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("offer_criterion")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer_null("parent_id"))
                    .col(integer("position"))
                    // Identifier in the scoring engine, unique in the consultation.
                    .col(string("code"))
                    .col(string("label"))
                    .col(string("weight"))
                    // Root criteria only: `price` or `evaluated`.
                    .col(string_null("kind"))
                    .col(string_null("formula"))
                    .col(string_null("scale"))
                    .col(boolean("environmental"))
                    .foreign_key(&mut fk(
                        "offer_criterion",
                        "consultation_id",
                        "consultation",
                    ))
                    .foreign_key(&mut fk("offer_criterion", "parent_id", "offer_criterion"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_offer_criterion_code",
                "offer_criterion",
                &["consultation_id", "code"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("evaluator_sheet")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("evaluator_id"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(timestamp_with_time_zone_null("reopened_at"))
                    .col(text_null("reopen_reason"))
                    .foreign_key(&mut fk(
                        "evaluator_sheet",
                        "consultation_id",
                        "consultation",
                    ))
                    .foreign_key(&mut fk("evaluator_sheet", "evaluator_id", "app_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_evaluator_sheet",
                "evaluator_sheet",
                &["consultation_id", "evaluator_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("evaluator_note")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("evaluator_id"))
                    .col(integer("pli_id"))
                    .col(integer("criterion_id"))
                    .col(string("note"))
                    .col(text("justification"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("evaluator_note", "consultation_id", "consultation"))
                    .foreign_key(&mut fk("evaluator_note", "evaluator_id", "app_user"))
                    .foreign_key(&mut fk("evaluator_note", "pli_id", "pli"))
                    .foreign_key(&mut fk("evaluator_note", "criterion_id", "offer_criterion"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_evaluator_note",
                "evaluator_note",
                &["evaluator_id", "pli_id", "criterion_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("consensus_note")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("consultation_id"))
                    .col(integer("pli_id"))
                    .col(integer("criterion_id"))
                    .col(string("note"))
                    .col(text("reason"))
                    .col(integer("decided_by"))
                    .col(timestamp_with_time_zone("decided_at"))
                    .foreign_key(&mut fk("consensus_note", "consultation_id", "consultation"))
                    .foreign_key(&mut fk("consensus_note", "pli_id", "pli"))
                    .foreign_key(&mut fk("consensus_note", "criterion_id", "offer_criterion"))
                    .foreign_key(&mut fk("consensus_note", "decided_by", "app_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_consensus_note",
                "consensus_note",
                &["pli_id", "criterion_id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "consensus_note",
            "evaluator_note",
            "evaluator_sheet",
            "offer_criterion",
            "pli",
            "offer_analysis",
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
