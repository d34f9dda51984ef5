//! French legal calendar: public holidays (metropolitan France), jours ouvrés, jours francs,
//! French date formatting and Europe/Paris date-times.
//!
//! Pure functions: "today" is always a parameter, never read from the clock.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Weekday,
};
use chrono_tz::Tz;

/// The legal time zone of every deadline in the product (heure de Paris).
pub const PARIS: chrono_tz::Tz = chrono_tz::Europe::Paris;

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

const WEEKDAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid calendar date")
}

/// Easter Sunday of the Gregorian calendar (anonymous Gregorian / Meeus–Jones–Butcher algorithm).
/// Basis of the movable holidays of Code du travail L3133-1 (lundi de Pâques, Ascension,
/// lundi de Pentecôte).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

/// The 11 public holidays (jours fériés) of metropolitan France, Code du travail L3133-1,
/// sorted by date, with their French names. Alsace-Moselle (Vendredi saint, 26 décembre) and
/// overseas departments (abolition de l'esclavage) are not included.
/// The lundi de Pentecôte stays a jour férié even where it is the journée de solidarité.
pub fn public_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let easter = easter_sunday(year);
    let mut days = vec![
        (ymd(year, 1, 1), "Jour de l'an"),
        (easter + Duration::days(1), "Lundi de Pâques"),
        (ymd(year, 5, 1), "Fête du Travail"),
        (ymd(year, 5, 8), "Victoire 1945"),
        (easter + Duration::days(39), "Ascension"),
        (easter + Duration::days(50), "Lundi de Pentecôte"),
        (ymd(year, 7, 14), "Fête nationale"),
        (ymd(year, 8, 15), "Assomption"),
        (ymd(year, 11, 1), "Toussaint"),
        (ymd(year, 11, 11), "Armistice 1918"),
        (ymd(year, 12, 25), "Noël"),
    ];
    days.sort_by_key(|(d, _)| *d);
    days
}

/// French name of the public holiday falling on `d`, if any (Code du travail L3133-1).
pub fn holiday_name(d: NaiveDate) -> Option<&'static str> {
    public_holidays(d.year())
        .into_iter()
        .find(|(h, _)| *h == d)
        .map(|(_, name)| name)
}

/// True when `d` is one of the 11 metropolitan public holidays (Code du travail L3133-1).
pub fn is_public_holiday(d: NaiveDate) -> bool {
    holiday_name(d).is_some()
}

/// Jour ouvré: Monday to Friday, not a public holiday.
pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(d)
}

/// The date `n` jours ouvrés after `d` (the day `d` itself is never counted).
/// `n = 0` returns `d` unchanged, even when `d` is not a working day.
/// Example: convention art. 8.1, COPIL minutes deemed approved 7 jours ouvrés after sending.
pub fn add_working_days(d: NaiveDate, n: u32) -> NaiveDate {
    let mut current = d;
    let mut remaining = n;
    while remaining > 0 {
        current = next_day(current);
        if is_working_day(current) {
            remaining -= 1;
        }
    }
    current
}

/// Number of jours ouvrés strictly after `from` up to and including `to`.
/// Negative (the opposite count) when `to` is before `from`; 0 when equal.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return -working_days_between(to, from);
    }
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| is_working_day(*d))
        .count() as i64
}

/// `d` itself when it is a jour ouvré, otherwise the next jour ouvré.
/// Practice for deadlines falling on a Saturday, Sunday or holiday (DOMAIN §4.1, sante-achat.info).
pub fn roll_forward(d: NaiveDate) -> NaiveDate {
    let mut current = d;
    while !is_working_day(current) {
        current = next_day(current);
    }
    current
}

/// `d` itself when it is a jour ouvré, otherwise the previous jour ouvré. Used for the latest date
/// by which the buyer must act (e.g. answers to questions, R2132-6): moving earlier stays compliant.
pub fn roll_backward(d: NaiveDate) -> NaiveDate {
    let mut current = d;
    while !is_working_day(current) {
        current = current.pred_opt().unwrap_or(NaiveDate::MIN);
    }
    current
}

/// Jours francs: whole days strictly between `sent` and `event` (neither the day of sending nor
/// the day of the event counts). 0 when `event` is not after `sent` + 1 day (including reversed dates).
pub fn jours_francs_between(sent: NaiveDate, event: NaiveDate) -> i64 {
    ((event - sent).num_days() - 1).max(0)
}

