//! Convocation delay of a séance of the CAO.
//!
//! L1411-5 sets no convocation delay; the old CMP (art. 25) required 5 jours francs and the
//! groupement fixes its own in the règlement intérieur: configurable, default 5 jours francs
//! (DOMAIN Part B §3.2). All members, titulaires and suppléants, must be convened.
//!
//! Counting (practice, art. 641 and 642 du code de procédure civile by analogy):
//! - jours francs count calendar days, excluding the day of sending and the day of the séance;
//! - the delay runs from the day after sending; if its last day falls on a Saturday, Sunday or
//!   public holiday, it is extended to the next working day;
//! - the séance may be held from the day after the (possibly extended) last day.

use chrono::{Days, NaiveDate};

use crate::calendar::{french_date_with_weekday, holiday_name, jours_francs_between, roll_forward};

/// Default minimum delay, in jours francs (old CMP art. 25; practice).
pub const DEFAULT_CONVOCATION_JOURS_FRANCS: u32 = 5;

/// Last day of the delay, extended to the next working day when it falls on a Saturday, Sunday or
/// holiday (art. 642 CPC by analogy). `None` when the delay is zero.
pub fn convocation_delay_end(sent: NaiveDate, min_jours_francs: u32) -> Option<NaiveDate> {
    if min_jours_francs == 0 {
        return None;
    }
    let last = sent.checked_add_days(Days::new(u64::from(min_jours_francs)))?;
    Some(roll_forward(last))
}

/// The last day on which the convocation may be sent for a séance on `seance`, the delay of
/// `min_jours_francs` extended when its end falls on a Saturday, Sunday or holiday (art. 642
/// CPC by analogy), as [`convocation_warning`] checks it.
pub fn last_sending_day(seance: NaiveDate, min_jours_francs: u32) -> NaiveDate {
    let mut day = seance - chrono::Duration::days(i64::from(min_jours_francs) + 1);
    while earliest_seance(day, min_jours_francs) > seance {
        day -= chrono::Duration::days(1);
    }
    day
}

/// First date on which the séance may be held for a convocation sent on `sent`.
pub fn earliest_seance(sent: NaiveDate, min_jours_francs: u32) -> NaiveDate {
    match convocation_delay_end(sent, min_jours_francs) {
        Some(end) => end.succ_opt().unwrap_or(end),
        None => sent,
    }
}

/// Warning (French) when the convocation sent on `sent` does not respect `min_jours_francs`
/// jours francs before the séance of `seance`, extension of art. 642 CPC (by analogy) included.
pub fn convocation_warning(
    sent: NaiveDate,
    seance: NaiveDate,
    min_jours_francs: u32,
) -> Option<String> {
    if seance < sent {
        return Some(format!(
            "La séance du {} est antérieure à l'envoi de la convocation le {} : vérifiez les dates.",
            french_date_with_weekday(seance),
            french_date_with_weekday(sent)
        ));
    }
    let end = convocation_delay_end(sent, min_jours_francs)?;
    if seance > end {
        return None;
    }
    let counted = jours_francs_between(sent, seance);
    let last = sent
        .checked_add_days(Days::new(u64::from(min_jours_francs)))
        .unwrap_or(end);
    let head = format!(
        "Convocation envoyée le {} pour la séance du {}",
        french_date_with_weekday(sent),
        french_date_with_weekday(seance)
    );
    let body = if end != last {
        let why = match holiday_name(last) {
            Some(name) => format!("jour férié ({name})"),
            None => "jour de fin de semaine".to_string(),
        };
        format!(
            "le délai de {min_jours_francs} jours francs expirerait le {}, {why} ; il est prorogé \
             jusqu'au {} inclus (article 642 du code de procédure civile, par analogie)",
            french_date_with_weekday(last),
            french_date_with_weekday(end)
        )
    } else {
        format!(
            "{counted} jour(s) franc(s) seulement, alors que le délai fixé est de \
             {min_jours_francs} jours francs"
        )
    };
    Some(format!(
        "{head} : {body}. La séance ne peut se tenir avant le {} ; convoquez à nouveau tous les \
         membres, titulaires et suppléants, ou déplacez la séance.",
        french_date_with_weekday(earliest_seance(sent, min_jours_francs)),
    ))
}

