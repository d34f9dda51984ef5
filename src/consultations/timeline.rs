//! The timeline picture of a consultation: an SVG Gantt of its phases and legal deadlines, on
//! a dated axis (a tick per month), today marked. Texts live in the label column and on the
//! axis, never on the bars, so they cannot overlap (`labels`, tested). Pure string building;
//! every text is escaped.

use super::rules::deadlines::ConsultationCalendar;
use chrono::{Datelike, Months, NaiveDate};
use std::fmt::Write as _;

/// One dated milestone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Milestone {
    pub label: &'static str,
    pub date: NaiveDate,
}

/// The milestones known for a consultation, in date order.
#[must_use]
pub fn milestones(launch: Option<NaiveDate>, cal: Option<&ConsultationCalendar>) -> Vec<Milestone> {
    let mut m = Vec::new();
    if let Some(d) = launch {
        m.push(Milestone {
            label: "Envoi de l'avis",
            date: d,
        });
    }
    if let Some(c) = cal {
        let mut add = |label, date: Option<NaiveDate>| {
            if let Some(date) = date {
                m.push(Milestone { label, date });
            }
        };
        add("Délai minimal des offres", c.earliest_offers_date);
        add("Réponses aux questions", c.answers_deadline);
        add(
            "Remise des offres",
            c.offers_deadline.map(|d| d.date_naive()),
        );
        add("Fin du délai de suspension", c.standstill_last_day);
        add("Signature possible", c.earliest_signature);
        add("Avis d'attribution", c.avis_attribution_due);
        add("Données essentielles", c.decp_due);
        add("Fin de validité des offres", c.offers_valid_until);
    }
    m.sort_by_key(|x| x.date);
    m
}

/// Width of the picture, of the label column and of the right margin (px).
const WIDTH: f64 = 960.0;
const LABELS: f64 = 250.0;
const MARGIN: f64 = 16.0;
/// Height of the date axis above the rows and of a row (px).
const AXIS: f64 = 40.0;
const ROW: f64 = 34.0;
/// Width of a character at font-size 12 in a sans-serif face, rounded up, to place labels.
const CHAR: f64 = 7.0;

const SHORT_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// A text placed in the picture, with the box it covers (estimated from its length).
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub text: String,
    pub x: f64,
    /// Baseline.
    pub y: f64,
    /// Whether `x` is the end of the text (`text-anchor="end"`) rather than its start.
    pub end_anchored: bool,
    pub size: f64,
    pub bold: bool,
    pub color: &'static str,
}

impl Label {
    /// Left and right edges of the text.
    #[must_use]
    pub fn span(&self) -> (f64, f64) {
        let w = self.text.chars().count() as f64 * CHAR * self.size / 12.0;
        if self.end_anchored {
            (self.x - w, self.x)
        } else {
            (self.x, self.x + w)
        }
    }

    /// Top and bottom edges of the text.
    #[must_use]
    pub fn band(&self) -> (f64, f64) {
        (self.y - self.size, self.y + 3.0)
    }
}

/// Where everything goes: the time scale, the texts, the bars.
struct Layout {
    start: NaiveDate,
    end: NaiveDate,
}

impl Layout {
    fn new(milestones: &[Milestone], today: NaiveDate) -> Option<Self> {
        let first = milestones.first()?.date.min(today);
        let last = milestones.last()?.date.max(today);
        // Whole months, so the axis starts and ends on a tick.
        let start = first.with_day(1)?;
        let end = last.with_day(1)?.checked_add_months(Months::new(1))?;
        Some(Self { start, end })
    }

    fn x(&self, d: NaiveDate) -> f64 {
        let span = (self.end - self.start).num_days().max(1) as f64;
        LABELS + (WIDTH - LABELS - MARGIN) * ((d - self.start).num_days() as f64) / span
    }

    fn row_top(i: usize) -> f64 {
        AXIS + ROW * i as f64
    }

    fn height(rows: usize) -> f64 {
        AXIS + ROW * rows as f64 + 8.0
    }

    /// The first day of each month shown.
    fn months(&self) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut m = self.start;
        while m <= self.end {
            out.push(m);
            match m.checked_add_months(Months::new(1)) {
                Some(n) => m = n,
                None => break,
            }
        }
        out
    }
}