/// `d` plus `n` calendar days (negative `n` goes back); saturates at chrono's date limits.
pub fn add_calendar_days(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_add_signed(Duration::days(n))
        .unwrap_or(if n >= 0 {
            NaiveDate::MAX
        } else {
            NaiveDate::MIN
        })
}

/// French long date: "21 mars 2024", "1er avril 2026" (ordinal "1er" for the first of the month).
pub fn french_date(d: NaiveDate) -> String {
    let day = if d.day() == 1 {
        "1er".to_string()
    } else {
        d.day().to_string()
    };
    format!("{day} {} {}", MONTHS_FR[d.month0() as usize], d.year())
}

/// French date with the weekday: "mardi 1er décembre 2026".
pub fn french_date_with_weekday(d: NaiveDate) -> String {
    format!(
        "{} {}",
        WEEKDAYS_FR[d.weekday().num_days_from_monday() as usize],
        french_date(d)
    )
}

/// French date-time: "1er décembre 2026 à 12 h 00".
pub fn french_datetime(dt: &DateTime<Tz>) -> String {
    let local = dt.with_timezone(&PARIS);
    format!(
        "{} à {} h {:02}",
        french_date(local.date_naive()),
        chrono::Timelike::hour(&local),
        chrono::Timelike::minute(&local)
    )
}

/// « 11 h 02 »: the Paris time of day.
pub fn french_time(dt: &DateTime<Tz>) -> String {
    let local = dt.with_timezone(&PARIS);
    format!(
        "{} h {:02}",
        chrono::Timelike::hour(&local),
        chrono::Timelike::minute(&local)
    )
}

/// « 15 janvier 2027 à 12 h 00 min 29 s »: Paris time with its seconds.
pub fn french_datetime_with_seconds(dt: &DateTime<Tz>) -> String {
    let local = dt.with_timezone(&PARIS);
    format!(
        "{} à {} h {:02} min {:02} s",
        french_date(local.date_naive()),
        chrono::Timelike::hour(&local),
        chrono::Timelike::minute(&local),
        chrono::Timelike::second(&local)
    )
}

/// Paris date-time at `h:m`, or `None` when `h > 23` or `m > 59`.
/// DST: an hour that does not exist (spring forward, e.g. 02:30 on the last Sunday of March) is
/// moved one hour later (03:30 CEST); an ambiguous hour (fall back, last Sunday of October) takes
/// the earlier instant (summer time, CEST).
pub fn try_paris_datetime(d: NaiveDate, h: u32, m: u32) -> Option<DateTime<Tz>> {
    let naive = d.and_hms_opt(h, m, 0)?;
    Some(resolve_local(naive))
}

/// Paris date-time at `h:m` (see [`try_paris_datetime`] for DST handling).
/// Out-of-range values are clamped to 23 h / 59 min; validate user input with
/// [`try_paris_datetime`] first.
pub fn paris_datetime(d: NaiveDate, h: u32, m: u32) -> DateTime<Tz> {
    let naive = d
        .and_hms_opt(h.min(23), m.min(59), 0)
        .unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN));
    resolve_local(naive)
}

fn resolve_local(naive: NaiveDateTime) -> DateTime<Tz> {
    match PARIS.from_local_datetime(&naive) {
        LocalResult::Single(dt) => dt,
        LocalResult::Ambiguous(earliest, _) => earliest,
        LocalResult::None => {
            // In the spring gap: the wall clock jumps from 02:00 to 03:00.
            let shifted = naive + Duration::hours(1);
            match PARIS.from_local_datetime(&shifted) {
                LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) => dt,
                LocalResult::None => PARIS.from_utc_datetime(&naive),
            }
        }
    }
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(NaiveDate::MAX)
}

