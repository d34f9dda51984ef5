//! View-models of the CAO pages and API: the composition (in force at a date, with its history
//! and the L1414-3 panel) and the séances.

use super::model::{StoredCao, consultative_code, role_label, rules_assignment};
use super::rules::composition::{
    Composition, ConsultativeSeat, L1414_3Assessment, SeatHolder, l1414_3_compulsory,
};
use crate::calendar::french_date;
use crate::db::entities::{app_user, cao_seance, member};
use crate::registry::service::GroupementSettings;
use chrono::NaiveDate;
use serde::Serialize;

/// A seat holder.
#[derive(Serialize)]
pub struct HolderView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub has_account: bool,
    pub designation: String,
    pub since: String,
    pub until: String,
}

/// A member's voting seat.
#[derive(Serialize)]
pub struct SeatView {
    pub member: String,
    pub presides: bool,
    pub titulaire: Option<HolderView>,
    pub suppleant: Option<HolderView>,
}

/// A consultative member.
#[derive(Serialize)]
pub struct ConsultativeView {
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub holder: HolderView,
}

/// One mandate of the history.
#[derive(Serialize)]
pub struct HistoryLine {
    pub id: i32,
    pub member: String,
    pub role: String,
    pub person: String,
    pub email: String,
    pub designation: String,
    pub from: String,
    pub to: String,
    pub ended: bool,
}

/// The composition of the CAO at a date (page and API).
#[derive(Serialize)]
pub struct CompositionView {
    pub date: String,
    pub date_label: String,
    pub voting_seats: usize,
    pub president: String,
    pub seats: Vec<SeatView>,
    pub consultative: Vec<ConsultativeView>,
    pub warnings: Vec<String>,
    pub error: String,
    pub l1414_3: L1414_3Assessment,
    pub history: Vec<HistoryLine>,
}

fn holder(cao: &StoredCao, h: &SeatHolder) -> HolderView {
    let a = cao.assignment(&h.person_key);
    HolderView {
        id: h.person_key.clone(),
        name: h.person_name.clone(),
        email: a.and_then(|a| a.person_email.clone()).unwrap_or_default(),
        has_account: a.is_some_and(|a| a.user_id.is_some()),
        designation: format!(
            "{}, le {}{}",
            h.designation.body,
            french_date(h.designation.date),
            if h.designation.voting_member_of_own_cao == Some(true) {
                " (membre à voix délibérative de sa propre CAO)"
            } else {
                ""
            }
        ),
        since: french_date(h.valid_from),
        until: h.valid_to.map(french_date).unwrap_or_default(),
    }
}

fn consultative(cao: &StoredCao, c: &ConsultativeSeat) -> ConsultativeView {
    ConsultativeView {
        kind: consultative_code(c.kind),
        kind_label: c.kind.label_fr(),
        holder: holder(cao, &c.holder),
    }
}

/// Builds the composition view (the composition error, if any, is shown in French).
#[must_use]
pub fn composition(
    cao: &StoredCao,
    comp: Result<&Composition, String>,
    date: NaiveDate,
) -> CompositionView {
    let member_name = |id: Option<i32>| {
        id.and_then(|id| {
            cao.members
                .iter()
                .find(|m| m.key == super::model::member_key(id))
        })
        .map_or_else(|| "—".to_owned(), |m| m.name.clone())
    };
    let mut history: Vec<HistoryLine> = cao
        .assignments
        .iter()
        .map(|a| HistoryLine {
            id: a.id,
            member: member_name(a.member_id),
            role: rules_assignment(a).map_or_else(|| a.role.clone(), |r| role_label(r.role)),
            person: a.person_name.clone(),
            email: a.person_email.clone().unwrap_or_default(),
            designation: format!(
                "{}, le {}",
                a.designation_body,
                french_date(a.designation_date)
            ),
            from: french_date(a.valid_from),
            to: a.valid_to.map(french_date).unwrap_or_default(),
            ended: a.valid_to.is_some_and(|t| t < date),
        })
        .collect();
    history.sort_by_key(|h| h.ended);
    let (seats, consultative_seats, warnings, voting_seats, president, error) = match comp {
        Ok(c) => (
            c.seats
                .iter()
                .map(|s| SeatView {
                    member: s.member_name.clone(),
                    presides: s.presides,
                    titulaire: s.titulaire.as_ref().map(|h| holder(cao, h)),
                    suppleant: s.suppleant.as_ref().map(|h| holder(cao, h)),
                })
                .collect(),
            c.consultative
                .iter()
                .map(|x| consultative(cao, x))
                .collect(),
            c.warnings_fr.clone(),
            c.voting_seats,
            c.president()
                .map(|p| p.person_name.clone())
                .unwrap_or_default(),
            String::new(),
        ),
        Err(e) => (Vec::new(), Vec::new(), Vec::new(), 0, String::new(), e),
    };
    CompositionView {
        date: date.to_string(),
        date_label: french_date(date),
        voting_seats,
        president,
        seats,
        consultative: consultative_seats,
        warnings,
        error,
        l1414_3: l1414_3_compulsory(&cao.members),
        history,
    }
}

/// An option of a select.
#[derive(Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The composition page: the view, the forms' choices and the CAO settings.
#[derive(Serialize)]
pub struct CompositionPage {
    pub view: CompositionView,
    pub members: Vec<Choice>,
    pub accounts: Vec<Choice>,
    pub consultative_kinds: Vec<Choice>,
    pub casting_vote: bool,
    pub jours_francs: u32,
    pub today: String,
}

/// Builds the composition page.
#[must_use]
pub fn composition_page(
    view: CompositionView,
    members: &[member::Model],
    users: &[app_user::Model],
    settings: &GroupementSettings,
    today: NaiveDate,
) -> CompositionPage {
    CompositionPage {
        view,
        members: members
            .iter()
            .filter(|m| m.withdrawn_on.is_none_or(|w| w > today))
            .map(|m| Choice {
                value: m.id.to_string(),
                label: m.name.clone(),
            })
            .collect(),
        accounts: users
            .iter()
            .filter(|u| matches!(u.role.as_str(), "cao" | "amoa"))
            .map(|u| Choice {
                value: u.id.to_string(),
                label: format!("{} — {}", u.display_name, u.email),
            })
            .collect(),
        consultative_kinds: super::model::CONSULTATIVE_KINDS
            .iter()
            .map(|k| Choice {
                value: consultative_code(*k).to_owned(),
                label: k.label_fr().to_owned(),
            })
            .collect(),
        casting_vote: settings.cao_casting_vote,
        jours_francs: settings.convocation_jours_francs,
        today: today.to_string(),
    }
}

/// A line of the séances list.
#[derive(Serialize)]
pub struct SeanceLine {
    pub id: i32,
    pub number: String,
    pub starts_at: String,
    pub place: String,
    pub status_label: &'static str,
    pub second_convocation: bool,
}

/// Builds a line of the séances list.
#[must_use]
pub fn seance_line(s: &cao_seance::Model) -> SeanceLine {
    SeanceLine {
        id: s.id,
        number: s.number.clone(),
        starts_at: super::store::starts_at(s).map_or_else(
            || s.starts_at.clone(),
            |d| {
                format!(
                    "{} à {}",
                    crate::calendar::french_date_with_weekday(d.date()),
                    d.format("%H h %M")
                )
            },
        ),
        place: s.place.clone(),
        status_label: super::model::SeanceStatus::from_code(&s.status)
            .map_or("?", super::model::SeanceStatus::label),
        second_convocation: s.second_convocation,
    }
}
