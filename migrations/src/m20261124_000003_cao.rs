//! The CAO of the groupement (convention art. 5.4; CGCT L1411-5, L1414-3): dated seat
//! assignments, séances with their agenda, attendance, conflict-of-interest declarations, votes,
//! deliberation results, observations and sign-offs of the procès-verbal.

use crate::util::fk_on;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CASCADE: ForeignKeyAction = ForeignKeyAction::Cascade;
const SET_NULL: ForeignKeyAction = ForeignKeyAction::SetNull;

fn unique(name: &str, table: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table)).unique();
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(clippy::too_many_lines)]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One dated mandate: a titulaire or suppléant of a member, or a consultative person.
        manager
            .create_table(
                Table::create()
                    .table("cao_seat_assignment")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("groupement_id"))
                    .col(integer_null("member_id"))
                    .col(string("person_name"))
                    .col(string_null("person_email"))
                    .col(integer_null("user_id"))
                    .col(string("role"))
                    .col(string_null("consultative_kind"))
                    .col(date("designation_date"))
                    .col(string("designation_body"))
                    .col(boolean_null("voting_member_of_own_cao"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk_on(
                        "cao_seat_assignment",
                        "groupement_id",
                        "groupement",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "cao_seat_assignment",
                        "member_id",
                        "member",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "cao_seat_assignment",
                        "user_id",
                        "app_user",
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cao_seance")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("groupement_id"))
                    .col(string("number"))
                    .col(string("starts_at"))
                    .col(string("place"))
                    .col(boolean("remote"))
                    .col(string("secretary"))
                    .col(string("status"))
                    .col(boolean("second_convocation"))
                    .col(integer_null("previous_seance_id"))
                    .col(date_null("convocation_sent_on"))
                    .col(timestamp_with_time_zone_null("attendance_recorded_at"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk_on(
                        "cao_seance",
                        "groupement_id",
                        "groupement",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "cao_seance",
                        "previous_seance_id",
                        "cao_seance",
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_cao_seance_number",
                "cao_seance",
                &["groupement_id", "number"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cao_agenda_item")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("seance_id"))
                    .col(integer("position"))
                    .col(integer("consultation_id"))
                    .col(integer_null("lot_id"))
                    .col(string("title"))
                    .col(text("proposed_decision"))
                    .col(text("bidders"))
                    .foreign_key(&mut fk_on(
                        "cao_agenda_item",
                        "seance_id",
                        "cao_seance",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "cao_agenda_item",
                        "consultation_id",
                        "consultation",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on("cao_agenda_item", "lot_id", "lot", CASCADE))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cao_attendance")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("seance_id"))
                    .col(integer("assignment_id"))
                    .foreign_key(&mut fk_on(
                        "cao_attendance",
                        "seance_id",
                        "cao_seance",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "cao_attendance",
                        "assignment_id",
                        "cao_seat_assignment",
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_cao_attendance",
                "cao_attendance",
                &["seance_id", "assignment_id"],
            ))
            .await?;
        for (table, extra) in [
            ("cao_conflict_declaration", "declaration"),
            ("cao_vote", "vote"),
        ] {
            let mut t = Table::create();
            t.table(Alias::new(table))
                .if_not_exists()
                .col(pk_auto("id"))
                .col(integer("agenda_item_id"))
                .col(integer("assignment_id"));
            if extra == "declaration" {
                t.col(boolean("has_conflict")).col(text_null("note"));
            } else {
                t.col(string("choice"));
            }
            t.col(integer_null("recorded_by_user_id"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(&mut fk_on(
                    table,
                    "agenda_item_id",
                    "cao_agenda_item",
                    CASCADE,
                ))
                .foreign_key(&mut fk_on(
                    table,
                    "assignment_id",
                    "cao_seat_assignment",
                    CASCADE,
                ))
                .foreign_key(&mut fk_on(
                    table,
                    "recorded_by_user_id",
                    "app_user",
                    SET_NULL,
                ));
            manager.create_table(t.to_owned()).await?;
            manager
                .create_index(unique(
                    &format!("ux_{table}"),
                    table,
                    &["agenda_item_id", "assignment_id"],
                ))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("cao_deliberation")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer_uniq("agenda_item_id"))
                    .col(string("result"))
                    .col(integer("pour"))
                    .col(integer("contre"))
                    .col(integer("abstention"))
                    .col(integer("voting_present"))
                    .col(integer("quorum_required"))
                    .col(boolean("quorum_reached"))
                    .col(text("deportes"))
                    .col(text("explanation"))
                    .col(timestamp_with_time_zone("decided_at"))
                    .foreign_key(&mut fk_on(
                        "cao_deliberation",
                        "agenda_item_id",
                        "cao_agenda_item",
                        CASCADE,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cao_observation")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("seance_id"))
                    .col(integer_null("assignment_id"))
                    .col(string("author"))
                    .col(text("text"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk_on(
                        "cao_observation",
                        "seance_id",
                        "cao_seance",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "cao_observation",
                        "assignment_id",
                        "cao_seat_assignment",
                        SET_NULL,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cao_signoff")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("seance_id"))
                    .col(integer("assignment_id"))
                    .col(integer_null("user_id"))
                    .col(timestamp_with_time_zone("signed_at"))
                    .foreign_key(&mut fk_on(
                        "cao_signoff",
                        "seance_id",
                        "cao_seance",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on(
                        "cao_signoff",
                        "assignment_id",
                        "cao_seat_assignment",
                        CASCADE,
                    ))
                    .foreign_key(&mut fk_on("cao_signoff", "user_id", "app_user", SET_NULL))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_cao_signoff",
                "cao_signoff",
                &["seance_id", "assignment_id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "cao_signoff",
            "cao_observation",
            "cao_deliberation",
            "cao_vote",
            "cao_conflict_declaration",
            "cao_attendance",
            "cao_agenda_item",
            "cao_seance",
            "cao_seat_assignment",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(t)).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
