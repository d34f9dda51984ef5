//! Tests of [`super::deadlines::compute`] with dates computed by hand.

use super::deadlines::*;
use super::procedure::ProcedureKind::{self, *};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}

fn at(y: i32, m: u32, day: u32, h: u32) -> NaiveDateTime {
    d(y, m, day).and_hms_opt(h, 0, 0).expect("test time")
}

fn codes(c: &ConsultationCalendar) -> Vec<&'static str> {
    c.warnings.iter().map(|w| w.code).collect()
}

/// The DUI software AOO of the seed groupement: avis sent Tuesday 1 December 2026.
fn dui(deadline: NaiveDateTime) -> DeadlineInput {
    DeadlineInput::new(
        AppelOffresOuvert,
        d(2026, 12, 1),
        dec!(350000),
        Some(deadline),
    )
}

#[test]
fn dui_aoo_calendar_without_warning() {
    let c = compute(&dui(at(2027, 1, 8, 12))).expect("valid");
    assert_eq!(c.min_offer_days, Some(30));
    // 1 Dec + 30 days = Thursday 31 Dec 2026, a working day.
    assert_eq!(c.earliest_offers_date, Some(d(2026, 12, 31)));
    assert_eq!(c.offer_delay_days, Some(38));
    // 8 Jan − 6 = Saturday 2 Jan → back over Friday 1 Jan (Jour de l'an) → Thursday 31 Dec.
    assert_eq!(c.answers_deadline, Some(d(2026, 12, 31)));
    assert_eq!(c.standstill_days, Some(11));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let v = serde_json::to_value(&c).expect("json");
    assert_eq!(v["offers_deadline"], "2027-01-08T12:00:00+01:00");
    assert_eq!(v["earliest_offers_date"], "2026-12-31");
}

#[test]
fn offers_deadline_too_early() {
    let c = compute(&dui(at(2026, 12, 30, 12))).expect("valid");
    assert_eq!(codes(&c), vec!["delai_offres_insuffisant"]);
    assert_eq!(
        c.warnings[0].message,
        "La date limite de réception des offres (30 décembre 2026 à 12 h 00) ne respecte pas le délai \
         minimal de 30 jours à compter de l'envoi de l'avis le 1er décembre 2026 : elle ne peut être \
         fixée avant le 31 décembre 2026 (R2161-2, R2161-3)."
    );
    let ok = compute(&dui(at(2026, 12, 31, 12))).expect("valid");
    assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
}

#[test]
fn paper_reception_35_days() {
    let mut input = dui(at(2027, 1, 4, 12));
    input.electronic_reception = false;
    let c = compute(&input).expect("valid");
    // 1 Dec + 35 = Tuesday 5 January 2027.
    assert_eq!(c.earliest_offers_date, Some(d(2027, 1, 5)));
    assert_eq!(codes(&c), vec!["delai_offres_insuffisant"]);
}

#[test]
fn minimum_date_rolls_forward_over_christmas() {
    // Sent Wednesday 25 Nov 2026 + 30 = Friday 25 Dec (Noël) → Monday 28 Dec.
    let input = DeadlineInput::new(
        AppelOffresOuvert,
        d(2026, 11, 25),
        dec!(350000),
        Some(at(2026, 12, 26, 12)),
    );
    let c = compute(&input).expect("valid");
    assert_eq!(c.earliest_offers_date, Some(d(2026, 12, 28)));
    assert_eq!(
        codes(&c),
        vec!["delai_offres_insuffisant", "date_limite_jour_non_ouvre"]
    );
    assert!(c.warnings[1].message.contains("tombe un samedi"));
    assert!(c.warnings[1].message.contains("le 28 décembre 2026"));
    let holiday = DeadlineInput::new(
        AppelOffresOuvert,
        d(2026, 11, 1),
        dec!(350000),
        Some(at(2026, 12, 25, 12)),
    );
    let c = compute(&holiday).expect("valid");
    assert_eq!(codes(&c), vec!["date_limite_jour_non_ouvre"]);
    assert!(c.warnings[0].message.contains("un jour férié (Noël)"));
}

#[test]
fn urgency_and_preinformation() {
    let mut input = dui(at(2026, 12, 16, 12));
    input.urgence = true;
    let c = compute(&input).expect("valid");
    assert_eq!(c.min_offer_days, Some(15));
    assert_eq!(c.earliest_offers_date, Some(d(2026, 12, 16)));
    // Urgency: answers 4 days before → Saturday 12 Dec → Friday 11 Dec.
    assert_eq!(c.answers_deadline, Some(d(2026, 12, 11)));
    assert!(c.warnings.is_empty());
    input.urgence = false;
    input.preinformation = true;
    let c = compute(&input).expect("valid");
    assert_eq!(c.min_offer_days, Some(15));
    assert_eq!(c.answers_deadline, Some(d(2026, 12, 10)));
}

