//! `coordo demo`: the groupement's two real tenders — the AMOA (prestations intellectuelles,
//! CCAG-PI) and the DUI software (CCAG-TIC) — built in the configured database by the product
//! itself, with fictitious bidders, and taken to the stage asked.
//!
//! Every step calls the service function its page calls (no SQL write of its own), as the
//! account that acts on that page (the coordonnateur, each référent, each CAO seat-holder), on
//! a manual [`Clock`] moved forward between the steps: DCE, visas, publication, deadline of the
//! offers, opening, scoring, CAO séance, decision, standstill of 11 days, signature,
//! notification. The calendar is placed so that the last step of the stage asked happened
//! yesterday (a Monday starts it): the pages read it as a procedure under way.
//!
//! Each run creates a new pair of consultations (references `DEMO-AMOA-n`, `DEMO-DUI-n`); with
//! `--achats techniques`, the pair bought under a technique d'achat instead: the software as a
//! marché spécifique of a SAD (`DEMO-SAD-n`) and the hardware as an accord-cadre à bons de
//! commande (`DEMO-MAT-n`).

mod analysis;
mod award;
mod cao;
mod draft;
mod people;
mod publish;
mod tenders;
mod tenders_techniques;

use crate::clock::Clock;
use crate::config::Settings;
use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
pub use people::People;
pub use tenders::Tender;
pub use tenders_techniques::{ADMITTED_WITHOUT_OFFER, SAD_REFERENCE};

/// How far the demo goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Consultation, lot, needs, DCE data, price lines, criteria grid, whole DCE generated.
    Brouillon,
    /// Visas of every référent (one with reserves), published.
    Publiee,
    /// Plis received, deadline passed, opened, priced, examined, scored by the CAO, ranked.
    Analyse,
    /// CAO séance and deliberation, award decided (NOTI1), certificates received.
    Attribuee,
    /// NOTI3, standstill, validations, signature, signed AE, NOTI5, pieces to the members.
    Notifiee,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Brouillon,
        Stage::Publiee,
        Stage::Analyse,
        Stage::Attribuee,
        Stage::Notifiee,
    ];

    /// The name on the command line.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Stage::Brouillon => "brouillon",
            Stage::Publiee => "publiee",
            Stage::Analyse => "analyse",
            Stage::Attribuee => "attribuee",
            Stage::Notifiee => "notifiee",
        }
    }

    /// Parses a stage name (accents and case tolerated).
    ///
    /// # Errors
    /// The French message listing the stages.
    pub fn parse(s: &str) -> Result<Self, String> {
        let k = s
            .trim()
            .to_lowercase()
            .replace(['é', 'è'], "e")
            .replace('-', "_");
        Stage::ALL
            .into_iter()
            .find(|st| st.code() == k)
            .ok_or_else(|| {
                format!(
                    "étape « {s} » inconnue : choisissez brouillon, publiee, analyse, attribuee ou notifiee"
                )
            })
    }

    /// The day (from the Monday that starts the calendar) of the stage's last step.
    fn last_day(self) -> i64 {
        match self {
            Stage::Brouillon => timeline::DCE,
            Stage::Publiee => timeline::PUBLICATION,
            Stage::Analyse => timeline::SCORING,
            Stage::Attribuee => timeline::DECISION,
            Stage::Notifiee => timeline::NOTIFICATION,
        }
    }
}

/// Which pair of purchases the demo builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Purchases {
    /// The AMOA (ordinary marché) and the software (accord-cadre à bons de commande).
    #[default]
    Convention,
    /// The software as a marché spécifique of a SAD and the hardware as an accord-cadre.
    Techniques,
}

impl Purchases {
    /// Parses `convention` or `techniques`.
    ///
    /// # Errors
    /// The French message listing the values.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "convention" => Ok(Self::Convention),
            "techniques" => Ok(Self::Techniques),
            other => Err(format!(
                "achats « {other} » inconnus : choisissez convention (AMOA et logiciel) ou techniques (logiciel en marché spécifique d'un SAD, matériel en accord-cadre)"
            )),
        }
    }

    fn tenders(self, n: u32) -> [Tender; 2] {
        match self {
            Self::Convention => [tenders::amoa(n), tenders::software(n)],
            Self::Techniques => [
                tenders_techniques::software_sad(n),
                tenders_techniques::hardware(n),
            ],
        }
    }
}