/// A Paris wall-clock instant (`AAAA-MM-JJTHH:MM[:SS]`, a space also accepted) in UTC.
///
/// # Errors
/// A French message naming the value.
pub fn parse_paris_instant(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let t = s.trim().replace(' ', "T");
    let naive = chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M"))
        .map_err(|_| {
            format!(
                "« {} » n'est pas une date et heure (AAAA-MM-JJTHH:MM, heure de Paris)",
                s.trim()
            )
        })?;
    let minute = paris_datetime(
        naive.date(),
        chrono::Timelike::hour(&naive),
        chrono::Timelike::minute(&naive),
    );
    Ok(
        (minute + chrono::Duration::seconds(i64::from(chrono::Timelike::second(&naive))))
            .with_timezone(&chrono::Utc),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Offset, Timelike};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    #[test]
    fn easter_2024_to_2030() {
        assert_eq!(easter_sunday(2024), d(2024, 3, 31));
        assert_eq!(easter_sunday(2025), d(2025, 4, 20));
        assert_eq!(easter_sunday(2026), d(2026, 4, 5));
        assert_eq!(easter_sunday(2027), d(2027, 3, 28));
        assert_eq!(easter_sunday(2028), d(2028, 4, 16));
        assert_eq!(easter_sunday(2029), d(2029, 4, 1));
        assert_eq!(easter_sunday(2030), d(2030, 4, 21));
        // Historic extremes of the algorithm.
        assert_eq!(easter_sunday(1818), d(1818, 3, 22));
        assert_eq!(easter_sunday(2038), d(2038, 4, 25));
    }

    #[test]
    fn movable_holidays_2026() {
        assert_eq!(holiday_name(d(2026, 4, 6)), Some("Lundi de Pâques"));
        assert_eq!(holiday_name(d(2026, 5, 14)), Some("Ascension"));
        assert_eq!(holiday_name(d(2026, 5, 25)), Some("Lundi de Pentecôte"));
        assert!(!is_public_holiday(d(2026, 4, 5))); // Easter Sunday itself is a Sunday, not listed
        assert!(!is_public_holiday(d(2026, 4, 3))); // Vendredi saint: Alsace-Moselle only
    }

    #[test]
    fn holidays_2025() {
        let expected = vec![
            (d(2025, 1, 1), "Jour de l'an"),
            (d(2025, 4, 21), "Lundi de Pâques"),
            (d(2025, 5, 1), "Fête du Travail"),
            (d(2025, 5, 8), "Victoire 1945"),
            (d(2025, 5, 29), "Ascension"),
            (d(2025, 6, 9), "Lundi de Pentecôte"),
            (d(2025, 7, 14), "Fête nationale"),
            (d(2025, 8, 15), "Assomption"),
            (d(2025, 11, 1), "Toussaint"),
            (d(2025, 11, 11), "Armistice 1918"),
            (d(2025, 12, 25), "Noël"),
        ];
        assert_eq!(public_holidays(2025), expected);
    }

    #[test]
    fn holidays_2026() {
        let dates: Vec<NaiveDate> = public_holidays(2026).into_iter().map(|(x, _)| x).collect();
        assert_eq!(
            dates,
            vec![
                d(2026, 1, 1),
                d(2026, 4, 6),
                d(2026, 5, 1),
                d(2026, 5, 8),
                d(2026, 5, 14),
                d(2026, 5, 25),
                d(2026, 7, 14),
                d(2026, 8, 15),
                d(2026, 11, 1),
                d(2026, 11, 11),
                d(2026, 12, 25),
            ]
        );
    }

    #[test]
    fn holidays_2027() {
        let dates: Vec<NaiveDate> = public_holidays(2027).into_iter().map(|(x, _)| x).collect();
        assert_eq!(
            dates,
            vec![
                d(2027, 1, 1),
                d(2027, 3, 29),
                d(2027, 5, 1),
                d(2027, 5, 6),
                d(2027, 5, 8),
                d(2027, 5, 17),
                d(2027, 7, 14),
                d(2027, 8, 15),
                d(2027, 11, 1),
                d(2027, 11, 11),
                d(2027, 12, 25),
            ]
        );
        assert_eq!(public_holidays(2027).len(), 11);
    }

    #[test]
    fn working_days_basics() {
        assert!(is_working_day(d(2026, 12, 1))); // Tuesday
        assert!(!is_working_day(d(2026, 12, 5))); // Saturday
        assert!(!is_working_day(d(2026, 12, 6))); // Sunday
        assert!(!is_working_day(d(2026, 12, 25))); // Noël, a Friday
        assert!(!is_working_day(d(2026, 5, 1))); // Friday holiday
    }

    #[test]
    fn add_working_days_across_weekend_and_holiday() {
        // Friday 3 April 2026 + 1 → skips Sat 4, Sun 5, Easter Monday 6 → Tuesday 7 April.
        assert_eq!(add_working_days(d(2026, 4, 3), 1), d(2026, 4, 7));
        // Convention art. 8.1: 7 jours ouvrés after Tuesday 12 May 2026:
        // 13, 15 (14 = Ascension), 18, 19, 20, 21, 22 → Friday 22 May.
        assert_eq!(add_working_days(d(2026, 5, 12), 7), d(2026, 5, 22));
        // Across Christmas 2026 (Friday) and New Year 2027 (Friday).
        assert_eq!(add_working_days(d(2026, 12, 24), 1), d(2026, 12, 28));
        assert_eq!(add_working_days(d(2026, 12, 31), 1), d(2027, 1, 4));
        assert_eq!(add_working_days(d(2026, 12, 5), 0), d(2026, 12, 5));
    }

    #[test]
    fn working_days_between_counts() {
        // Fri 3 Apr → Tue 7 Apr 2026: only the 7th.
        assert_eq!(working_days_between(d(2026, 4, 3), d(2026, 4, 7)), 1);
        assert_eq!(working_days_between(d(2026, 4, 7), d(2026, 4, 3)), -1);
        assert_eq!(working_days_between(d(2026, 4, 7), d(2026, 4, 7)), 0);
        // May 2026: 21 weekdays minus 1, 8, 14, 25 May = 17 working days.
        assert_eq!(working_days_between(d(2026, 4, 30), d(2026, 5, 31)), 17);
        // Consistency with add_working_days.
        let start = d(2026, 12, 18);
        for n in 0..40 {
            assert_eq!(
                working_days_between(start, add_working_days(start, n)),
                n as i64
            );
        }
    }

    #[test]
    fn roll_forward_cases() {
        assert_eq!(roll_forward(d(2026, 12, 1)), d(2026, 12, 1));
        assert_eq!(roll_forward(d(2026, 12, 5)), d(2026, 12, 7));
        // Sat 4 April 2026 → Mon 6 is Easter Monday → Tue 7.
        assert_eq!(roll_forward(d(2026, 4, 4)), d(2026, 4, 7));
        // Fri 25 Dec 2026 → Mon 28.
        assert_eq!(roll_forward(d(2026, 12, 25)), d(2026, 12, 28));
    }

    #[test]
    fn roll_backward_cases() {
        assert_eq!(roll_backward(d(2026, 12, 1)), d(2026, 12, 1));
        assert_eq!(roll_backward(d(2026, 12, 6)), d(2026, 12, 4));
        // Mon 6 April 2026 (Easter Monday) → Fri 3 April.
        assert_eq!(roll_backward(d(2026, 4, 6)), d(2026, 4, 3));
        // Fri 1 Jan 2027 → Thu 31 Dec 2026.
        assert_eq!(roll_backward(d(2027, 1, 1)), d(2026, 12, 31));
    }

    #[test]
    fn jours_francs() {
        // Sent on the 1st, meeting on the 7th: 2,3,4,5,6 = 5 jours francs.
        assert_eq!(jours_francs_between(d(2026, 12, 1), d(2026, 12, 7)), 5);
        assert_eq!(jours_francs_between(d(2026, 12, 1), d(2026, 12, 2)), 0);
        assert_eq!(jours_francs_between(d(2026, 12, 1), d(2026, 12, 1)), 0);
        assert_eq!(jours_francs_between(d(2026, 12, 7), d(2026, 12, 1)), 0);
        assert_eq!(jours_francs_between(d(2026, 12, 28), d(2027, 1, 12)), 14);
    }

    #[test]
    fn calendar_days() {
        assert_eq!(add_calendar_days(d(2026, 12, 1), 30), d(2026, 12, 31));
        assert_eq!(add_calendar_days(d(2026, 12, 1), 31), d(2027, 1, 1));
        assert_eq!(add_calendar_days(d(2026, 3, 1), -1), d(2026, 2, 28));
        assert_eq!(add_calendar_days(d(2028, 3, 1), -1), d(2028, 2, 29));
        assert_eq!(add_calendar_days(NaiveDate::MAX, 5), NaiveDate::MAX);
    }

    #[test]
    fn french_dates() {
        assert_eq!(french_date(d(2024, 3, 21)), "21 mars 2024");
        assert_eq!(french_date(d(2026, 4, 1)), "1er avril 2026");
        assert_eq!(french_date(d(2026, 8, 15)), "15 août 2026");
        assert_eq!(french_date(d(2026, 2, 2)), "2 février 2026");
        assert_eq!(french_date(d(2026, 12, 31)), "31 décembre 2026");
        assert_eq!(
            french_date_with_weekday(d(2026, 12, 1)),
            "mardi 1er décembre 2026"
        );
        assert_eq!(
            french_datetime(&paris_datetime(d(2027, 1, 8), 12, 0)),
            "8 janvier 2027 à 12 h 00"
        );
    }

    #[test]
    fn paris_winter_and_summer_offsets() {
        let winter = paris_datetime(d(2026, 12, 1), 12, 0);
        assert_eq!(winter.offset().fix().local_minus_utc(), 3600);
        assert_eq!(winter.naive_utc().hour(), 11);
        let summer = paris_datetime(d(2026, 7, 1), 12, 0);
        assert_eq!(summer.offset().fix().local_minus_utc(), 7200);
        assert_eq!(summer.naive_utc().hour(), 10);
    }

    #[test]
    fn paris_dst_days() {
        // Spring forward: Sunday 29 March 2026, 02:00 → 03:00.
        let gap = paris_datetime(d(2026, 3, 29), 2, 30);
        assert_eq!((gap.hour(), gap.minute()), (3, 30));
        assert_eq!(gap.offset().fix().local_minus_utc(), 7200);
        let before = paris_datetime(d(2026, 3, 29), 1, 30);
        assert_eq!(before.offset().fix().local_minus_utc(), 3600);
        // 01:30 CET and 03:30 CEST are one hour apart.
        assert_eq!((gap - before).num_minutes(), 60);
        // Fall back: Sunday 25 October 2026, 03:00 → 02:00; 02:30 is ambiguous → CEST.
        let amb = paris_datetime(d(2026, 10, 25), 2, 30);
        assert_eq!(amb.offset().fix().local_minus_utc(), 7200);
        assert_eq!(amb.naive_utc().hour(), 0);
        let after = paris_datetime(d(2026, 10, 25), 12, 0);
        assert_eq!(after.offset().fix().local_minus_utc(), 3600);
        // The DST day of October 2026 is 25 hours long.
        let midnight = paris_datetime(d(2026, 10, 25), 0, 0);
        let next_midnight = paris_datetime(d(2026, 10, 26), 0, 0);
        assert_eq!((next_midnight - midnight).num_hours(), 25);
        let m0 = paris_datetime(d(2026, 3, 29), 0, 0);
        let m1 = paris_datetime(d(2026, 3, 30), 0, 0);
        assert_eq!((m1 - m0).num_hours(), 23);
    }

    proptest::proptest! {
        #[test]
        fn working_day_arithmetic_is_consistent(offset in 0i64..4000, n in 0u32..60) {
            let start = add_calendar_days(d(2020, 1, 1), offset);
            let end = add_working_days(start, n);
            proptest::prop_assert_eq!(working_days_between(start, end), i64::from(n));
            if n > 0 {
                proptest::prop_assert!(is_working_day(end));
            }
            let rolled = roll_forward(start);
            proptest::prop_assert!(is_working_day(rolled) && rolled >= start);
            proptest::prop_assert!((rolled - start).num_days() <= 4);
            let back = roll_backward(start);
            proptest::prop_assert!(is_working_day(back) && back <= start);
        }

        #[test]
        fn easter_is_a_sunday_between_22_march_and_25_april(year in 1600i32..3000) {
            let e = easter_sunday(year);
            proptest::prop_assert_eq!(e.weekday(), Weekday::Sun);
            proptest::prop_assert!(e >= d(year, 3, 22) && e <= d(year, 4, 25));
            proptest::prop_assert_eq!(public_holidays(year).len(), 11);
        }
    }

    #[test]
    fn paris_out_of_range() {
        assert!(try_paris_datetime(d(2026, 12, 1), 24, 0).is_none());
        assert!(try_paris_datetime(d(2026, 12, 1), 12, 60).is_none());
        let clamped = paris_datetime(d(2026, 12, 1), 25, 75);
        assert_eq!((clamped.hour(), clamped.minute()), (23, 59));
    }
}
