//! Page layout of every generated DOCX: A4 and margins, list definitions, running header with
//! the consultation reference (not on the title page of a pièce), footer « Page X / Y » with
//! PAGE and NUMPAGES fields, title page of the pièces, letterhead of letters, and the package
//! metadata (title, subject, author = the buyer).

use super::meta::DocMeta;
use super::ooxml::parts::{self, CoreProps, ListLevel};
use super::ooxml::{Body, PPr, RPr, Spacing};
use super::{format, typography};

/// A4 portrait, in twentieths of a point.
pub const PAGE_WIDTH: u32 = 11_906;
pub const PAGE_HEIGHT: u32 = 16_838;
/// 2 cm margins.
pub const MARGIN: i32 = 1_134;
/// Width available for text and tables.
pub const TEXT_WIDTH: usize = (PAGE_WIDTH as usize) - 2 * (MARGIN as usize);
/// Abstract numbering and numbering instance of bullet lists.
pub const BULLET_NUM: usize = 2;
/// Abstract numbering of ordered lists; each list gets its own instance (restarting at its start).
pub const ORDERED_ABSTRACT: usize = 3;
/// First instance id of ordered lists.
pub const FIRST_ORDERED_NUM: usize = 3;
/// Left indent per list level.
pub const LIST_INDENT: i32 = 567;

const GREY: &str = "595959";

fn bullet_levels() -> Vec<ListLevel> {
    (0..3)
        .map(|level| ListLevel {
            format: "bullet",
            text: ["•", "–", "▪"][level].to_owned(),
            indent: LIST_INDENT * (level as i32 + 1),
            hanging: 283,
        })
        .collect()
}

fn ordered_levels() -> Vec<ListLevel> {
    (0..3i32)
        .map(|level| {
            let (format, text) = match level {
                0 => ("decimal", format!("%{}.", level + 1)),
                1 => ("lowerLetter", format!("%{})", level + 1)),
                _ => ("lowerRoman", format!("%{}.", level + 1)),
            };
            ListLevel {
                format,
                text,
                indent: LIST_INDENT * (level + 1),
                hanging: 360,
            }
        })
        .collect()
}

/// `word/numbering.xml` with the bullet list and one instance per ordered list: `ordered` holds
/// (instance id, level, start) of each.
pub fn numbering(ordered: &[(usize, usize, usize)]) -> String {
    let mut nums = vec![(BULLET_NUM, BULLET_NUM, Vec::new())];
    for (id, level, start) in ordered {
        let starts = (0..3)
            .map(|l| if l == *level { *start } else { 1 })
            .collect();
        nums.push((*id, ORDERED_ABSTRACT, starts));
    }
    parts::numbering(
        &[
            (BULLET_NUM, bullet_levels()),
            (ORDERED_ABSTRACT, ordered_levels()),
        ],
        &nums,
    )
}

fn small() -> RPr<'static> {
    RPr {
        size: Some(16),
        color: Some(GREY),
        ..RPr::default()
    }
}

/// The running header of the content pages.
pub fn running_header(meta: &DocMeta) -> String {
    parts::header_footer("hdr", &running_line(meta))
}

/// The paragraph of the running header: consultation reference and title.
pub fn running_line(meta: &DocMeta) -> String {
    let text = format!("{} – {}", meta.reference, meta.title);
    let mut b = Body::default();
    b.para(
        &PPr {
            style: Some("Header"),
            jc: Some("right"),
            ..PPr::default()
        },
        &typography::french(&clean_text(&text)),
        &small(),
    );
    b.xml
}

/// The footer « Page X / Y ».
pub fn page_footer() -> String {
    parts::header_footer("ftr", &page_line())
}

/// The paragraph « Page X / Y » with its PAGE and NUMPAGES fields.
pub fn page_line() -> String {
    let mut b = Body::default();
    b.start_p(&PPr {
        style: Some("Footer"),
        jc: Some("center"),
        ..PPr::default()
    });
    b.run("Page ", &small());
    b.field("PAGE", "1", &small());
    b.run(" / ", &small());
    b.field("NUMPAGES", "1", &small());
    b.end_p();
    b.xml
}

/// An empty header or footer, for the title page.
pub fn empty_header_footer(tag: &str) -> String {
    let style = if tag == "hdr" { "Header" } else { "Footer" };
    let mut b = Body::default();
    b.para(
        &PPr {
            style: Some(style),
            ..PPr::default()
        },
        "",
        &RPr::default(),
    );
    parts::header_footer(tag, &b.xml)
}

