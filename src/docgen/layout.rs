//! Page layout of every generated DOCX: A4 and margins, styles (docx-rs ships only `Normal`, so
//! Title and Heading1..3 are defined here), list numbering definitions (ids ≥ 2: docx-rs always
//! writes its own numbering 1), running header with the consultation reference, footer
//! « Page X / Y » with PAGE and NUMPAGES fields, title page of the pièces, letterhead of letters.

use super::meta::DocMeta;
use super::{DocError, format};
use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, FieldCharType, Footer, Header, IndentLevel,
    InstrNUMPAGES, InstrPAGE, InstrText, Level, LevelJc, LevelText, LineSpacing, NumberFormat,
    PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Start, Style, StyleType,
};

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

const FONT: &str = "Calibri";
const DARK_BLUE: &str = "1F3864";
const BLUE: &str = "2F5496";
const GREY: &str = "595959";

/// Hands out paragraph ids in document order. docx-rs takes them from a thread-local counter
/// that is not reset between documents, which would make the bytes depend on the history of the
/// thread; setting them ourselves keeps the output deterministic.
#[derive(Debug, Default)]
pub struct ParaIds(u32);

impl ParaIds {
    /// A new paragraph with the next id.
    pub fn para(&mut self) -> Paragraph {
        self.0 += 1;
        Paragraph::new().id(format!("{:08X}", self.0))
    }
}

fn heading_style(id: &str, name: &str, size: usize, color: &str, level: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
        .size(size)
        .bold()
        .color(color)
        .outline_lvl(level)
        .line_spacing(
            LineSpacing::new()
                .before(if level == 0 { 360 } else { 240 })
                .after(120),
        )
}

fn bullet_level(level: usize) -> Level {
    let symbol = ["•", "–", "▪"][level % 3];
    Level::new(
        level,
        Start::new(1),
        NumberFormat::new("bullet"),
        LevelText::new(symbol),
        LevelJc::new("left"),
    )
    .indent(
        Some(LIST_INDENT * (level as i32 + 1)),
        Some(SpecialIndentType::Hanging(283)),
        None,
        None,
    )
}

fn ordered_level(level: usize) -> Level {
    let (fmt, text) = match level % 3 {
        0 => ("decimal", format!("%{}.", level + 1)),
        1 => ("lowerLetter", format!("%{})", level + 1)),
        _ => ("lowerRoman", format!("%{}.", level + 1)),
    };
    Level::new(
        level,
        Start::new(1),
        NumberFormat::new(fmt),
        LevelText::new(text),
        LevelJc::new("left"),
    )
    .indent(
        Some(LIST_INDENT * (level as i32 + 1)),
        Some(SpecialIndentType::Hanging(360)),
        None,
        None,
    )
}

/// A document with page setup, styles, numbering definitions, header and footer.
pub fn base_document(meta: &DocMeta, ids: &mut ParaIds) -> Docx {
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut bullets = AbstractNumbering::new(BULLET_NUM);
    let mut ordered = AbstractNumbering::new(ORDERED_ABSTRACT);
    for level in 0..3 {
        bullets = bullets.add_level(bullet_level(level));
        ordered = ordered.add_level(ordered_level(level));
    }
    Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(PageMargin {
            top: MARGIN,
            left: MARGIN,
            bottom: MARGIN,
            right: MARGIN,
            header: 567,
            footer: 567,
            gutter: 0,
        })
        .default_fonts(fonts)
        .default_size(22)
        .default_line_spacing(LineSpacing::new().after(120).line(264))
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .based_on("Normal")
                .q_format(true)
                .size(44)
                .bold()
                .color(DARK_BLUE)
                .align(AlignmentType::Center),
        )
        .add_style(heading_style("Heading1", "heading 1", 30, DARK_BLUE, 0))
        .add_style(heading_style("Heading2", "heading 2", 26, BLUE, 1))
        .add_style(heading_style("Heading3", "heading 3", 23, BLUE, 2))
        .add_abstract_numbering(bullets)
        .add_abstract_numbering(ordered)
        .add_numbering(docx_rs::Numbering::new(BULLET_NUM, BULLET_NUM))
        .header(running_header(meta, ids))
        .footer(page_footer(ids))
        .created_at(&meta.created)
        .updated_at(&meta.created)
        // One custom property only: docx-rs keeps them in a HashMap, so several would be
        // written in a random order and break byte-for-byte determinism.
        .custom_property(
            "coordo_document",
            clean_text(&format!("{} {}", meta.kind.as_str(), meta.reference)),
        )
}

fn small(text: &str) -> Run {
    Run::new().add_text(clean_text(text)).size(16).color(GREY)
}

fn running_header(meta: &DocMeta, ids: &mut ParaIds) -> Header {
    let text = format!("{} – {}", meta.reference, meta.title);
    Header::new().add_paragraph(ids.para().align(AlignmentType::Right).add_run(small(&text)))
}

