//! The timeline picture of a consultation: an SVG Gantt of its phases and legal deadlines,
//! today marked. Pure string building; every label is escaped.

use super::rules::deadlines::ConsultationCalendar;
use chrono::NaiveDate;
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

/// Renders the SVG (width 900 px), with a bar between consecutive milestones and a red line
/// for today when it falls in range.
#[must_use]
pub fn svg(milestones: &[Milestone], today: NaiveDate) -> String {
    let (Some(first), Some(last)) = (milestones.first(), milestones.last()) else {
        return String::new();
    };
    let start = first.date.min(today);
    let end = last.date.max(today);
    let span = (end - start).num_days().max(1) as f64;
    let (left, width) = (200.0_f64, 680.0_f64);
    let x = |d: NaiveDate| left + width * ((d - start).num_days() as f64) / span;
    let row_h = 22.0_f64;
    let height = 40.0 + row_h * milestones.len() as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="900" height="{height:.0}" viewBox="0 0 900 {height:.0}" role="img" aria-label="Calendrier de la consultation" font-family="sans-serif" font-size="12">"##
    );
    for (i, m) in milestones.iter().enumerate() {
        let y = 20.0 + row_h * i as f64;
        let x0 = x(m.date);
        let x1 = milestones
            .get(i + 1)
            .map_or(x0 + 4.0, |n| x(n.date).max(x0 + 4.0));
        let _ = write!(
            out,
            r##"<text x="0" y="{ty:.1}">{label}</text><rect x="{x0:.1}" y="{y:.1}" width="{w:.1}" height="14" fill="#6a6af4" rx="2"><title>{label} : {date}</title></rect><text x="{tx:.1}" y="{ty:.1}" fill="#333">{date}</text>"##,
            ty = y + 11.0,
            label = handlebars::html_escape(m.label),
            w = x1 - x0,
            date = crate::calendar::french_date(m.date),
            tx = (x1 + 4.0).min(820.0),
        );
    }
    if today >= start && today <= end {
        let tx = x(today);
        let _ = write!(
            out,
            r##"<line x1="{tx:.1}" y1="10" x2="{tx:.1}" y2="{h:.1}" stroke="#c9191e" stroke-width="2"/><text x="{lx:.1}" y="{h2:.1}" fill="#c9191e">aujourd'hui</text>"##,
            h = height - 12.0,
            lx = tx + 3.0,
            h2 = height - 2.0,
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
        assert_eq!(s.matches("<rect").count(), 2);
        assert!(s.contains("aujourd&#x27;hui") || s.contains("aujourd'hui"));
        assert!(s.contains("15 janvier 2027"));
        assert!(s.contains("Envoi de l&#x27;avis"), "labels are escaped");
    }

    #[test]
    fn nothing_to_draw_gives_an_empty_string() {
        assert!(svg(&[], d(2026, 1, 1)).is_empty());
    }
}
