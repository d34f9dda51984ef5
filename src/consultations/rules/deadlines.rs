//! Legal calendar of a consultation (docs/calendrier-legal.md): minimum offer delay, answers to
//! questions, validity of offers, standstill, avis d'attribution, DECP; with French warnings for
//! every date that breaks a legal minimum.
//!
//! Non-working days — which dates move and which do not:
//! - minimum offers date (R2161-2/-3): the day of sending is not counted and, when the last day of
//!   the minimum delay is a Saturday, Sunday or holiday, it moves to the next jour ouvré
//!   (règlement (CEE, Euratom) n° 1182/71 art. 3 §4; practice, sante-achat.info);
//! - an offers deadline set on a non-working day is flagged (practice moves it forward);
//! - latest date to answer questions (R2132-6): moved **back** to the previous jour ouvré
//!   (the buyer's own obligation: acting earlier stays compliant);
//! - standstill (R2182-1): calendar days de date à date, sending day = day 1, **never moved**
//!   (CE 2 août 2011 n° 347526; QE n° 18835 JO AN 2 avril 2013: derogates from règlement 1182/71);
//! - avis d'attribution (R2183-1) and DECP (R2196-1): the buyer's deadlines, **not moved**
//!   (the strict date is the safe one).

use super::params;
use super::procedure::{ProcedureKind, aoo_min_offer_days};
use super::technique::Technique;
use super::technique_choice;
use super::{RulesError, format_eur_short};
use crate::calendar::{
    PARIS, add_calendar_days, french_date, french_datetime, holiday_name, is_working_day,
    paris_datetime, roll_backward, roll_forward,
};
use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, Timelike, Weekday};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

fn default_true() -> bool {
    true
}

/// Dates known (or planned) for a consultation. Optional dates are checked when present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineInput {
    pub procedure: ProcedureKind,
    /// Date the avis is sent to publication (formalised delays run from it, R2161-2); also the
    /// date choosing the dated parameters.
    pub launch_date: NaiveDate,
    /// Date the avis is actually published (MAPA delays run from it, CE 5 août 2009 n° 307117);
    /// defaults to `launch_date`.
    #[serde(default)]
    pub publication_date: Option<NaiveDate>,
    /// Offers deadline, Paris wall-clock time.
    #[serde(default)]
    pub offers_deadline: Option<NaiveDateTime>,
    #[serde(default = "default_true")]
    pub electronic_reception: bool,
    #[serde(default)]
    pub preinformation: bool,
    #[serde(default)]
    pub urgence: bool,
    /// Date limite de dépôt des questions set in the RC.
    #[serde(default)]
    pub questions_deadline: Option<NaiveDate>,
    /// Validity of offers in days from the offers deadline (RC).
    #[serde(default)]
    pub offers_validity_days: Option<u32>,
    /// Estimated value HT of the marché (DECP threshold, R2196-1).
    pub amount_ht: Decimal,
    #[serde(default)]
    pub rejection_letters_sent: Option<NaiveDate>,
    #[serde(default = "default_true")]
    pub rejection_letters_electronic: bool,
    /// Marché awarded to the only tenderer: no standstill (R2182-2).
    #[serde(default)]
    pub single_tenderer: bool,
    #[serde(default)]
    pub signature_date: Option<NaiveDate>,
    #[serde(default)]
    pub notification_date: Option<NaiveDate>,
    #[serde(default)]
    pub avis_attribution_sent: Option<NaiveDate>,
    #[serde(default)]
    pub decp_published: Option<NaiveDate>,
    /// Technique d'achat: a marché spécifique of a SAD has its own offer delay (from the
    /// invitation, R2162-50) and no standstill (R2182-2).
    #[serde(default)]
    pub technique: Technique,
}

impl DeadlineInput {
    /// Input with only the procedure, launch date, amount and offers deadline (Paris time).
    pub fn new(
        procedure: ProcedureKind,
        launch_date: NaiveDate,
        amount_ht: Decimal,
        offers_deadline: Option<NaiveDateTime>,
    ) -> DeadlineInput {
        DeadlineInput {
            procedure,
            launch_date,
            publication_date: None,
            offers_deadline,
            electronic_reception: true,
            preinformation: false,
            urgence: false,
            questions_deadline: None,
            offers_validity_days: None,
            amount_ht,
            rejection_letters_sent: None,
            rejection_letters_electronic: true,
            single_tenderer: false,
            signature_date: None,
            notification_date: None,
            avis_attribution_sent: None,
            decp_published: None,
            technique: Technique::Aucune,
        }
    }
}