#[test]
fn questions_deadline_r2132_6() {
    let mut input = dui(at(2027, 1, 8, 12));
    input.questions_deadline = Some(d(2026, 12, 31));
    assert!(compute(&input).expect("valid").warnings.is_empty());
    input.questions_deadline = Some(d(2027, 1, 4));
    let c = compute(&input).expect("valid");
    assert_eq!(codes(&c), vec!["questions_trop_tardives"]);
    assert_eq!(c.warnings[0].article, "R2132-6");
}

#[test]
fn standstill_daj_example_16_days() {
    // Sent Monday 28 Dec 2026 by post: 16 days, sending day = day 1 → expires Tuesday 12 Jan
    // 2027 in the evening, signature from Wednesday 13 Jan (CE 2 août 2011 n° 347526).
    let mut input = DeadlineInput::new(
        AppelOffresOuvert,
        d(2026, 11, 2),
        dec!(350000),
        Some(at(2026, 12, 18, 12)),
    );
    input.rejection_letters_sent = Some(d(2026, 12, 28));
    input.rejection_letters_electronic = false;
    input.signature_date = Some(d(2027, 1, 12));
    let c = compute(&input).expect("valid");
    assert_eq!(c.standstill_days, Some(16));
    assert_eq!(c.standstill_last_day, Some(d(2027, 1, 12)));
    assert_eq!(c.earliest_signature, Some(d(2027, 1, 13)));
    assert_eq!(codes(&c), vec!["signature_pendant_suspension"]);
    assert_eq!(
        c.warnings[0].message,
        "Signature le 12 janvier 2027 avant la fin du délai de suspension de 16 jours (notification \
         du rejet envoyée le 28 décembre 2026, hors voie électronique) : signature possible à compter \
         du 13 janvier 2027 (R2182-1)."
    );
    input.signature_date = Some(d(2027, 1, 13));
    assert!(compute(&input).expect("valid").warnings.is_empty());
}

#[test]
fn standstill_11_days_electronic_not_moved_on_sunday() {
    let mut input = DeadlineInput::new(
        AppelOffresOuvert,
        d(2026, 11, 2),
        dec!(350000),
        Some(at(2026, 12, 18, 12)),
    );
    input.rejection_letters_sent = Some(d(2026, 12, 28));
    let c = compute(&input).expect("valid");
    assert_eq!(c.standstill_last_day, Some(d(2027, 1, 7)));
    assert_eq!(c.earliest_signature, Some(d(2027, 1, 8)));
    // Sent Thursday 14 Jan 2027: last day Sunday 24 Jan, not moved; signature from Monday 25.
    input.rejection_letters_sent = Some(d(2027, 1, 14));
    let c = compute(&input).expect("valid");
    assert_eq!(c.standstill_last_day, Some(d(2027, 1, 24)));
    assert_eq!(c.earliest_signature, Some(d(2027, 1, 25)));
}

#[test]
fn signature_without_letters_and_single_tenderer() {
    let mut input = dui(at(2027, 1, 8, 12));
    input.signature_date = Some(d(2027, 2, 1));
    let c = compute(&input).expect("valid");
    assert_eq!(codes(&c), vec!["lettres_rejet_manquantes"]);
    input.single_tenderer = true;
    let c = compute(&input).expect("valid");
    assert_eq!(c.standstill_days, None);
    assert!(c.warnings.is_empty());
    assert!(c.notes.iter().any(|n| n.contains("R2182-2")));
}

#[test]
fn avis_attribution_30_days_after_signature() {
    let mut input = dui(at(2027, 1, 8, 12));
    input.rejection_letters_sent = Some(d(2027, 1, 20));
    input.signature_date = Some(d(2027, 2, 1));
    input.avis_attribution_sent = Some(d(2027, 3, 3));
    let c = compute(&input).expect("valid");
    // 1 Feb + 30 = 3 March 2027 (February has 28 days).
    assert_eq!(c.avis_attribution_due, Some(d(2027, 3, 3)));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    input.avis_attribution_sent = Some(d(2027, 3, 4));
    assert_eq!(
        codes(&compute(&input).expect("valid")),
        vec!["avis_attribution_tardif"]
    );
}

#[test]
fn decp_two_months_after_notification() {
    let mut input = dui(at(2027, 1, 8, 12));
    input.notification_date = Some(d(2027, 1, 15));
    assert_eq!(
        compute(&input).expect("valid").decp_due,
        Some(d(2027, 3, 15))
    );
    // End of month clamps: 31 Dec 2026 + 2 months = 28 Feb 2027.
    input.notification_date = Some(d(2026, 12, 31));
    assert_eq!(
        compute(&input).expect("valid").decp_due,
        Some(d(2027, 2, 28))
    );
    input.decp_published = Some(d(2027, 3, 1));
    assert_eq!(
        codes(&compute(&input).expect("valid")),
        vec!["decp_tardives"]
    );
    // Below 40 000 € HT: nothing due.
    input.amount_ht = dec!(39999.99);
    let c = compute(&input).expect("valid");
    assert_eq!(c.decp_due, None);
    assert!(c.warnings.is_empty());
}