/// A complex field (`PAGE`, `NUMPAGES`) in one run carrying the footer's size and colour
/// (docx-rs' `PageNum`/`NumPages` write an unstyled run).
fn field(instr: InstrText) -> Run {
    Run::new()
        .size(16)
        .color(GREY)
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(instr)
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false)
}

fn page_footer(ids: &mut ParaIds) -> Footer {
    let p = ids
        .para()
        .align(AlignmentType::Center)
        .add_run(small("Page "))
        .add_run(field(InstrText::PAGE(InstrPAGE::new())))
        .add_run(small(" / "))
        .add_run(field(InstrText::NUMPAGES(InstrNUMPAGES::new())));
    Footer::new().add_paragraph(p)
}

fn line(ids: &mut ParaIds, text: &str, size: usize, bold: bool, align: AlignmentType) -> Paragraph {
    let mut run = Run::new().add_text(clean_text(text)).size(size);
    if bold {
        run = run.bold();
    }
    ids.para().align(align).add_run(run)
}

fn spacer(ids: &mut ParaIds, before: u32) -> Paragraph {
    ids.para()
        .line_spacing(LineSpacing::new().before(before).after(0))
}

/// Paragraphs of the title page of a pièce (ends with a page break) or of a letter's head.
pub fn front_matter(meta: &DocMeta, ids: &mut ParaIds) -> Vec<Paragraph> {
    let date = format::date_fr(meta.date);
    let mut out = vec![line(ids, &meta.buyer, 24, true, AlignmentType::Left)];
    if meta.kind.is_letter() {
        if let Some(address) = &meta.buyer_address {
            out.push(line(ids, address, 20, false, AlignmentType::Left));
        }
        let dated = match &meta.place {
            Some(place) => format!("{place}, le {date}"),
            None => format!("Le {date}"),
        };
        out.push(line(ids, &dated, 22, false, AlignmentType::Right));
        out.push(
            ids.para()
                .style("Title")
                .add_run(Run::new().add_text(clean_text(&meta.title)).size(32)),
        );
        let subject = line(
            ids,
            &format!("Consultation n° {} – {}", meta.reference, meta.object),
            22,
            true,
            AlignmentType::Center,
        );
        out.push(subject.line_spacing(LineSpacing::new().after(360)));
        return out;
    }
    out.push(line(
        ids,
        "Coordonnateur du groupement de commandes",
        20,
        false,
        AlignmentType::Left,
    ));
    out.push(spacer(ids, 2_800));
    out.push(
        ids.para()
            .style("Title")
            .add_run(Run::new().add_text(clean_text(&meta.title))),
    );
    out.push(line(ids, &meta.object, 28, false, AlignmentType::Center));
    out.push(spacer(ids, 1_200));
    out.push(line(
        ids,
        &format!("Référence de la consultation : {}", meta.reference),
        24,
        true,
        AlignmentType::Center,
    ));
    if let Some(v) = &meta.version {
        out.push(line(
            ids,
            &format!("Version : {v}"),
            22,
            false,
            AlignmentType::Center,
        ));
    }
    out.push(line(
        ids,
        &format!("Date : {date}"),
        22,
        false,
        AlignmentType::Center,
    ));
    out.push(ids.para().add_run(Run::new().add_break(BreakType::Page)));
    out
}

/// Numbering instance `id` of an ordered list at `level` restarting at `start` (each list gets
/// its own instance so that numbering restarts).
pub fn ordered_numbering(id: usize, level: usize, start: usize) -> docx_rs::Numbering {
    (0..3).fold(docx_rs::Numbering::new(id, ORDERED_ABSTRACT), |n, l| {
        n.add_override(docx_rs::LevelOverride::new(l).start(if l == level { start } else { 1 }))
    })
}

/// The numbering reference of a list paragraph.
pub fn list_ref(num: usize, level: usize) -> (docx_rs::NumberingId, IndentLevel) {
    (
        docx_rs::NumberingId::new(num),
        IndentLevel::new(level.min(2)),
    )
}

/// Removes characters XML 1.0 forbids (control characters other than tab, CR, LF), which would
/// make `word/document.xml` ill-formed when they come from user data.
pub fn clean_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .collect()
}

/// Writes the package.
///
/// # Errors
/// [`DocError::Docx`] if docx-rs fails to write the archive.
pub fn pack(docx: Docx) -> Result<Vec<u8>, DocError> {
    let mut buf = std::io::Cursor::new(Vec::with_capacity(64 * 1024));
    docx.build()
        .pack(&mut buf)
        .map_err(|e| DocError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
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
    fn paragraph_ids_are_sequential_hex() {
        let mut ids = ParaIds::default();
        assert_eq!(ids.para().id, "00000001");
        assert_eq!(ids.para().id, "00000002");
    }

    #[test]
    fn text_width_is_a4_minus_margins() {
        assert_eq!(TEXT_WIDTH, 9_638);
    }
}
