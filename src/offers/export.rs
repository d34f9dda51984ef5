//! The scoring grid as CSV for spreadsheets: semicolon-separated, UTF-8 with BOM, French decimal
//! commas, CRLF line ends; a text cell starting with `=`, `+`, `-` or `@` is prefixed with an
//! apostrophe so that a spreadsheet never runs it as a formula.

use crate::scoring::{Criterion, ScoringResult, SubCriterion, format_points};
use rust_decimal::Decimal;

/// One line of excluded or ranked offer, as the CSV needs it.
pub struct Line<'a> {
    pub lot: &'a str,
    pub offer: &'a str,
    pub siret: &'a str,
    pub received: String,
    pub status: &'a str,
    pub price: Option<Decimal>,
}

fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn fr(d: Decimal) -> String {
    format_points(d).replace('.', ",")
}

/// The criteria in tree order (pre-order) with their label and weight.
#[must_use]
pub fn columns(criteria: &[Criterion]) -> Vec<(String, String)> {
    fn subs(list: &[SubCriterion], out: &mut Vec<(String, String)>) {
        for s in list {
            out.push((
                s.id.clone(),
                format!("{} ({} pts)", s.label, s.weight.normalize()),
            ));
            subs(&s.sub_criteria, out);
        }
    }
    let mut out = Vec::new();
    for c in criteria {
        out.push((
            c.id.clone(),
            format!("{} ({} pts)", c.label, c.weight.normalize()),
        ));
        subs(&c.sub_criteria, &mut out);
    }
    out
}

/// The header line.
#[must_use]
pub fn header(cols: &[(String, String)]) -> String {
    let mut h: Vec<String> = [
        "Lot",
        "Soumissionnaire",
        "SIRET",
        "Reçu le (heure de Paris)",
        "Statut",
        "Prix HT (€)",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    h.extend(cols.iter().map(|(_, l)| cell(l)));
    h.push("Total (points)".into());
    h.push("Rang".into());
    h.join(";")
}

/// One offer's line; `result` gives the points and rank of the admissible ones.
#[must_use]
pub fn line(l: &Line<'_>, cols: &[(String, String)], result: Option<&ScoringResult>) -> String {
    let mut v = vec![
        cell(l.lot),
        cell(l.offer),
        cell(l.siret),
        cell(&l.received),
        cell(l.status),
        l.price.map(fr).unwrap_or_default(),
    ];
    let points = result.and_then(|r| r.points.get(l.offer));
    for (id, _) in cols {
        v.push(
            points
                .and_then(|p| p.get(id))
                .map(|d| fr(*d))
                .unwrap_or_default(),
        );
    }
    let ranked = result.and_then(|r| r.ranking.iter().find(|x| x.offer == l.offer));
    v.push(ranked.map(|r| fr(r.total)).unwrap_or_default());
    v.push(ranked.map(|r| r.rank.to_string()).unwrap_or_default());
    v.join(";")
}

/// The whole file: BOM, header, lines, CRLF.
#[must_use]
pub fn file(header: &str, lines: &[String]) -> String {
    let mut s = String::from("\u{feff}");
    s.push_str(header);
    s.push_str("\r\n");
    for l in lines {
        s.push_str(l);
        s.push_str("\r\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn cells_are_quoted_and_defused() {
        assert_eq!(cell("A;B"), "\"A;B\"");
        assert_eq!(cell("dit \"X\""), "\"dit \"\"X\"\"\"");
        assert_eq!(cell("=SOMME(A1)"), "'=SOMME(A1)");
        assert_eq!(cell("ALPHA"), "ALPHA");
    }

    #[test]
    fn numbers_use_the_french_comma_with_two_decimals() {
        let l = Line {
            lot: "Lot 1",
            offer: "ALPHA",
            siret: "73282932000074",
            received: "14/01/2027 16:12".into(),
            status: "irrégulière",
            price: Some(dec!(268420)),
        };
        let cols = vec![("c1".to_owned(), "Prix (40 pts)".to_owned())];
        assert_eq!(
            line(&l, &cols, None),
            "Lot 1;ALPHA;73282932000074;14/01/2027 16:12;irrégulière;268420,00;;;"
        );
        let f = file(&header(&cols), &[line(&l, &cols, None)]);
        assert!(f.starts_with("\u{feff}Lot;Soumissionnaire;"));
        assert!(f.ends_with("\r\n"));
    }
}