/// Days of the calendar, counted from a Monday (day 0).
pub(crate) mod timeline {
    /// Creation, needs, DCE data, grid, DCE generated, submitted to the visas (Monday).
    pub const DCE: i64 = 0;
    /// The référents' visas (Tuesday).
    pub const VISAS: i64 = 1;
    /// Prête à publier, publiée (Friday).
    pub const PUBLICATION: i64 = 4;
    /// Questions deadline (Friday, two weeks before the offers).
    pub const QUESTIONS: i64 = 32;
    /// Plis received on the buyer's profile (Monday to Wednesday before the deadline).
    pub const PLIS: i64 = 42;
    /// Deadline of the offers at 12:00, opening in the afternoon (Friday, 42 days after the
    /// publication: more than the 35 days of R2161-2).
    pub const DEADLINE: i64 = 46;
    /// Scoring by the CAO, ranking; convocation of the CAO sent (Monday).
    pub const SCORING: i64 = 49;
    /// The CAO séance (Monday, 7 days after its convocation).
    pub const SEANCE: i64 = 56;
    /// Decision, NOTI1 (Tuesday); certificates received.
    pub const DECISION: i64 = 57;
    /// NOTI3 sent electronically (Wednesday): the standstill runs 11 days, this day included,
    /// to Saturday of the next week but one.
    pub const REJECTIONS: i64 = 58;
    /// Written validations of the members (Thursday).
    pub const VALIDATIONS: i64 = 59;
    /// Signature, signed AE, NOTI5 (Monday, after the standstill's last day).
    pub const NOTIFICATION: i64 = 70;
}

/// The demo's calendar: day 0 is a Monday.
#[derive(Clone, Copy, Debug)]
pub struct Calendar {
    pub start: NaiveDate,
}

impl Calendar {
    /// The calendar whose stage `stage` ended yesterday (or earlier, to start on a Monday).
    #[must_use]
    pub fn ending_before(today: NaiveDate, stage: Stage) -> Self {
        let latest = today - Duration::days(1 + stage.last_day());
        let back = i64::from(latest.weekday().num_days_from_monday());
        Self {
            start: latest - Duration::days(back),
        }
    }

    #[must_use]
    pub fn day(&self, d: i64) -> NaiveDate {
        self.start + Duration::days(d)
    }

    /// Day `d` at `h:m` in Paris.
    #[must_use]
    pub fn at(&self, d: i64, h: u32, m: u32) -> DateTime<Utc> {
        crate::calendar::paris_datetime(self.day(d), h, m).with_timezone(&Utc)
    }

    /// `AAAA-MM-JJ` of day `d`.
    #[must_use]
    pub fn ymd(&self, d: i64) -> String {
        self.day(d).format("%Y-%m-%d").to_string()
    }
}

/// What the demo built.
#[derive(Clone, Debug)]
pub struct Built {
    pub stage: Stage,
    pub consultations: Vec<BuiltConsultation>,
    pub calendar: Calendar,
    pub seeded: bool,
    /// Number of the pair (`DEMO-AMOA-n`): above 1, earlier demos were kept.
    pub number: u32,
}

/// One consultation of the demo.
#[derive(Clone, Debug)]
pub struct BuiltConsultation {
    pub id: i32,
    pub reference: String,
    pub objet: String,
    pub status: String,
}

/// The running demo: the state on the manual clock, the calendar, the accounts.
pub struct Demo {
    pub st: AppState,
    pub cal: Calendar,
    pub gid: i32,
    pub people: People,
}

impl Demo {
    /// Moves the clock to day `d` at `h:m` (Paris).
    pub fn set(&self, d: i64, h: u32, m: u32) {
        self.st.clock.set(self.cal.at(d, h, m));
    }
}

/// Builds the demo in the configured database up to `stage`.
///
/// # Errors
/// French message of the step that failed.
pub async fn run(settings: Settings, stage: Stage) -> anyhow::Result<Built> {
    run_with(settings, stage, Purchases::Convention).await
}