/// A convocation sent too late for the delay fixed by the groupement's règlement intérieur:
/// what the procès-verbal of the séance states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub sent: NaiveDate,
    pub seance: NaiveDate,
    /// Jours francs between the sending and the séance (both excluded).
    pub given: i64,
    /// Jours francs required by the règlement intérieur.
    pub required: u32,
    /// The last day of the delay and the working day it is extended to, when it fell on a
    /// Saturday, Sunday or holiday (art. 642 CPC by analogy).
    pub extended: Option<(NaiveDate, NaiveDate)>,
    /// First day on which the séance could have been held.
    pub earliest: NaiveDate,
}

/// The shortfall of a convocation sent on `sent` for a séance held on `seance`, when the delay
/// of `min_jours_francs` jours francs (extension of art. 642 CPC included) was not respected;
/// `None` when it was, or when the dates are inverted (refused before the séance is held).
#[must_use]
pub fn convocation_shortfall(
    sent: NaiveDate,
    seance: NaiveDate,
    min_jours_francs: u32,
) -> Option<Shortfall> {
    if seance < sent {
        return None;
    }
    let end = convocation_delay_end(sent, min_jours_francs)?;
    if seance > end {
        return None;
    }
    let last = sent
        .checked_add_days(Days::new(u64::from(min_jours_francs)))
        .unwrap_or(end);
    Some(Shortfall {
        sent,
        seance,
        given: jours_francs_between(sent, seance),
        required: min_jours_francs,
        extended: (end != last).then_some((last, end)),
        earliest: earliest_seance(sent, min_jours_francs),
    })
}

