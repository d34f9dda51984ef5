//! The table of contents of the long pièces: a Word `TOC` field whose cached result already
//! lists the headings of levels 1 and 2, each with a `PAGEREF` to a bookmark on its heading, so
//! that the contents read right before any update (LibreOffice, viewers) and Word refreshes the
//! page numbers on opening (`w:updateFields` in the settings).

use super::markdown::{Block, Span, spans_text};
use super::ooxml::{Body, PPr, RPr};

/// Deepest heading level listed.
pub const MAX_LEVEL: u8 = 2;

/// Name of the bookmark on the `n`-th listed heading (Word's `_Toc` prefix hides it from users).
pub fn bookmark(n: usize) -> String {
    format!("_Toc{n:06}")
}

/// Rough page estimate: A4 with 2 cm margins holds about 46 lines of 11 pt text of about 95
/// characters; the cover is page 1 and the contents start page 2. Only a first guess: Word
/// recomputes the numbers.
struct Pages {
    lines: f32,
}

const LINES_PER_PAGE: f32 = 46.0;
const CHARS_PER_LINE: f32 = 95.0;

impl Pages {
    fn text(&mut self, spans: &[Span], extra: f32) {
        let chars = spans_text(spans).chars().count() as f32;
        self.lines += (chars / CHARS_PER_LINE).ceil().max(1.0) + extra;
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Heading { .. } => self.lines += 2.5,
            Block::Paragraph(spans) => self.text(spans, 0.5),
            Block::List { items, .. } => {
                for item in items {
                    for child in item {
                        self.block(child);
                    }
                }
            }
            Block::Table { head, rows, .. } => {
                let cols = head.len().max(1) as f32;
                for row in std::iter::once(head).chain(rows) {
                    let longest = row
                        .iter()
                        .map(|c| spans_text(c).chars().count())
                        .max()
                        .unwrap_or(0) as f32;
                    self.lines += (longest * cols / (CHARS_PER_LINE * 1.1)).ceil().max(1.0) * 0.9;
                }
                self.lines += 1.0;
            }
            Block::Quote(blocks) => blocks.iter().for_each(|b| self.block(b)),
            Block::Code(code) => self.lines += code.lines().count() as f32,
            Block::PageBreak => {
                self.lines = (self.lines / LINES_PER_PAGE).ceil() * LINES_PER_PAGE;
            }
        }
    }

    fn page(&self, first: usize) -> usize {
        first + (self.lines / LINES_PER_PAGE) as usize
    }
}

/// Writes the contents (title, entries in a TOC field, page break) for the top-level headings
/// of `blocks`, in the order [`super::docx`] bookmarks them.
pub fn write(body: &mut Body, blocks: &[Block]) {
    let entries = blocks
        .iter()
        .filter(|b| matches!(b, Block::Heading { level, .. } if *level <= MAX_LEVEL))
        .count();
    let toc_pages = 1 + (entries as f32 * 1.4 / LINES_PER_PAGE) as usize;
    let first_body_page = 2 + toc_pages;
    body.para(
        &PPr {
            style: Some("TOCHeading"),
            ..PPr::default()
        },
        "Sommaire",
        &RPr::default(),
    );
    let plain = RPr::default();
    let instr = format!(r#"TOC \o "1-{MAX_LEVEL}" \h \z \u"#);
    let mut pages = Pages { lines: 0.0 };
    let mut n = 0;
    for b in blocks {
        if let Block::Heading { level, spans } = b
            && *level <= MAX_LEVEL
        {
            n += 1;
            let style = if *level == 1 { "TOC1" } else { "TOC2" };
            body.start_p(&PPr {
                style: Some(style),
                ..PPr::default()
            });
            if n == 1 {
                body.field_begin(&instr, &plain);
            }
            let text: String = super::docx::prepare(spans)
                .iter()
                .map(|s| s.text.as_str())
                .collect();
            body.run(&text, &plain);
            body.run("\t", &plain);
            let page = pages.page(first_body_page).to_string();
            body.field(&format!(r"PAGEREF {} \h", bookmark(n)), &page, &plain);
            if n == entries {
                body.field_end(&plain);
            }
            body.end_p();
        }
        pages.block(b);
    }
    if entries == 0 {
        body.start_p(&PPr::default());
        body.field_begin(&instr, &plain);
        body.field_end(&plain);
        body.end_p();
    }
    body.page_break();
}