/// A date that breaks a legal minimum (or is inconsistent), with its article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineWarning {
    pub code: &'static str,
    pub article: &'static str,
    pub message: String,
}

/// Computed legal calendar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsultationCalendar {
    /// Date from which the offer delay runs (sending for AOO, publication for MAPA).
    pub delay_start: NaiveDate,
    pub min_offer_days: Option<u32>,
    /// Earliest lawful date of the offers deadline (AOO), rolled to a working day.
    pub earliest_offers_date: Option<NaiveDate>,
    pub offers_deadline: Option<DateTime<Tz>>,
    /// Calendar days from `delay_start` to the offers deadline date.
    pub offer_delay_days: Option<i64>,
    /// Latest date to send additional information on the DCE (R2132-6).
    pub answers_deadline: Option<NaiveDate>,
    pub offers_valid_until: Option<NaiveDate>,
    pub standstill_days: Option<u32>,
    /// Last day of the standstill (sending day = day 1).
    pub standstill_last_day: Option<NaiveDate>,
    pub earliest_signature: Option<NaiveDate>,
    pub avis_attribution_due: Option<NaiveDate>,
    pub decp_due: Option<NaiveDate>,
    pub warnings: Vec<DeadlineWarning>,
    pub notes: Vec<String>,
}

fn day_kind(d: NaiveDate) -> String {
    match (holiday_name(d), d.weekday()) {
        (Some(name), _) => format!("un jour férié ({name})"),
        (None, Weekday::Sat) => "un samedi".to_string(),
        (None, Weekday::Sun) => "un dimanche".to_string(),
        _ => "un jour ouvré".to_string(),
    }
}

fn warn(code: &'static str, article: &'static str, message: String) -> DeadlineWarning {
    DeadlineWarning {
        code,
        article,
        message,
    }
}

