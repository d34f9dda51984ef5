//! What each role must do, by when: pure rules over the facts loaded by [`super::load`].
//! Each item carries its date, the rule or article behind it and the page that does it.

use crate::consultations::lifecycle::Status;
use crate::consultations::rules::deadlines::ConsultationCalendar;
use chrono::NaiveDate;
use serde::Serialize;

/// How far ahead the coordonnateur's deadlines are listed (six weeks).
pub const HORIZON_DAYS: i64 = 42;

/// How soon an item is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// The date has passed.
    EnRetard,
    /// Within seven days.
    CetteSemaine,
    /// Later.
    AVenir,
    /// No date (a séance to hold, a sheet to score while the analysis lasts).
    SansDate,
}

impl Urgency {
    /// French label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::EnRetard => "en retard",
            Self::CetteSemaine => "cette semaine",
            Self::AVenir => "à venir",
            Self::SansDate => "sans échéance",
        }
    }
}

/// The urgency of a due date on `today`.
#[must_use]
pub fn urgency(due: Option<NaiveDate>, today: NaiveDate) -> Urgency {
    match due {
        None => Urgency::SansDate,
        Some(d) if d < today => Urgency::EnRetard,
        Some(d) if (d - today).num_days() <= 7 => Urgency::CetteSemaine,
        Some(_) => Urgency::AVenir,
    }
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub due: Option<NaiveDate>,
    /// What to do, in French, naming the consultation or séance.
    pub what: String,
    /// The rule or article behind the date.
    pub basis: &'static str,
    /// The page that does it.
    pub href: String,
    /// What blocks it, when something does.
    pub blocked_by: Option<String>,
}

/// The coordonnateur's next step on a consultation in `status`, with its date and its basis;
/// `None` when nothing dated is due (closed, or the dates are not known yet).
#[must_use]
pub fn coordinator_step(
    status: Status,
    launch: Option<NaiveDate>,
    cal: Option<&ConsultationCalendar>,
) -> Option<(&'static str, NaiveDate, &'static str)> {
    match status {
        Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier => launch.map(|d| {
            (
                "Obtenir les visas des membres et publier l'avis prévu le",
                d,
                "convention art. 5.4 et 6.2 : visa préalable de chaque membre",
            )
        }),
        Status::Publiee => cal?.offers_deadline.map(|d| {
            (
                "Recevoir les plis jusqu'à la date limite du",
                d.date_naive(),
                "date limite fixée par le RC (délais minimaux R2161-2 et suivants)",
            )
        }),
        Status::Suspension | Status::LettresEnvoyees => cal?.earliest_signature.map(|d| {
            (
                "Signer le marché au plus tôt le",
                d,
                "R2182-1 : délai de suspension après l'envoi des rejets",
            )
        }),
        Status::Signee => cal?.avis_attribution_due.map(|d| {
            (
                "Envoyer l'avis d'attribution au plus tard le",
                d,
                "R2183-1 : avis dans les 30 jours de la signature",
            )
        }),
        Status::Notifiee => cal?.decp_due.map(|d| {
            (
                "Publier les données essentielles au plus tard le",
                d,
                "R2196-1 : données essentielles dans les deux mois de la notification",
            )
        }),
        _ => None,
    }
}

/// Whether a dated item belongs to the list on `today`: overdue, or due within the horizon.
#[must_use]
pub fn within_horizon(due: NaiveDate, today: NaiveDate) -> bool {
    (due - today).num_days() <= HORIZON_DAYS
}

/// The items in the order a person works them: overdue first, then by date, undated last.
pub fn sort(items: &mut [Item]) {
    items.sort_by(|a, b| match (a.due, b.due) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.what.cmp(&b.what)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.what.cmp(&b.what),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn urgency_boundaries() {
        let today = d(2026, 12, 7);
        assert_eq!(urgency(Some(d(2026, 12, 6)), today), Urgency::EnRetard);
        assert_eq!(urgency(Some(today), today), Urgency::CetteSemaine);
        assert_eq!(urgency(Some(d(2026, 12, 14)), today), Urgency::CetteSemaine);
        assert_eq!(urgency(Some(d(2026, 12, 15)), today), Urgency::AVenir);
        assert_eq!(urgency(None, today), Urgency::SansDate);
    }

    #[test]
    fn horizon_is_six_weeks_and_keeps_overdue_items() {
        let today = d(2026, 12, 7);
        assert!(within_horizon(d(2026, 11, 1), today));
        assert!(within_horizon(d(2027, 1, 18), today));
        assert!(!within_horizon(d(2027, 1, 19), today));
    }

    #[test]
    fn a_draft_points_to_the_visas_before_its_launch() {
        let launch = d(2027, 1, 4);
        let (what, due, basis) =
            coordinator_step(Status::Brouillon, Some(launch), None).expect("step");
        assert_eq!(due, launch);
        assert!(what.contains("visas"));
        assert!(basis.contains("6.2"));
        assert_eq!(coordinator_step(Status::Brouillon, None, None), None);
        assert_eq!(coordinator_step(Status::Close, Some(launch), None), None);
        // Without its calendar, a published consultation has no dated step.
        assert_eq!(coordinator_step(Status::Publiee, Some(launch), None), None);
    }

    #[test]
    fn sort_puts_dated_items_first_in_date_order() {
        let item = |due: Option<NaiveDate>, what: &str| Item {
            due,
            what: what.into(),
            basis: "",
            href: String::new(),
            blocked_by: None,
        };
        let mut items = vec![
            item(None, "noter"),
            item(Some(d(2026, 12, 20)), "b"),
            item(Some(d(2026, 12, 1)), "a"),
        ];
        sort(&mut items);
        let order: Vec<&str> = items.iter().map(|i| i.what.as_str()).collect();
        assert_eq!(order, ["a", "b", "noter"]);
    }
}
