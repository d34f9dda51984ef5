//! Who may score the offers: the members of the CAO in force, seat by seat.
//!
//! - Only an account that holds a voting seat of the composition in force on the day
//!   (titulaire, or suppléant) scores (CGCT L1414-2 and L1414-3 III; convention art. 5.4: one
//!   titulaire and one suppléant per member). A `cao` account without a mandate does not.
//! - A member has one voice: the suppléant scores only in place of its titulaire, so the
//!   titulaire and the suppléant of the same member never both keep a sheet.
//! - One président per composition: a second `président` account is refused.

use crate::db::entities::cao_seat_assignment;
use chrono::NaiveDate;
use std::collections::HashSet;

fn in_force(a: &cao_seat_assignment::Model, day: NaiveDate) -> bool {
    a.valid_from <= day && a.valid_to.is_none_or(|t| day <= t)
}

fn voting(a: &cao_seat_assignment::Model) -> bool {
    matches!(a.role.as_str(), "titulaire" | "suppleant")
}

/// Whether account `user_id` may start or keep a scoring sheet on `day` (pure).
/// `sheet_holders`: the accounts that already have a sheet on the consultation.
///
/// # Errors
/// A French message naming the rule.
pub fn may_score(
    assignments: &[cao_seat_assignment::Model],
    user_id: i32,
    day: NaiveDate,
    sheet_holders: &HashSet<i32>,
) -> Result<(), String> {
    let Some(mine) = assignments
        .iter()
        .find(|a| a.user_id == Some(user_id) && voting(a) && in_force(a, day))
    else {
        return Err(
            "Ce compte ne détient aucun siège de la CAO en vigueur (titulaire ou suppléant) : seuls \
             les membres de la commission qui y siègent notent les offres (CGCT L1414-2 et L1414-3 ; \
             convention art. 5.4)."
                .into(),
        );
    };
    let other_role = if mine.role == "titulaire" {
        "suppleant"
    } else {
        "titulaire"
    };
    let other = assignments.iter().find(|a| {
        a.member_id.is_some()
            && a.member_id == mine.member_id
            && a.role == other_role
            && in_force(a, day)
            && a.user_id
                .is_some_and(|u| u != user_id && sheet_holders.contains(&u))
    });
    if let Some(o) = other {
        return Err(format!(
            "{} ({}) a déjà une feuille de notation pour le même membre : un membre n'a qu'une voix, \
             le suppléant ne note qu'à la place de son titulaire (convention art. 5.4).",
            if o.role == "titulaire" {
                "Le titulaire"
            } else {
                "Le suppléant"
            },
            o.person_name
        ));
    }
    Ok(())
}

/// Refuses a second président (pure): `existing` are the names of the active président
/// accounts of the groupement.
///
/// # Errors
/// A French message.
pub fn one_president(existing: &[String]) -> Result<(), String> {
    match existing.first() {
        None => Ok(()),
        Some(name) => Err(format!(
            "La CAO a déjà un président ({name}) : une composition n'a qu'un président, le \
             représentant du coordonnateur (CGCT L1414-3 III ; convention art. 5.4)."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn seat(
        id: i32,
        member: Option<i32>,
        user: Option<i32>,
        role: &str,
        to: Option<NaiveDate>,
    ) -> cao_seat_assignment::Model {
        cao_seat_assignment::Model {
            id,
            groupement_id: 1,
            member_id: member,
            person_name: format!("P{id}"),
            person_email: None,
            user_id: user,
            role: role.into(),
            consultative_kind: None,
            designation_date: d(2024, 3, 21),
            designation_body: "x".into(),
            voting_member_of_own_cao: None,
            valid_from: d(2024, 3, 21),
            valid_to: to,
            created_at: Utc
                .with_ymd_and_hms(2024, 3, 21, 0, 0, 0)
                .single()
                .expect("d"),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn only_a_seat_in_force_scores_and_a_member_has_one_voice() {
        let seats = [
            seat(1, Some(10), Some(100), "titulaire", None),
            seat(2, Some(10), Some(101), "suppleant", None),
            seat(3, None, Some(102), "consultatif", None),
            seat(4, Some(11), Some(103), "titulaire", Some(d(2026, 1, 1))),
        ];
        let today = d(2027, 1, 18);
        let none = HashSet::new();
        assert_eq!(may_score(&seats, 100, today, &none), Ok(()));
        assert_eq!(may_score(&seats, 101, today, &none), Ok(()));
        // No mandate, a consultative voice, an ended mandate.
        for u in [999, 102, 103] {
            let e = may_score(&seats, u, today, &none).expect_err("no seat");
            assert!(e.contains("L1414-2"), "{e}");
        }
        // The suppléant stands in only when the titulaire does not score.
        let titulaire_scores: HashSet<i32> = [100].into();
        assert!(may_score(&seats, 101, today, &titulaire_scores).is_err());
        let suppleant_scores: HashSet<i32> = [101].into();
        assert!(may_score(&seats, 100, today, &suppleant_scores).is_err());
    }

    #[test]
    fn a_second_president_is_refused() {
        assert_eq!(one_president(&[]), Ok(()));
        assert!(one_president(&["M. X".into()]).is_err());
    }
}