#[test]
fn offers_validity_and_inconsistent_order() {
    let mut input = dui(at(2027, 1, 8, 12));
    input.offers_validity_days = Some(120);
    input.rejection_letters_sent = Some(d(2027, 4, 20));
    input.signature_date = Some(d(2027, 5, 10));
    input.notification_date = Some(d(2027, 5, 7));
    let c = compute(&input).expect("valid");
    assert_eq!(c.offers_valid_until, Some(d(2027, 5, 8)));
    assert_eq!(
        codes(&c),
        vec!["validite_offres_expiree", "notification_avant_signature"]
    );
    input.rejection_letters_sent = Some(d(2027, 1, 5));
    input.signature_date = Some(d(2027, 1, 7));
    input.notification_date = None;
    let c = compute(&input).expect("valid");
    assert_eq!(
        codes(&c),
        vec![
            "lettres_avant_remise",
            "signature_avant_remise",
            "signature_pendant_suspension"
        ]
    );
}

#[test]
fn mapa_runs_from_publication_without_standstill() {
    let mut input = DeadlineInput::new(
        ProcedureAdaptee,
        d(2026, 12, 1),
        dec!(83333.33),
        Some(at(2027, 1, 8, 12)),
    );
    input.publication_date = Some(d(2026, 12, 3));
    input.rejection_letters_sent = Some(d(2027, 1, 20));
    input.signature_date = Some(d(2027, 1, 21));
    input.notification_date = Some(d(2027, 1, 22));
    let c = compute(&input).expect("valid");
    assert_eq!(c.delay_start, d(2026, 12, 3));
    assert_eq!(c.offer_delay_days, Some(36));
    assert_eq!(c.min_offer_days, None);
    assert_eq!(c.earliest_offers_date, None);
    assert_eq!(c.standstill_days, None);
    assert_eq!(c.avis_attribution_due, None);
    assert_eq!(c.decp_due, Some(d(2027, 3, 22)));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(c.notes.iter().any(|n| n.contains("R2151-1")));
    input.publication_date = Some(d(2026, 11, 30));
    assert_eq!(
        codes(&compute(&input).expect("valid")),
        vec!["publication_avant_envoi"]
    );
}

#[test]
fn summer_deadline_and_missing_deadline() {
    let input = DeadlineInput::new(
        AppelOffresOuvert,
        d(2026, 6, 1),
        dec!(350000),
        Some(at(2026, 7, 10, 12)),
    );
    let c = compute(&input).expect("valid");
    let v = serde_json::to_value(&c).expect("json");
    assert_eq!(v["offers_deadline"], "2026-07-10T12:00:00+02:00");
    let none = DeadlineInput::new(AppelOffresOuvert, d(2026, 6, 1), dec!(350000), None);
    let c = compute(&none).expect("valid");
    assert_eq!(c.earliest_offers_date, Some(d(2026, 7, 1)));
    assert_eq!(c.answers_deadline, None);
    assert_eq!(c.offer_delay_days, None);
}

#[test]
fn out_of_range_launch_is_an_error() {
    let input = DeadlineInput::new(AppelOffresOuvert, d(2019, 3, 1), dec!(350000), None);
    assert!(
        compute(&input)
            .expect_err("before CCP")
            .to_string()
            .starts_with("Aucune valeur en vigueur")
    );
    let _: ProcedureKind = SansPubliciteNiMiseEnConcurrence;
}

#[test]
fn a_marche_specifique_counts_ten_days_from_the_invitation_and_has_no_standstill() {
    use crate::consultations::rules::technique::Technique;
    // Invitation sent Friday 4 December 2026 (the publication date of the marché spécifique).
    let mut input = dui(at(2026, 12, 14, 12));
    input.technique = Technique::Sad;
    input.publication_date = Some(d(2026, 12, 4));
    input.rejection_letters_sent = Some(d(2027, 1, 20));
    let c = compute(&input).expect("valid");
    assert_eq!(c.delay_start, d(2026, 12, 4));
    assert_eq!(c.min_offer_days, Some(10));
    // 4 Dec + 10 days = Monday 14 December: the boundary is allowed…
    assert_eq!(c.earliest_offers_date, Some(d(2026, 12, 14)));
    assert!(
        !codes(&c).contains(&"delai_offres_insuffisant"),
        "{:?}",
        c.warnings
    );
    assert_eq!(c.standstill_days, None);
    assert_eq!(c.earliest_signature, None);
    assert!(
        c.notes.iter().any(|n| n.contains("R2182-2")),
        "{:?}",
        c.notes
    );
    // …the day before is not, with the SAD's article.
    input.offers_deadline = Some(at(2026, 12, 11, 12));
    let c = compute(&input).expect("valid");
    let w = c
        .warnings
        .iter()
        .find(|w| w.code == "delai_offres_insuffisant")
        .expect("too short");
    assert_eq!(w.article, "R2162-50");
    assert!(
        w.message.contains("invitation à soumissionner"),
        "{}",
        w.message
    );
    // The same dates as an ordinary AOO break the 30 days of R2161-2.
    input.technique = Technique::Aucune;
    let c = compute(&input).expect("valid");
    assert_eq!(c.min_offer_days, Some(30));
    assert_eq!(c.standstill_days, Some(11));
}