/// Every text of the picture: month names on the axis (one skipped when it would touch the
/// previous one), « aujourd'hui » under them, and each milestone's name and date in the label
/// column, so no text ever lies on a bar or on another text.
#[must_use]
pub fn labels(milestones: &[Milestone], today: NaiveDate) -> Vec<Label> {
    let Some(l) = Layout::new(milestones, today) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut last_right = f64::MIN;
    for m in l.months() {
        let text = format!("{} {}", SHORT_MONTHS[m.month0() as usize], m.year());
        let label = Label {
            text,
            x: l.x(m) + 3.0,
            y: 14.0,
            end_anchored: false,
            size: 11.0,
            bold: false,
            color: "#3a3a3a",
        };
        let (left, right) = label.span();
        if left >= last_right + 6.0 && right <= WIDTH {
            last_right = right;
            out.push(label);
        }
    }
    if today >= l.start && today <= l.end {
        let text = format!("aujourd'hui, {}", crate::calendar::french_date(today));
        let tx = l.x(today);
        let mut label = Label {
            text,
            x: tx + 4.0,
            y: 31.0,
            end_anchored: false,
            size: 11.0,
            bold: true,
            color: "#c9191e",
        };
        if label.span().1 > WIDTH {
            label.x = tx - 4.0;
            label.end_anchored = true;
        }
        out.push(label);
    }
    for (i, m) in milestones.iter().enumerate() {
        let top = Layout::row_top(i);
        out.push(Label {
            text: m.label.to_owned(),
            x: 0.0,
            y: top + 13.0,
            end_anchored: false,
            size: 12.0,
            bold: true,
            color: "#161616",
        });
        out.push(Label {
            text: crate::calendar::french_date_with_weekday(m.date),
            x: 0.0,
            y: top + 27.0,
            end_anchored: false,
            size: 11.0,
            bold: false,
            color: "#3a3a3a",
        });
    }
    out
}