impl Shortfall {
    /// The sentence of the procès-verbal (French), citing where the delay comes from: the
    /// règlement intérieur of the commission (L1411-5 CGCT sets none; the former art. 25 of the
    /// code des marchés publics required 5 jours francs) and art. 642 CPC for the extension.
    #[must_use]
    pub fn statement_fr(&self) -> String {
        let extension = self.extended.map_or_else(String::new, |(last, end)| {
            let why = match holiday_name(last) {
                Some(name) => format!("jour férié ({name})"),
                None => "jour de fin de semaine".to_owned(),
            };
            format!(
                " ; son dernier jour, le {}, étant un {why}, le délai était prorogé jusqu'au {} inclus (article 642 du code de procédure civile, par analogie)",
                french_date_with_weekday(last),
                french_date_with_weekday(end)
            )
        });
        format!(
            "La convocation a été adressée aux membres le {sent}, soit {given} jour(s) franc(s) avant la séance du {seance}, alors que le règlement intérieur de la commission fixe un délai de convocation de {required} jours francs (délai fixé par le groupement, l'article L1411-5 du code général des collectivités territoriales n'en prévoyant pas ; l'ancien article 25 du code des marchés publics prévoyait cinq jours francs){extension}. La séance ne pouvait se tenir avant le {earliest} : le délai de convocation n'a pas été respecté.",
            sent = french_date_with_weekday(self.sent),
            given = self.given,
            seance = french_date_with_weekday(self.seance),
            required = self.required,
            earliest = french_date_with_weekday(self.earliest),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cao::rules::composition::tests::date;

    #[test]
    fn plain_weekdays() {
        // Sent Mon 2 Mar 2026, 3 jours francs: Tue 3 .. Thu 5 Mar (a working day); séance from Fri 6.
        assert_eq!(
            convocation_warning(date(2026, 3, 2), date(2026, 3, 6), 3),
            None
        );
        let w = convocation_warning(date(2026, 3, 2), date(2026, 3, 5), 3).expect("too short");
        assert!(w.contains("2 jour(s) franc(s) seulement"));
        assert!(!w.contains("prorogé"));
    }

    #[test]
    fn last_day_on_saturday_is_extended_to_monday() {
        // Sent Mon 2 Mar 2026, 5 jours francs: Tue 3 .. Sat 7 Mar; Sat → Mon 9 Mar inclus.
        let sent = date(2026, 3, 2);
        assert_eq!(convocation_delay_end(sent, 5), Some(date(2026, 3, 9)));
        assert_eq!(earliest_seance(sent, 5), date(2026, 3, 10));
        // Séance Mon 9 Mar: 6 jours francs by plain count, but still inside the extended delay.
        assert_eq!(jours_francs_between(sent, date(2026, 3, 9)), 6);
        let w = convocation_warning(sent, date(2026, 3, 9), 5).expect("extended delay");
        assert!(w.contains("expirerait le samedi 7 mars 2026, jour de fin de semaine"));
        assert!(w.contains("article 642"));
        assert!(w.contains("avant le mardi 10 mars 2026"));
        assert_eq!(convocation_warning(sent, date(2026, 3, 10), 5), None);
    }

    #[test]
    fn last_day_on_a_holiday_is_extended() {
        // Sent Fri 6 Nov 2026, 5 jours francs: 7..11 Nov; Wed 11 Nov is a holiday → Thu 12 Nov.
        let sent = date(2026, 11, 6);
        assert_eq!(convocation_delay_end(sent, 5), Some(date(2026, 11, 12)));
        let w = convocation_warning(sent, date(2026, 11, 12), 5).expect("extended delay");
        assert!(w.contains("expirerait le mercredi 11 novembre 2026, jour férié (Armistice 1918)"));
        assert!(w.contains("prorogé jusqu'au jeudi 12 novembre 2026 inclus"));
        assert_eq!(convocation_warning(sent, date(2026, 11, 13), 5), None);
        // Sat 4 Apr 2026 → Sun 5 → Easter Monday 6 Apr (holiday) → Tue 7 Apr.
        assert_eq!(
            convocation_delay_end(date(2026, 3, 30), 5),
            Some(date(2026, 4, 7))
        );
        assert_eq!(earliest_seance(date(2026, 3, 30), 5), date(2026, 4, 8));
    }

    #[test]
    fn the_shortfall_is_stated_for_the_pv() {
        // Sent Mon 2 Mar 2026 for Thu 5 Mar, 5 jours francs required: 2 given.
        let f = convocation_shortfall(date(2026, 3, 2), date(2026, 3, 5), 5).expect("short");
        assert_eq!(f.given, 2);
        assert_eq!(f.required, 5);
        assert_eq!(f.earliest, date(2026, 3, 10));
        let t = f.statement_fr();
        assert!(
            t.contains(
                "le lundi 2 mars 2026, soit 2 jour(s) franc(s) avant la séance du jeudi 5 mars 2026"
            ),
            "{t}"
        );
        assert!(t.contains("délai de convocation de 5 jours francs"), "{t}");
        assert!(t.contains("règlement intérieur"), "{t}");
        assert!(t.contains("L1411-5"), "{t}");
        assert!(t.contains("avant le mardi 10 mars 2026"), "{t}");
        // Extended delay: 6 jours francs given, yet inside the extension to Monday 9 March.
        let f = convocation_shortfall(date(2026, 3, 2), date(2026, 3, 9), 5).expect("extended");
        assert_eq!(f.given, 6);
        assert_eq!(f.extended, Some((date(2026, 3, 7), date(2026, 3, 9))));
        assert!(f.statement_fr().contains("article 642"));
        // Respected, inverted or no delay: nothing to state.
        assert_eq!(
            convocation_shortfall(date(2026, 3, 2), date(2026, 3, 10), 5),
            None
        );
        assert_eq!(
            convocation_shortfall(date(2026, 3, 2), date(2026, 3, 1), 5),
            None
        );
        assert_eq!(
            convocation_shortfall(date(2026, 3, 2), date(2026, 3, 2), 0),
            None
        );
    }

    #[test]
    fn zero_delay_and_inverted_dates() {
        assert_eq!(
            convocation_warning(date(2026, 3, 2), date(2026, 3, 2), 0),
            None
        );
        assert_eq!(earliest_seance(date(2026, 3, 2), 0), date(2026, 3, 2));
        let w = convocation_warning(date(2026, 3, 2), date(2026, 3, 1), 5).expect("inverted");
        assert!(w.contains("antérieure"));
        assert!(
            convocation_warning(
                date(2026, 3, 2),
                date(2026, 3, 2),
                DEFAULT_CONVOCATION_JOURS_FRANCS
            )
            .is_some()
        );
    }
}
