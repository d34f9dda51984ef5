//! The legal calendar as a calculator (`coordo delais …`): each answer is JSON with the date,
//! the rule in words and the article it applies. Pure functions over `crate::calendar`; the
//! command line prints them, an invalid date or count is a French message (exit 2).

use crate::calendar::{self, holiday_name, is_working_day};
use crate::cao::rules::convocation::last_sending_day;
use crate::consultations::rules::params;
use crate::consultations::rules::procedure::aoo_min_offer_days;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{Value, json};

/// Longest count accepted (ten years of days).
const MAX_DAYS: i64 = 3660;

/// Reads `AAAA-MM-JJ`.
///
/// # Errors
/// A French message naming the option and the value.
pub fn parse_date(option: &str, s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "--{option} « {} » n'est pas une date au format AAAA-MM-JJ (par exemple 2027-05-14)",
            s.trim()
        )
    })
}

/// Reads a number of days, 0 to 3 660.
///
/// # Errors
/// A French message naming the option and the value.
pub fn parse_count(option: &str, s: &str) -> Result<u32, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if (0..=MAX_DAYS).contains(&n) => Ok(u32::try_from(n).unwrap_or(0)),
        Ok(n) if n < 0 => Err(format!(
            "--{option} « {n} » est négatif : indiquez un nombre de jours de 0 à {MAX_DAYS}"
        )),
        Ok(n) => Err(format!(
            "--{option} « {n} » est trop grand : {MAX_DAYS} jours au plus"
        )),
        Err(_) => Err(format!(
            "--{option} « {} » n'est pas un nombre entier de jours",
            s.trim()
        )),
    }
}

fn why_not_worked(d: NaiveDate) -> Option<String> {
    if is_working_day(d) {
        return None;
    }
    Some(match holiday_name(d) {
        Some(name) => name.to_owned(),
        None if d.weekday() == Weekday::Sat => "samedi".to_owned(),
        None => "dimanche".to_owned(),
    })
}

/// The `jours`-th jour ouvré after `depuis` (that day not counted; Saturdays, Sundays and French
/// public holidays excluded), with the days skipped and why.
#[must_use]
pub fn jours_ouvres(depuis: NaiveDate, jours: u32) -> Value {
    let date = calendar::add_working_days(depuis, jours);
    let skipped: Vec<Value> = depuis
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= date)
        .filter_map(|d| why_not_worked(d).map(|why| json!({"date": d.to_string(), "motif": why})))
        .collect();
    json!({
        "date": date.to_string(),
        "date_fr": calendar::french_date_with_weekday(date),
        "depuis": depuis.to_string(),
        "jours": jours,
        "jours_exclus": skipped,
        "regle": format!(
            "{jours} jour(s) ouvré(s) après le {} : ce jour-là ne compte pas ; samedis, dimanches et jours fériés sont exclus",
            calendar::french_date(depuis)
        ),
        "article": "convention constitutive du groupement, art. 8.1 (visa tacite, procès-verbal du COPIL) ; jours fériés : code du travail, art. L3133-1",
    })
}

/// The last day on which the convocation to a CAO séance may be sent so that `jours_francs`
/// whole days separate it from the séance (neither the day of sending nor the séance counted;
/// weekends and holidays count). Also the last day once the delay is extended when its end
/// falls on a Saturday, Sunday or holiday (art. 642 CPC by analogy), as Coordo checks it.
#[must_use]
pub fn convocation_cao(seance: NaiveDate, jours_francs: u32) -> Value {
    let date = seance - Duration::days(i64::from(jours_francs) + 1);
    let extended = last_sending_day(seance, jours_francs);
    json!({
        "date": date.to_string(),
        "date_fr": calendar::french_date_with_weekday(date),
        "seance": seance.to_string(),
        "jours_francs": jours_francs,
        "date_avec_prorogation": extended.to_string(),
        "regle": format!(
            "{jours_francs} jour(s) franc(s) entre l'envoi et la séance du {} : ni le jour de l'envoi ni celui de la séance ne comptent ; samedis, dimanches et jours fériés comptent",
            calendar::french_date(seance)
        ),
        "article": "règlement intérieur de la CAO du groupement (CGCT L1411-5 ne fixe pas de délai ; ancien CMP art. 25 : 5 jours francs) ; prorogation : code de procédure civile, art. 641 et 642, par analogie",
    })
}

