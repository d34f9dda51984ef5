//! French typography, applied by the engine to every text it lays out (templates and user data
//! alike, inline code excepted):
//! - U+202F NARROW NO-BREAK SPACE before `;` `:` `?` `!` and inside « » (an ordinary or no-break
//!   space already there is replaced; a missing one is added when the mark ends a word);
//! - U+202F between the digit groups of an amount typed with ordinary spaces (« 350 000 »), as
//!   [`super::format`] writes them;
//! - U+00A0 NO-BREAK SPACE between a number and its unit (« € », « % », « HT », « km »…), after
//!   « n° », and inside a time « 12 h 00 », so that none of them is split across lines.
//!
//! Left alone: web and mail addresses (`https://…`, `www.…`, `x@y.fr`), times and ratios written
//! with a colon (`10:30`), identifiers (`urn:x`, `C:\`, `std::fmt`) — a mark followed by
//! anything but a space, a closing mark or the end is not punctuation.

use super::markdown::Span;

/// U+202F NARROW NO-BREAK SPACE.
pub const NNBSP: char = '\u{202F}';
/// U+00A0 NO-BREAK SPACE.
pub const NBSP: char = '\u{A0}';

/// Units that stay on the line of their number.
const UNITS: [&str; 20] = [
    "€", "%", "‰", "k€", "M€", "HT", "TTC", "h", "min", "km", "m", "m²", "m³", "cm", "mm", "kg",
    "Go", "Mo", "To", "°C",
];

#[derive(Clone, Copy)]
struct Ch {
    c: char,
    /// Index of the span the character belongs to.
    span: usize,
    /// Inside inline code or an address: never changed.
    locked: bool,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | NBSP | NNBSP)
}

/// `text` with French typography.
pub fn french(text: &str) -> String {
    if !needs_work(text) {
        return text.to_owned();
    }
    let v: Vec<Ch> = text
        .chars()
        .map(|c| Ch {
            c,
            span: 0,
            locked: false,
        })
        .collect();
    transform(v).into_iter().map(|ch| ch.c).collect()
}

/// Applies [`french`] to a paragraph's spans, looking across span boundaries (« **Objet** : »);
/// inline code and line breaks are left as they are.
pub fn french_spans(spans: &mut [Span]) {
    if !spans.iter().any(|s| !s.code && needs_work(&s.text)) {
        return;
    }
    let mut v = Vec::new();
    for (i, s) in spans.iter().enumerate() {
        let locked = s.code || s.line_break;
        v.extend(s.text.chars().map(|c| Ch { c, span: i, locked }));
    }
    let out = transform(v);
    for s in spans.iter_mut() {
        s.text.clear();
    }
    for ch in out {
        spans[ch.span].text.push(ch.c);
    }
}

/// Cheap test: only text with a mark, a guillemet, or a space after a digit, « € » or « n° »
/// can change.
fn needs_work(text: &str) -> bool {
    let b = text.as_bytes();
    text.contains([';', ':', '?', '!', '«', '»'])
        || b.windows(2).any(|w| w[0].is_ascii_digit() && w[1] == b' ')
        || text.contains("€ ")
        || text.contains("° ")
}

/// Locks every character of a token (a run without spaces) that is an address.
fn lock_addresses(v: &mut [Ch]) {
    let mut start = 0;
    while start < v.len() {
        let end = v[start..]
            .iter()
            .position(|ch| ch.c.is_whitespace())
            .map_or(v.len(), |p| start + p);
        let token: String = v[start..end].iter().map(|ch| ch.c).collect();
        if token.contains("://") || token.starts_with("www.") || token.contains('@') {
            for ch in &mut v[start..end] {
                ch.locked = true;
            }
        }
        start = end + 1;
    }
}

/// The word starting at `i` (letters, digits and unit signs) and the character after it.
fn word_at(v: &[Ch], i: usize) -> (String, Option<char>) {
    let mut w = String::new();
    let mut j = i;
    while let Some(ch) = v.get(j) {
        if ch.c.is_alphanumeric() || matches!(ch.c, '€' | '%' | '‰' | '°' | '²' | '³') {
            w.push(ch.c);
            j += 1;
        } else {
            break;
        }
    }
    (w, v.get(j).map(|ch| ch.c))
}

/// Digits run ending the output, when it is 1 to 3 digits not glued to a word (« 350 »).
fn ends_with_short_number(out: &[Ch]) -> bool {
    let n = out
        .iter()
        .rev()
        .take_while(|ch| ch.c.is_ascii_digit())
        .count();
    let before = out.len().checked_sub(n + 1).map(|k| out[k].c);
    (1..=3).contains(&n) && before.is_none_or(|c| !c.is_alphanumeric() && c != ',' && c != '.')
}

fn space_replacement(v: &[Ch], i: usize, out: &[Ch]) -> Option<char> {
    let prev = out.last().map(|ch| ch.c)?;
    let next = v.get(i + 1).map(|ch| ch.c)?;
    if prev.is_ascii_digit() && next.is_ascii_digit() {
        let group = v[i + 1..]
            .iter()
            .take_while(|ch| ch.c.is_ascii_digit())
            .count();
        if group == 3 && ends_with_short_number(out) {
            return Some(NNBSP);
        }
    }
    let (word, after) = word_at(v, i + 1);
    let word_ends = after.is_none_or(|c| !c.is_alphanumeric() && c != '\'' && c != '’');
    if prev.is_ascii_digit() && word_ends && UNITS.contains(&word.as_str()) {
        return Some(NBSP);
    }
    if prev == '€' && word_ends && (word == "HT" || word == "TTC") {
        return Some(NBSP);
    }
    let tail: String = out.iter().rev().take(3).map(|ch| ch.c).collect();
    // « n° 12 » and the minutes of « 12 h 00 » (tail is reversed).
    if next.is_alphanumeric() && (tail.starts_with("°n") || tail.starts_with("°N")) {
        return Some(NBSP);
    }
    if tail.starts_with(&format!("h{NBSP}"))
        && word.len() == 2
        && word.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(NBSP);
    }
    None
}