/// Section properties: A4, margins, header/footer references; `title_page` gives the first
/// page its own (empty) header and footer (relationships `rIdH2`/`rIdF2`).
pub fn sect_pr(title_page: bool) -> String {
    let first = if title_page {
        r#"<w:headerReference w:type="first" r:id="rIdH2"/><w:footerReference w:type="first" r:id="rIdF2"/>"#
    } else {
        ""
    };
    let title_pg = if title_page { "<w:titlePg/>" } else { "" };
    format!(
        r#"<w:sectPr><w:headerReference w:type="default" r:id="rIdH1"/><w:footerReference w:type="default" r:id="rIdF1"/>{first}<w:pgSz w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/><w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" w:left="{MARGIN}" w:header="567" w:footer="567" w:gutter="0"/><w:cols w:space="708"/>{title_pg}<w:docGrid w:linePitch="360"/></w:sectPr>"#
    )
}

/// Core properties: title, subject = the object, author = the buyer, keywords = the reference.
pub fn core(meta: &DocMeta) -> String {
    let title = clean_text(&meta.title);
    let subject = clean_text(&meta.object);
    let creator = clean_text(&meta.buyer);
    let keywords = clean_text(&meta.reference);
    parts::core(&CoreProps {
        title: &title,
        subject: &subject,
        creator: &creator,
        keywords: &keywords,
        created: &meta.created,
    })
}

fn line(b: &mut Body, text: &str, size: usize, bold: bool, jc: &str, spacing: Option<Spacing>) {
    b.para(
        &PPr {
            jc: Some(jc),
            spacing,
            ..PPr::default()
        },
        &typography::french(&clean_text(text)),
        &RPr {
            bold,
            size: Some(size),
            ..RPr::default()
        },
    );
}

fn spacer(b: &mut Body, before: u32) {
    b.para(
        &PPr {
            spacing: Some(Spacing {
                before: Some(before),
                after: Some(0),
                line: None,
            }),
            ..PPr::default()
        },
        "",
        &RPr::default(),
    );
}

/// The title page of a pièce (ends with a page break) or the head of a letter.
pub fn front_matter(meta: &DocMeta, b: &mut Body) {
    let date = format::date_fr(meta.date);
    line(b, &meta.buyer, 24, true, "left", None);
    let title = typography::french(&clean_text(&meta.title));
    if meta.kind.is_letter() {
        if let Some(address) = &meta.buyer_address {
            line(b, address, 20, false, "left", None);
        }
        let dated = match &meta.place {
            Some(place) => format!("{place}, le {date}"),
            None => format!("Le {date}"),
        };
        line(b, &dated, 22, false, "right", None);
        b.para(
            &PPr {
                style: Some("Title"),
                ..PPr::default()
            },
            &title,
            &RPr {
                size: Some(32),
                ..RPr::default()
            },
        );
        let subject = format!("Consultation n° {} – {}", meta.reference, meta.object);
        let after = Spacing {
            after: Some(360),
            ..Spacing::default()
        };
        line(b, &subject, 22, true, "center", Some(after));
        return;
    }
    line(
        b,
        "Coordonnateur du groupement de commandes",
        20,
        false,
        "left",
        None,
    );
    spacer(b, 2_800);
    b.para(
        &PPr {
            style: Some("Title"),
            ..PPr::default()
        },
        &title,
        &RPr::default(),
    );
    line(b, &meta.object, 28, false, "center", None);
    spacer(b, 1_200);
    let reference = format!("Référence de la consultation : {}", meta.reference);
    line(b, &reference, 24, true, "center", None);
    if let Some(v) = &meta.version {
        line(b, &format!("Version : {v}"), 22, false, "center", None);
    }
    line(b, &format!("Date : {date}"), 22, false, "center", None);
    b.page_break();
}

/// Removes characters XML 1.0 forbids (control characters other than tab, CR, LF), which would
/// make `word/document.xml` ill-formed when they come from user data.
pub fn clean_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_drops_xml_forbidden_controls() {
        assert_eq!(clean_text("a\u{0}b\u{B}c\td\u{1F}"), "abc\td");
        assert_eq!(clean_text("« é € »"), "« é € »");
    }

    #[test]
    fn text_width_is_a4_minus_margins() {
        assert_eq!(TEXT_WIDTH, 9_638);
    }

    #[test]
    fn title_page_has_its_own_empty_header_and_footer() {
        let s = sect_pr(true);
        assert!(s.contains(r#"w:type="first""#) && s.contains("<w:titlePg/>"));
        assert!(!sect_pr(false).contains("titlePg"));
        assert!(!empty_header_footer("hdr").contains("<w:t"));
    }
}