/// The standstill after the rejection letters sent on `envoi` (R2182-1): its last day (the
/// sending day is day 1) and the first day the marché may be signed; 11 days when the
/// notification went electronically, 16 otherwise. Dated parameters read at `envoi`.
///
/// # Errors
/// A French message when no parameter covers the date.
pub fn suspension(envoi: NaiveDate, electronique: bool) -> Result<Value, String> {
    let p = if electronique {
        params::STANDSTILL_ELECTRONIC.at(envoi)
    } else {
        params::STANDSTILL_OTHER.at(envoi)
    }
    .map_err(|e| e.to_string())?;
    let last = calendar::add_calendar_days(envoi, i64::from(p.value) - 1);
    let signature = calendar::add_calendar_days(envoi, i64::from(p.value));
    Ok(json!({
        "date": signature.to_string(),
        "date_fr": calendar::french_date_with_weekday(signature),
        "dernier_jour_de_suspension": last.to_string(),
        "envoi": envoi.to_string(),
        "jours": p.value,
        "regle": format!(
            "{} jours à compter de l'envoi des lettres de rejet le {}{} : le marché se signe au plus tôt le {} ; délai de date à date, jamais reporté ; pas de délai pour un marché attribué au seul soumissionnaire (R2182-2)",
            p.value,
            calendar::french_date(envoi),
            if electronique { " par voie électronique" } else { " hors voie électronique" },
            calendar::french_date(signature)
        ),
        "article": p.legal_basis,
    }))
}

/// The last day to send the avis d'attribution of a formalised procedure after the signature
/// on `signature` (R2183-1: 30 days).
///
/// # Errors
/// A French message when no parameter covers the date.
pub fn avis_attribution(signature: NaiveDate) -> Result<Value, String> {
    let p = params::AVIS_ATTRIBUTION_DAYS
        .at(signature)
        .map_err(|e| e.to_string())?;
    let due = calendar::add_calendar_days(signature, i64::from(p.value));
    Ok(json!({
        "date": due.to_string(),
        "date_fr": calendar::french_date_with_weekday(due),
        "signature": signature.to_string(),
        "jours": p.value,
        "regle": format!(
            "avis d'attribution envoyé au plus tard {} jours après la signature du {} (procédures formalisées)",
            p.value,
            calendar::french_date(signature)
        ),
        "article": p.legal_basis,
    }))
}

/// The last day to publish the données essentielles of a marché notified on `notification`
/// (R2196-1: two months, marchés of 40 000 € HT or more).
///
/// # Errors
/// A French message when no parameter covers the date.
pub fn donnees_essentielles(notification: NaiveDate) -> Result<Value, String> {
    let months = params::DECP_MONTHS
        .at(notification)
        .map_err(|e| e.to_string())?;
    let threshold = params::DECP_THRESHOLD
        .at(notification)
        .map_err(|e| e.to_string())?;
    let due = notification
        .checked_add_months(chrono::Months::new(months.value))
        .ok_or_else(|| "date hors du calendrier".to_owned())?;
    Ok(json!({
        "date": due.to_string(),
        "date_fr": calendar::french_date_with_weekday(due),
        "notification": notification.to_string(),
        "mois": months.value,
        "seuil_ht": threshold.value.to_string(),
        "regle": format!(
            "données essentielles publiées au plus tard {} mois après la notification du {}, pour un marché d'au moins {} € HT",
            months.value,
            calendar::french_date(notification),
            threshold.value
        ),
        "article": months.legal_basis,
    }))
}

/// The procedures whose minimum offer delay `offres` knows, by their command-line name.
pub const PROCEDURES: &str = "aoo (appel d'offres ouvert), mapa (procédure adaptée)";