fn transform(mut v: Vec<Ch>) -> Vec<Ch> {
    lock_addresses(&mut v);
    let mut out: Vec<Ch> = Vec::with_capacity(v.len() + 8);
    let mut i = 0;
    while i < v.len() {
        let ch = v[i];
        if ch.locked {
            out.push(ch);
            i += 1;
            continue;
        }
        match ch.c {
            ';' | ':' | '?' | '!' => {
                let next = v.get(i + 1).map(|n| n.c);
                let ends = next.is_none_or(|n| {
                    n.is_whitespace() || matches!(n, '»' | ')' | ']' | '"' | '.' | ',' | '?' | '!')
                });
                match out.last().map(|p| (p.c, p.locked)) {
                    Some((p, false)) if is_space(p) => {
                        if let Some(last) = out.last_mut() {
                            last.c = NNBSP;
                        }
                    }
                    Some((p, false))
                        if ends && (p.is_alphanumeric() || matches!(p, ')' | '»' | '%' | '€')) =>
                    {
                        out.push(Ch { c: NNBSP, ..ch });
                    }
                    _ => {}
                }
                out.push(ch);
            }
            '«' => {
                out.push(ch);
                match v.get(i + 1) {
                    Some(n) if is_space(n.c) && !n.locked => {
                        out.push(Ch { c: NNBSP, ..*n });
                        i += 1;
                    }
                    Some(_) => out.push(Ch { c: NNBSP, ..ch }),
                    None => {}
                }
            }
            '»' => {
                match out.last().map(|p| (p.c, p.locked)) {
                    Some((p, false)) if is_space(p) => {
                        if let Some(last) = out.last_mut() {
                            last.c = NNBSP;
                        }
                    }
                    Some((p, _)) if p != '«' && p != NNBSP => out.push(Ch { c: NNBSP, ..ch }),
                    _ => {}
                }
                out.push(ch);
            }
            ' ' => {
                let c = space_replacement(&v, i, &out).unwrap_or(' ');
                out.push(Ch { c, ..ch });
            }
            _ => out.push(ch),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        s.replace(NNBSP, "⍽").replace(NBSP, "~")
    }

    fn f(s: &str) -> String {
        show(&french(s))
    }

    #[test]
    fn narrow_space_before_double_marks_replacing_or_adding() {
        assert_eq!(
            f("Objet : logiciel ; lot 1 ? Oui !"),
            "Objet⍽: logiciel⍽; lot 1⍽? Oui⍽!"
        );
        assert_eq!(
            f("Objet: logiciel; vraiment?"),
            "Objet⍽: logiciel⍽; vraiment⍽?"
        );
        assert_eq!(f("Quoi ?!"), "Quoi⍽?!");
        assert_eq!(f("Objet\u{A0}: x"), "Objet⍽: x");
    }

    #[test]
    fn guillemets_get_narrow_spaces_inside() {
        assert_eq!(f("« offre »"), "«⍽offre⍽»");
        assert_eq!(f("«offre»"), "«⍽offre⍽»");
        assert_eq!(f("«\u{A0}offre\u{A0}»"), "«⍽offre⍽»");
    }

    #[test]
    fn amounts_and_units_do_not_break() {
        assert_eq!(f("350 000 € HT"), "350⍽000~€~HT");
        assert_eq!(f("1 234 567,89 €"), "1⍽234⍽567,89~€");
        assert_eq!(f("40 % du prix"), "40~% du prix");
        assert_eq!(f("à 12 h 00 précises"), "à 12~h~00 précises");
        assert_eq!(f("lot n° 2"), "lot n°~2");
        assert_eq!(f("12 km et 3 kg"), "12~km et 3~kg");
        // Not units: words that start like one.
        assert_eq!(f("les 3 membres, 2 mois"), "les 3 membres, 2 mois");
    }

    #[test]
    fn urls_times_and_identifiers_are_left_alone() {
        for s in [
            "https://marches.example.fr/avis?id=3;x=4",
            "voir www.exemple.fr/a:b",
            "achats@ccas-wattrelos.fr",
            "10:30",
            "urn:isbn:123",
            "C:\\dossier",
            "std::fmt",
            "SIRET 81234567800013",
            "tél. 03 20 11 22 33",
            "GC-ESMS-2026-02",
        ] {
            assert_eq!(french(s), s, "{s}");
        }
        assert_eq!(
            f("Profil : https://marches.example.fr/x?y"),
            "Profil⍽: https://marches.example.fr/x?y"
        );
    }

    #[test]
    fn already_typeset_text_is_unchanged() {
        for s in ["Objet : « x » ; 350 000 € HT à 12 h 00 ?", "n° 3 : 40 %"] {
            let once = french(s);
            assert_eq!(french(&once), once);
        }
    }

    #[test]
    fn spans_are_read_across_their_boundaries_and_code_is_kept() {
        let span = |t: &str, bold: bool, code: bool| Span {
            text: t.into(),
            bold,
            code,
            ..Span::default()
        };
        let mut spans = vec![
            span("Objet", true, false),
            span(" : voir ", false, false),
            span("a ; b", false, true),
        ];
        french_spans(&mut spans);
        assert_eq!(spans[0].text, "Objet");
        assert_eq!(show(&spans[1].text), "⍽: voir ");
        assert_eq!(spans[2].text, "a ; b");
    }
}