/// Builds the pair `purchases` in the configured database up to `stage`.
///
/// # Errors
/// French message of the step that failed.
pub async fn run_with(
    settings: Settings,
    stage: Stage,
    purchases: Purchases,
) -> anyhow::Result<Built> {
    let today = Clock::system().today_paris();
    let cal = Calendar::ending_before(today, stage);
    let clock = Clock::manual(cal.at(timeline::DCE, 9, 0));
    let st = crate::startup::build_state(settings, clock).await?;
    let seeded = crate::startup::seed_demo_if_empty(&st).await?.is_some();
    let gid = crate::registry::service::groupements(&st.db)
        .await?
        .iter()
        .map(|g| g.id)
        .min()
        .ok_or_else(|| anyhow::anyhow!("aucun groupement dans la base"))?;
    let people = People::load(&st, gid).await.map_err(step("comptes"))?;
    let demo = Demo {
        st,
        cal,
        gid,
        people,
    };
    let n = tenders::next_number(&demo)
        .await
        .map_err(step("références"))?;
    let defs = purchases.tenders(n);
    let mut ids = Vec::new();
    for t in &defs {
        ids.push(
            draft::run(&demo, t)
                .await
                .map_err(step_of(t, "brouillon"))?,
        );
    }
    if stage >= Stage::Publiee {
        for (t, &cid) in defs.iter().zip(&ids) {
            publish::run(&demo, t, cid)
                .await
                .map_err(step_of(t, "publication"))?;
        }
    }
    if stage >= Stage::Analyse {
        for (t, &cid) in defs.iter().zip(&ids) {
            analysis::run(&demo, t, cid)
                .await
                .map_err(step_of(t, "analyse"))?;
        }
    }
    if stage >= Stage::Attribuee {
        for (i, (t, &cid)) in defs.iter().zip(&ids).enumerate() {
            cao::seance(&demo, t, cid, i)
                .await
                .map_err(step_of(t, "séance de la CAO"))?;
            award::decide(&demo, t, cid)
                .await
                .map_err(step_of(t, "attribution"))?;
        }
    }
    if stage >= Stage::Notifiee {
        for (t, &cid) in defs.iter().zip(&ids) {
            award::notify(&demo, t, cid)
                .await
                .map_err(step_of(t, "notification"))?;
        }
    }
    let mut consultations = Vec::new();
    for cid in ids {
        let c = crate::consultations::service::get(&demo.st.db, gid, cid)
            .await
            .map_err(step("lecture"))?;
        consultations.push(BuiltConsultation {
            id: c.id,
            reference: c.reference,
            objet: c.objet,
            status: c.status,
        });
    }
    Ok(Built {
        stage,
        consultations,
        calendar: cal,
        seeded,
        number: n,
    })
}

fn step(what: &'static str) -> impl Fn(AppError) -> anyhow::Error {
    move |e| anyhow::anyhow!("démo, {what} : {}", detail(&e))
}

fn step_of(t: &Tender, what: &'static str) -> impl Fn(AppError) -> anyhow::Error {
    let reference = t.reference.clone();
    move |e| anyhow::anyhow!("démo, {reference}, {what} : {}", detail(&e))
}

/// The French message of an error, fields included.
fn detail(e: &AppError) -> String {
    match e {
        AppError::Validation(errs) => errs
            .iter()
            .flat_map(|(k, v)| v.iter().map(move |m| format!("{k} : {m}")))
            .collect::<Vec<_>>()
            .join(" ; "),
        other => other.message(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_parse_in_french_and_refuse_others() {
        assert_eq!(Stage::parse("publiée"), Ok(Stage::Publiee));
        assert_eq!(Stage::parse("Notifiee"), Ok(Stage::Notifiee));
        let e = Stage::parse("signee").expect_err("unknown");
        assert!(e.contains("inconnue") && e.contains("brouillon"), "{e}");
    }

    #[test]
    fn the_calendar_starts_on_a_monday_and_ends_before_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).expect("date");
        for s in Stage::ALL {
            let c = Calendar::ending_before(today, s);
            assert_eq!(c.start.weekday(), chrono::Weekday::Mon);
            assert!(c.day(s.last_day()) < today);
            assert!(c.day(s.last_day()) >= today - Duration::days(8));
        }
        let c = Calendar::ending_before(today, Stage::Notifiee);
        assert_eq!(c.day(timeline::DEADLINE).weekday(), chrono::Weekday::Fri);
        assert_eq!(c.day(timeline::SEANCE).weekday(), chrono::Weekday::Mon);
        assert_eq!(
            c.day(timeline::NOTIFICATION).weekday(),
            chrono::Weekday::Mon
        );
        for (d, w) in [
            (timeline::PUBLICATION, chrono::Weekday::Fri),
            (timeline::QUESTIONS, chrono::Weekday::Fri),
            (timeline::PLIS, chrono::Weekday::Mon),
            (timeline::SCORING, chrono::Weekday::Mon),
            (timeline::DECISION, chrono::Weekday::Tue),
            (timeline::REJECTIONS, chrono::Weekday::Wed),
            (timeline::VALIDATIONS, chrono::Weekday::Thu),
        ] {
            assert_eq!(c.day(d).weekday(), w, "day {d}");
        }
    }
}