/// The earliest lawful offers deadline of a consultation whose avis is sent on `envoi`.
/// Appel d'offres ouvert: 35 days, 30 when offers are received electronically, 15 after a
/// préinformation or in justified urgency (R2161-2, R2161-3), the sending day not counted and
/// a last day falling on a Saturday, Sunday or holiday moved to the next jour ouvré (as the
/// consultation's calendar does). Procédure adaptée: no minimum, a reasonable delay (R2151-1).
///
/// # Errors
/// A French message for an unknown procedure or a date no parameter covers.
pub fn offres(
    envoi: NaiveDate,
    procedure: &str,
    electronique: bool,
    preinformation: bool,
    urgence: bool,
) -> Result<Value, String> {
    match procedure.trim() {
        "aoo" | "appel_offres_ouvert" => {
            let (days, reason) = aoo_min_offer_days(envoi, electronique, preinformation, urgence)
                .map_err(|e| e.to_string())?;
            let raw = calendar::add_calendar_days(envoi, i64::from(days));
            let date = calendar::roll_forward(raw);
            Ok(json!({
                "date": date.to_string(),
                "date_fr": calendar::french_date_with_weekday(date),
                "envoi": envoi.to_string(),
                "procedure": "aoo",
                "jours": days,
                "report": (date != raw).then(|| json!({
                    "de": raw.to_string(),
                    "motif": why_not_worked(raw),
                })),
                "regle": format!(
                    "{reason} Avis envoyé le {} : date limite de réception des offres au plus tôt le {}{}.",
                    calendar::french_date(envoi),
                    calendar::french_date(date),
                    if date == raw {
                        String::new()
                    } else {
                        format!(" (le {} n'est pas un jour ouvré)", calendar::french_date(raw))
                    }
                ),
                "article": if urgence || preinformation || electronique { "R2161-3" } else { "R2161-2" },
            }))
        }
        "mapa" | "procedure_adaptee" => Ok(json!({
            "date": null,
            "envoi": envoi.to_string(),
            "procedure": "mapa",
            "jours": null,
            "regle": "Procédure adaptée : pas de délai minimal réglementaire ; l'acheteur fixe un délai raisonnable au regard de la complexité du marché et du temps nécessaire pour préparer les offres, compté à partir de la publication de l'avis.",
            "article": "R2151-1",
        })),
        other => Err(format!(
            "--procedure « {other} » inconnue : indiquez {PROCEDURES}"
        )),
    }
}