/// Computes the legal calendar and its warnings (see the module doc for non-working days).
pub fn compute(input: &DeadlineInput) -> Result<ConsultationCalendar, RulesError> {
    let launch = input.launch_date;
    let formalised = input.procedure.is_formalised();
    let mut warnings = Vec::new();
    let mut notes = Vec::new();

    if let Some(p) = input.publication_date
        && p < launch
    {
        warnings.push(warn(
            "publication_avant_envoi",
            "R2131-16",
            format!(
                "La date de publication de l'avis ({}) précède sa date d'envoi ({}).",
                french_date(p),
                french_date(launch)
            ),
        ));
    }
    // A marché spécifique's delay runs from the sending of the invitation to tender, recorded
    // as its publication date.
    let delay_start = match (input.technique, input.procedure) {
        (Technique::Sad, _)
        | (_, ProcedureKind::ProcedureAdaptee | ProcedureKind::SansPubliciteNiMiseEnConcurrence) => {
            input.publication_date.unwrap_or(launch)
        }
        (_, ProcedureKind::AppelOffresOuvert) => launch,
    };

    let offers_deadline = input
        .offers_deadline
        .map(|dt| paris_datetime(dt.date(), dt.hour(), dt.minute()));
    let offers_date = offers_deadline.map(|dt| dt.with_timezone(&PARIS).date_naive());

    // Minimum offer delay (R2161-2, R2161-3) — formalised procedure only.
    let (min_offer_days, earliest_offers_date) = if let Some((days, reason)) =
        technique_choice::own_min_offer_days(input.technique)
    {
        notes.push(reason);
        let earliest = roll_forward(add_calendar_days(delay_start, i64::from(days)));
        (Some(days), Some(earliest))
    } else if formalised {
        let (days, reason) = aoo_min_offer_days(
            launch,
            input.electronic_reception,
            input.preinformation,
            input.urgence,
        )?;
        notes.push(reason);
        let earliest = roll_forward(add_calendar_days(delay_start, i64::from(days)));
        (Some(days), Some(earliest))
    } else {
        if input.procedure == ProcedureKind::ProcedureAdaptee {
            notes.push("Procédure adaptée : pas de délai minimal réglementaire ; le délai doit être raisonnable au regard de la complexité du marché et du temps de préparation des offres (R2151-1), compté à partir de la publication de l'avis.".to_string());
        }
        (None, None)
    };

    if let (Some(dt), Some(date)) = (offers_deadline, offers_date) {
        if date <= delay_start {
            warnings.push(warn(
                "date_limite_avant_lancement",
                "R2151-1",
                format!(
                    "La date limite de réception des offres ({}) n'est pas postérieure au point de départ du délai ({}).",
                    french_datetime(&dt),
                    french_date(delay_start)
                ),
            ));
        }
        if let (Some(days), Some(earliest)) = (min_offer_days, earliest_offers_date)
            && date < earliest
        {
            let (article, from) = if input.technique == Technique::Sad {
                ("R2162-50", "l'envoi de l'invitation à soumissionner")
            } else {
                ("R2161-2, R2161-3", "l'envoi de l'avis")
            };
            warnings.push(warn(
                "delai_offres_insuffisant",
                article,
                format!(
                    "La date limite de réception des offres ({}) ne respecte pas le délai minimal de {days} jours à compter de {from} le {} : elle ne peut être fixée avant le {} ({article}).",
                    french_datetime(&dt),
                    french_date(delay_start),
                    french_date(earliest)
                ),
            ));
        }
        if !is_working_day(date) {
            warnings.push(warn(
                "date_limite_jour_non_ouvre",
                "règlement (CEE, Euratom) n° 1182/71 art. 3 §4",
                format!(
                    "La date limite de réception des offres ({}) tombe {} : la pratique la reporte au jour ouvré suivant, le {}.",
                    french_datetime(&dt),
                    day_kind(date),
                    french_date(roll_forward(date))
                ),
            ));
        }
    }

    // Answers to questions at the latest 6 days (4 in urgency) before the deadline (R2132-6).
    let answers_deadline = match offers_date {
        Some(date) => {
            let param = if input.urgence {
                params::ANSWERS_DAYS_URGENCY.at(launch)?
            } else {
                params::ANSWERS_DAYS.at(launch)?
            };
            let latest = roll_backward(add_calendar_days(date, -i64::from(param.value)));
            if let Some(q) = input.questions_deadline
                && q > latest
            {
                warnings.push(warn(
                    "questions_trop_tardives",
                    "R2132-6",
                    format!(
                        "La date limite de dépôt des questions ({}) est postérieure au {} : l'acheteur ne pourrait plus répondre {} jours au moins avant la remise des offres (R2132-6).",
                        french_date(q),
                        french_date(latest),
                        param.value
                    ),
                ));
            }
            Some(latest)
        }
        None => None,
    };

    let offers_valid_until = match (offers_date, input.offers_validity_days) {
        (Some(date), Some(days)) => Some(add_calendar_days(date, i64::from(days))),
        _ => None,
    };

    // Standstill (R2182-1), formalised procedures only, not for a single tenderer nor a
    // marché spécifique of a SAD (R2182-2).
    let exemption = technique_choice::standstill_exemption(input.technique, input.single_tenderer);
    let standstill_applies = formalised && exemption.is_none();
    let standstill_days = if standstill_applies {
        let p = if input.rejection_letters_electronic {
            params::STANDSTILL_ELECTRONIC.at(launch)?
        } else {
            params::STANDSTILL_OTHER.at(launch)?
        };
        Some(p.value)
    } else {
        if let Some(why) = exemption.filter(|_| formalised || input.technique == Technique::Sad) {
            notes.push(format!("Pas de délai de suspension : {why}."));
        } else if input.procedure == ProcedureKind::ProcedureAdaptee {
            notes.push("Procédure adaptée : pas de délai de suspension obligatoire ; un délai volontaire avant la signature est conseillé (le référé précontractuel reste possible jusqu'à la signature).".to_string());
        }
        None
    };
    let (standstill_last_day, earliest_signature) =
        match (standstill_days, input.rejection_letters_sent) {
            (Some(days), Some(sent)) => (
                Some(add_calendar_days(sent, i64::from(days) - 1)),
                Some(add_calendar_days(sent, i64::from(days))),
            ),
            _ => (None, None),
        };

    if let (Some(sent), Some(date)) = (input.rejection_letters_sent, offers_date)
        && sent < date
    {
        warnings.push(warn(
            "lettres_avant_remise",
            "R2181-1",
            format!(
                "Les lettres de rejet ({}) sont datées d'avant la date limite de réception des offres ({}).",
                french_date(sent),
                french_date(date)
            ),
        ));
    }

    if let Some(sig) = input.signature_date {
        if let Some(date) = offers_date
            && sig < date
        {
            warnings.push(warn(
                "signature_avant_remise",
                "R2182-1",
                format!(
                    "La signature ({}) précède la date limite de réception des offres ({}).",
                    french_date(sig),
                    french_date(date)
                ),
            ));
        }
        if let Some(days) = standstill_days {
            match (input.rejection_letters_sent, earliest_signature) {
                (Some(sent), Some(earliest)) if sig < earliest => warnings.push(warn(
                    "signature_pendant_suspension",
                    "R2182-1",
                    format!(
                        "Signature le {} avant la fin du délai de suspension de {days} jours (notification du rejet envoyée le {}{}) : signature possible à compter du {} (R2182-1).",
                        french_date(sig),
                        french_date(sent),
                        if input.rejection_letters_electronic { " par voie électronique" } else { ", hors voie électronique" },
                        french_date(earliest)
                    ),
                )),
                (None, _) => warnings.push(warn(
                    "lettres_rejet_manquantes",
                    "R2181-1, R2182-1",
                    format!(
                        "Signature prévue le {} sans date d'envoi des lettres de rejet : le délai de suspension de {days} jours ne peut pas être vérifié (R2181-1, R2182-1).",
                        french_date(sig)
                    ),
                )),
                _ => {}
            }
        }
        if let Some(until) = offers_valid_until
            && sig > until
        {
            warnings.push(warn(
                "validite_offres_expiree",
                "règlement de la consultation (délai de validité des offres)",
                format!(
                    "La signature ({}) intervient après la fin de validité des offres ({}) : l'accord écrit de l'attributaire pour proroger son offre est nécessaire.",
                    french_date(sig),
                    french_date(until)
                ),
            ));
        }
    }

    // Avis d'attribution within 30 days of signature (R2183-1), ≥ EU thresholds.
    let avis_attribution_due = match (formalised, input.signature_date) {
        (true, Some(sig)) => {
            let p = params::AVIS_ATTRIBUTION_DAYS.at(launch)?;
            let due = add_calendar_days(sig, i64::from(p.value));
            if let Some(sent) = input.avis_attribution_sent
                && sent > due
            {
                warnings.push(warn(
                    "avis_attribution_tardif",
                    "R2183-1",
                    format!(
                        "L'avis d'attribution envoyé le {} dépasse le délai de {} jours suivant la signature du {} (au plus tard le {}, R2183-1).",
                        french_date(sent),
                        p.value,
                        french_date(sig),
                        french_date(due)
                    ),
                ));
            }
            Some(due)
        }
        _ => None,
    };

    if let (Some(sig), Some(notif)) = (input.signature_date, input.notification_date)
        && notif < sig
    {
        warnings.push(warn(
            "notification_avant_signature",
            "R2182-4",
            format!(
                "La notification ({}) précède la signature du marché ({}).",
                french_date(notif),
                french_date(sig)
            ),
        ));
    }

    // DECP within 2 months of notification, marchés ≥ 40 000 € HT (R2196-1).
    let decp_threshold = params::DECP_THRESHOLD.at(launch)?;
    let decp_due = match input.notification_date {
        Some(notif) if input.amount_ht >= decp_threshold.value => {
            let months = params::DECP_MONTHS.at(launch)?.value;
            let due = notif
                .checked_add_months(Months::new(months))
                .unwrap_or(NaiveDate::MAX);
            if let Some(published) = input.decp_published
                && published > due
            {
                warnings.push(warn(
                    "decp_tardives",
                    "R2196-1",
                    format!(
                        "Données essentielles publiées le {}, au-delà du délai de {months} mois suivant la notification du {} (au plus tard le {}, R2196-1).",
                        french_date(published),
                        french_date(notif),
                        french_date(due)
                    ),
                ));
            }
            Some(due)
        }
        _ => None,
    };
    if input.amount_ht < decp_threshold.value {
        notes.push(format!(
            "Montant inférieur à {} HT : pas de publication obligatoire des données essentielles (R2196-1).",
            format_eur_short(decp_threshold.value)
        ));
    }

    Ok(ConsultationCalendar {
        delay_start,
        min_offer_days,
        earliest_offers_date,
        offers_deadline,
        offer_delay_days: offers_date.map(|d| (d - delay_start).num_days()),
        answers_deadline,
        offers_valid_until,
        standstill_days,
        standstill_last_day,
        earliest_signature,
        avis_attribution_due,
        decp_due,
        warnings,
        notes,
    })
}