/// Renders the SVG (960 px wide, scaled down by the page when narrower): a date axis with a
/// tick at each month, one row per milestone with the phase leading to it as a bar and the day
/// itself as a diamond (grey once past), and a red line for today.
#[must_use]
pub fn svg(milestones: &[Milestone], today: NaiveDate) -> String {
    let Some(l) = Layout::new(milestones, today) else {
        return String::new();
    };
    let height = Layout::height(milestones.len());
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{height:.0}" viewBox="0 0 {WIDTH:.0} {height:.0}" role="img" aria-label="Calendrier de la consultation" font-family="sans-serif" font-size="12">"##
    );
    // Rows, alternately shaded, then month gridlines over them.
    for i in 0..milestones.len() {
        if i % 2 == 0 {
            let _ = write!(
                out,
                r##"<rect x="0" y="{y:.1}" width="{WIDTH:.0}" height="{ROW:.0}" fill="#f6f6f6"/>"##,
                y = Layout::row_top(i),
            );
        }
    }
    for m in l.months() {
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" y1="18" x2="{x:.1}" y2="{h:.1}" stroke="#cecece" stroke-width="1"/>"##,
            x = l.x(m),
            h = height - 8.0,
        );
    }
    for (i, m) in milestones.iter().enumerate() {
        let mid = Layout::row_top(i) + ROW / 2.0;
        let xd = l.x(m.date);
        let past = m.date < today;
        let color = if past { "#929292" } else { "#000091" };
        if let Some(prev) = i.checked_sub(1).and_then(|p| milestones.get(p)) {
            let x0 = l.x(prev.date);
            if xd > x0 {
                let _ = write!(
                    out,
                    r##"<rect x="{x0:.1}" y="{y:.1}" width="{w:.1}" height="8" fill="{color}" fill-opacity="0.25" rx="2"/>"##,
                    y = mid - 4.0,
                    w = xd - x0,
                );
            }
        }
        let _ = write!(
            out,
            r##"<path d="M{xd:.1} {t:.1} L{r:.1} {mid:.1} L{xd:.1} {b:.1} L{lft:.1} {mid:.1} Z" fill="{color}"><title>{label} : {date}</title></path>"##,
            t = mid - 7.0,
            b = mid + 7.0,
            r = xd + 7.0,
            lft = xd - 7.0,
            label = handlebars::html_escape(m.label),
            date = crate::calendar::french_date(m.date),
        );
    }
    if today >= l.start && today <= l.end {
        let _ = write!(
            out,
            r##"<line x1="{tx:.1}" y1="20" x2="{tx:.1}" y2="{h:.1}" stroke="#c9191e" stroke-width="2"/>"##,
            tx = l.x(today),
            h = height - 8.0,
        );
    }
    for t in labels(milestones, today) {
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{y:.1}" font-size="{size:.0}"{anchor}{weight} fill="{color}">{text}</text>"##,
            x = t.x,
            y = t.y,
            size = t.size,
            anchor = if t.end_anchored {
                r#" text-anchor="end""#
            } else {
                ""
            },
            weight = if t.bold { r#" font-weight="bold""# } else { "" },
            color = t.color,
            text = handlebars::html_escape(&t.text),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn the_svg_has_one_bar_per_milestone_and_today() {
        let ms = vec![
            Milestone {
                label: "Envoi de l'avis",
                date: d(2026, 12, 1),
            },
            Milestone {
                label: "Remise des offres",
                date: d(2027, 1, 15),
            },
        ];
        let s = svg(&ms, d(2026, 12, 20));
        assert!(s.starts_with("<svg"));
        // One diamond per milestone, one phase bar between them.
        assert_eq!(s.matches("<path").count(), 2);
        assert_eq!(s.matches("fill-opacity").count(), 1);
        // The axis names the months shown, December 2026 and January 2027 (the closing tick,
        // 1 February, has no room for its name).
        for m in ["déc. 2026", "janv. 2027"] {
            assert!(s.contains(m), "{m}");
        }
        assert!(!s.contains("nov. 2026"));
        assert!(s.contains("aujourd&#x27;hui") || s.contains("aujourd'hui"));
        assert!(s.contains("15 janvier 2027"));
        assert!(s.contains("Envoi de l&#x27;avis"), "labels are escaped");
    }

    fn demo_milestones() -> Vec<Milestone> {
        let dates = [
            ("Envoi de l'avis", d(2026, 12, 1)),
            ("Délai minimal des offres", d(2027, 1, 5)),
            ("Réponses aux questions", d(2027, 1, 9)),
            ("Remise des offres", d(2027, 1, 15)),
            ("Fin du délai de suspension", d(2027, 2, 26)),
            ("Signature possible", d(2027, 2, 27)),
            ("Avis d'attribution", d(2027, 3, 29)),
            ("Données essentielles", d(2027, 4, 27)),
            ("Fin de validité des offres", d(2027, 7, 15)),
        ];
        dates
            .into_iter()
            .map(|(label, date)| Milestone { label, date })
            .collect()
    }

    fn overlap(a: &Label, b: &Label) -> bool {
        let ((al, ar), (bl, br)) = (a.span(), b.span());
        let ((at, ab), (bt, bb)) = (a.band(), b.band());
        al < br && bl < ar && at < bb && bt < ab
    }

    #[test]
    fn no_two_texts_overlap_and_all_fit_whatever_today_is() {
        let ms = demo_milestones();
        for today in [
            d(2026, 11, 2),
            d(2026, 12, 20),
            d(2027, 7, 14),
            d(2027, 9, 30),
        ] {
            let ls = labels(&ms, today);
            assert!(ls.iter().any(|l| l.text.starts_with("aujourd'hui")));
            for (i, a) in ls.iter().enumerate() {
                let (left, right) = a.span();
                assert!(left >= 0.0 && right <= WIDTH, "{a:?} leaves the picture");
                if a.x < LABELS {
                    assert!(right <= LABELS, "{a:?} runs into the bars");
                }
                for b in &ls[i + 1..] {
                    assert!(!overlap(a, b), "{a:?} overlaps {b:?} (today {today})");
                }
            }
        }
    }

    #[test]
    fn a_long_span_skips_month_names_rather_than_crowding_them() {
        let ms = vec![
            Milestone {
                label: "Envoi de l'avis",
                date: d(2026, 1, 5),
            },
            Milestone {
                label: "Fin de validité des offres",
                date: d(2030, 12, 1),
            },
        ];
        let ls = labels(&ms, d(2026, 1, 5));
        let months = ls.iter().filter(|l| l.y < 20.0).count();
        assert!(months > 5 && months < 60, "{months} month names");
        for (i, a) in ls.iter().enumerate() {
            for b in &ls[i + 1..] {
                assert!(!overlap(a, b), "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn today_near_the_right_edge_is_written_to_the_left_of_its_line() {
        let ms = demo_milestones();
        let ls = labels(&ms, d(2027, 7, 30));
        let t = ls
            .iter()
            .find(|l| l.text.starts_with("aujourd'hui"))
            .expect("today");
        assert!(t.end_anchored);
        assert!(t.span().1 <= WIDTH);
    }

    #[test]
    fn nothing_to_draw_gives_an_empty_string() {
        assert!(svg(&[], d(2026, 1, 1)).is_empty());
    }
}