/// The last day to send the additional information asked by candidates (answers to
/// questions) before an offers deadline on `remise`: 6 days before, 4 in urgency (R2132-6),
/// moved back to the previous jour ouvré (acting earlier stays compliant).
///
/// # Errors
/// A French message when no parameter covers the date.
pub fn reponses_questions(remise: NaiveDate, urgence: bool) -> Result<Value, String> {
    let p = if urgence {
        params::ANSWERS_DAYS_URGENCY.at(remise)
    } else {
        params::ANSWERS_DAYS.at(remise)
    }
    .map_err(|e| e.to_string())?;
    let raw = calendar::add_calendar_days(remise, -i64::from(p.value));
    let date = calendar::roll_backward(raw);
    Ok(json!({
        "date": date.to_string(),
        "date_fr": calendar::french_date_with_weekday(date),
        "remise": remise.to_string(),
        "jours": p.value,
        "regle": format!(
            "renseignements complémentaires envoyés à tous les candidats au plus tard {} jours avant la date limite de réception des offres du {}{} : le {}{}",
            p.value,
            calendar::french_date(remise),
            if urgence { " (urgence)" } else { "" },
            calendar::french_date(date),
            if date == raw {
                String::new()
            } else {
                format!(" ({} tombe un jour non ouvré : la veille ouvrée)", calendar::french_date(raw))
            }
        ),
        "article": p.legal_basis,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn jours_ouvres_skip_weekends_and_holidays_and_say_why() {
        // Wednesday 13 May 2026 + 2 jours ouvrés: Thursday 14 is Ascension, Friday 15 counts,
        // then the weekend, Monday 18.
        let v = jours_ouvres(d("2026-05-13"), 2);
        assert_eq!(v["date"], "2026-05-18");
        let skipped = v["jours_exclus"].as_array().expect("list");
        assert_eq!(skipped[0]["date"], "2026-05-14");
        assert_eq!(skipped[0]["motif"], "Ascension");
        assert_eq!(skipped.len(), 3);
        assert_eq!(jours_ouvres(d("2026-05-13"), 0)["date"], "2026-05-13");
    }

    #[test]
    fn a_convocation_leaves_whole_days_before_the_seance() {
        // Séance Tuesday 12 January 2027, 5 jours francs: sent at the latest Wednesday 6
        // (7, 8, 9, 10, 11 are the five days).
        let v = convocation_cao(d("2027-01-12"), 5);
        assert_eq!(v["date"], "2027-01-06");
        // The delay's last day (Monday 11) is a working day: no extension.
        assert_eq!(v["date_avec_prorogation"], "2027-01-06");
        // Séance Monday 11 January 2027: sent Tuesday 5 → the delay ends Sunday 10, extended
        // to Monday 11, so the séance could not be held that day; sent Monday 4, the delay ends
        // Saturday 9, extended to Monday 11 too: Sunday 3 at the latest.
        let v = convocation_cao(d("2027-01-11"), 5);
        assert_eq!(v["date"], "2027-01-05");
        assert_eq!(v["date_avec_prorogation"], "2027-01-03");
    }

    #[test]
    fn bad_dates_and_counts_are_refused_in_french() {
        assert!(
            parse_date("depuis", "14/05/2027")
                .unwrap_err()
                .contains("AAAA-MM-JJ")
        );
        assert!(parse_date("depuis", "2027-02-30").is_err());
        assert!(parse_count("jours", "-1").unwrap_err().contains("négatif"));
        assert!(
            parse_count("jours", "dix")
                .unwrap_err()
                .contains("nombre entier")
        );
        assert!(
            parse_count("jours", "99999")
                .unwrap_err()
                .contains("trop grand")
        );
        assert_eq!(parse_count("jours", " 7 "), Ok(7));
    }

    #[test]
    fn minimum_offer_delay_per_procedure() {
        // Avis sent Tuesday 1 December 2026: +30 electronic = Thursday 31 December.
        let v = offres(d("2026-12-01"), "aoo", true, false, false).expect("aoo");
        assert_eq!(v["date"], "2026-12-31");
        assert_eq!(v["jours"], 30);
        assert_eq!(v["article"], "R2161-3");
        assert!(v["report"].is_null());
        // +35 paper = Tuesday 5 January 2027.
        let v = offres(d("2026-12-01"), "aoo", false, false, false).expect("aoo");
        assert_eq!(v["date"], "2027-01-05");
        assert_eq!(v["article"], "R2161-2");
        // Sent Wednesday 26 November 2025, +30 = Friday 26 December (a working day); sent
        // Tuesday 25 November 2025, +30 = Thursday 25 December (Noël) → Friday 26.
        let v = offres(d("2025-11-25"), "aoo", true, false, false).expect("aoo");
        assert_eq!(v["date"], "2025-12-26");
        assert_eq!(v["report"]["de"], "2025-12-25");
        assert_eq!(v["report"]["motif"], "Noël");
        // Urgency: 15 days.
        assert_eq!(
            offres(d("2026-12-01"), "aoo", true, false, true).expect("aoo")["jours"],
            15
        );
        let v = offres(d("2026-12-01"), "mapa", true, false, false).expect("mapa");
        assert!(v["date"].is_null());
        assert!(v["regle"].as_str().expect("rule").contains("raisonnable"));
        assert!(
            offres(d("2026-12-01"), "restreint", true, false, false)
                .unwrap_err()
                .contains("inconnue")
        );
    }

    #[test]
    fn answers_to_questions_before_the_deadline() {
        // Deadline Friday 15 January 2027: 6 days before is Saturday 9 → Friday 8.
        let v = reponses_questions(d("2027-01-15"), false).expect("answers");
        assert_eq!(v["date"], "2027-01-08");
        assert_eq!(v["article"], "R2132-6");
        // Urgency, 4 days: Monday 11 January.
        assert_eq!(
            reponses_questions(d("2027-01-15"), true).expect("answers")["date"],
            "2027-01-11"
        );
    }

    #[test]
    fn standstill_avis_and_decp_dates() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        // Sent Friday 5 February 2027 electronically: day 11 is Monday 15, signature Tuesday 16.
        let v = suspension(d(2027, 2, 5), true).expect("standstill");
        assert_eq!(v["dernier_jour_de_suspension"], "2027-02-15");
        assert_eq!(v["date"], "2027-02-16");
        assert_eq!(v["article"], "R2182-1 al. 1");
        let v = suspension(d(2027, 2, 5), false).expect("standstill");
        assert_eq!(v["date"], "2027-02-21");
        assert_eq!(
            avis_attribution(d(2027, 3, 1)).expect("avis")["date"],
            "2027-03-31"
        );
        // Two months, end of month kept by chrono: 31 December → 28 February.
        let v = donnees_essentielles(d(2026, 12, 31)).expect("decp");
        assert_eq!(v["date"], "2027-02-28");
        assert_eq!(v["article"], "R2196-1");
    }
}
