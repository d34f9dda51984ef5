//! The block model of [`super::markdown`] → a DOCX package ([`super::ooxml`]), with the layout
//! of [`super::layout`]: justified paragraphs, Heading1..3, bullet and numbered lists, tables
//! with borders, a bold shaded header row repeated on each page, rows that never split,
//! right-aligned numbers, a table of contents in the long pièces, French typography.

use super::DocError;
use super::layout::{self, clean_text};
use super::markdown::{Align, Block, Span, spans_text};
use super::meta::DocMeta;
use super::ooxml::package::{BinaryPart, HeaderFooter};
use super::ooxml::{Body, PPr, Package, RPr, Spacing, parts};
use super::reference::{Letterhead, ReferenceDoc};
use super::{toc, typography};

const HEADER_FILL: &str = "D9E2F3";
const BORDER_COLOR: &str = "7F7F7F";
/// Shift of the drawing ids in the title page's copy of the reference letterhead.
const SECOND_COPY_IDS: u32 = 10_000;

struct Writer {
    body: Body,
    /// (instance id, level, start) of each ordered list.
    ordered: Vec<(usize, usize, usize)>,
    next_num: usize,
    /// Bookmark the top-level headings for the table of contents.
    toc: bool,
    next_heading: usize,
}

/// Builds the DOCX of `blocks` with the title page or letterhead of `meta`.
///
/// # Errors
/// [`DocError::Docx`] if the package cannot be written.
pub fn build(
    blocks: &[Block],
    meta: &DocMeta,
    reference: Option<&ReferenceDoc>,
) -> Result<Vec<u8>, DocError> {
    let with_toc = meta.kind.has_toc();
    let mut w = Writer {
        body: Body::with_capacity(64 * 1024),
        ordered: Vec::new(),
        next_num: layout::FIRST_ORDERED_NUM,
        toc: with_toc,
        next_heading: 0,
    };
    layout::front_matter(meta, &mut w.body);
    if with_toc {
        toc::write(&mut w.body, blocks);
    }
    for b in blocks {
        w.block(b, 0, None);
    }
    let title_page = !meta.kind.is_letter();
    let (headers, footers) = headers_footers(meta, title_page, reference);
    let our_styles = parts::styles(layout::TEXT_WIDTH);
    let package = Package {
        document: parts::document(&w.body.xml, &layout::sect_pr(title_page)),
        styles: match reference {
            Some(r) => r.merged_styles(&our_styles),
            None => our_styles,
        },
        numbering: layout::numbering(&w.ordered),
        settings: parts::settings(with_toc),
        core: layout::core(meta),
        app: parts::app(&clean_text(&meta.buyer)),
        // Lets the service recognise its own files (kind and consultation).
        custom: parts::custom(
            "coordo_document",
            &clean_text(&format!("{} {}", meta.kind.as_str(), meta.reference)),
        ),
        theme: reference.and_then(|r| r.theme.as_deref()),
        font_table: reference.and_then(|r| r.font_table.as_deref()),
        headers,
        footers,
        media: reference
            .map(|r| {
                r.media
                    .iter()
                    .map(|m| BinaryPart {
                        name: &m.name,
                        content_type: &m.content_type,
                        bytes: &m.bytes,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    package.to_bytes().map_err(DocError::Docx)
}

/// The headers and footers: the default ones (running line, « Page X / Y »), then, with a
/// `title_page`, those of the first page (empty, or the reference's letterhead as it is).
fn headers_footers(
    meta: &DocMeta,
    title_page: bool,
    reference: Option<&ReferenceDoc>,
) -> (Vec<HeaderFooter>, Vec<HeaderFooter>) {
    let from = |l: &Letterhead, extra: &str| HeaderFooter {
        xml: l.with_paragraphs(extra),
        rels: l.rels.clone(),
    };
    let header = reference.and_then(|r| r.header.as_ref());
    let footer = reference.and_then(|r| r.footer.as_ref());
    let mut headers = vec![match header {
        Some(l) => from(l, &layout::running_line(meta)),
        None => layout::running_header(meta).into(),
    }];
    let mut footers = vec![match footer {
        Some(l) if l.has_page_field => from(l, ""),
        Some(l) => from(l, &layout::page_line()),
        None => layout::page_footer().into(),
    }];
    if title_page {
        // Drawing ids must stay unique across the parts of the document.
        let copy = |l: &Letterhead| HeaderFooter {
            xml: l.second_copy(SECOND_COPY_IDS),
            rels: l.rels.clone(),
        };
        headers.push(header.map_or_else(|| layout::empty_header_footer("hdr").into(), copy));
        footers.push(footer.map_or_else(|| layout::empty_header_footer("ftr").into(), copy));
    }
    (headers, footers)
}

/// The spans of a paragraph ready to be written: XML-forbidden characters removed, French
/// typography applied.
pub fn prepare(spans: &[Span]) -> Vec<Span> {
    let mut out: Vec<Span> = spans
        .iter()
        .map(|s| Span {
            text: clean_text(&s.text),
            ..s.clone()
        })
        .collect();
    typography::french_spans(&mut out);
    out
}

/// Writes prepared spans (see [`prepare`]) as runs.
fn write_spans(
    body: &mut Body,
    spans: &[Span],
    size: Option<usize>,
    force_bold: bool,
    italic: bool,
) {
    for s in spans {
        if s.line_break {
            body.line_break();
            continue;
        }
        if s.text.is_empty() {
            continue;
        }
        body.run(
            &s.text,
            &RPr {
                mono: s.code,
                bold: s.bold || force_bold,
                italic: s.italic || italic,
                color: None,
                size,
            },
        );
    }
}

/// True when a cell reads as an amount, a percentage or a quantity (« 1 234,56 € », « 40 % »,
/// « 18,5 », « 284 »), which are right-aligned. Identifiers stay left-aligned: SIRET, FINESS,
/// phone numbers (long or with a leading zero), codes « 1.2 », dates.
pub fn looks_numeric(text: &str) -> bool {
    let t = text.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| {
        c.is_ascii_digit() || matches!(c, ',' | '-' | '+' | '€' | '%' | ' ' | '\u{202F}' | '\u{A0}')
    };
    if digits == 0 || !t.chars().all(allowed) {
        return false;
    }
    let unit_or_decimals = t.contains(['€', '%', ',']);
    let plain_quantity = digits <= 7 && !t.contains(' ') && (t == "0" || !t.starts_with('0'));
    unit_or_decimals || plain_quantity
}

impl Writer {
    fn para(&mut self, p: &PPr<'_>, spans: &[Span], italic: bool) {
        self.body.start_p(p);
        write_spans(&mut self.body, &prepare(spans), None, false, italic);
        self.body.end_p();
    }

    /// `list`: (numbering id, level) of the enclosing list item, for the item's first paragraph.
    fn block(&mut self, b: &Block, indent_level: usize, list: Option<(usize, usize)>) {
        let indent = (indent_level > 0).then(|| layout::LIST_INDENT * indent_level as i32);
        match b {
            Block::Heading { level, spans } => {
                let style =
                    ["Heading1", "Heading2", "Heading3"][usize::from(*level).clamp(1, 3) - 1];
                self.body.start_p(&PPr {
                    style: Some(style),
                    ..PPr::default()
                });
                let bookmark =
                    (self.toc && *level <= toc::MAX_LEVEL && indent_level == 0).then(|| {
                        self.next_heading += 1;
                        self.next_heading
                    });
                if let Some(id) = bookmark {
                    self.body.bookmark_start(id, &toc::bookmark(id));
                }
                write_spans(&mut self.body, &prepare(spans), None, false, false);
                if let Some(id) = bookmark {
                    self.body.bookmark_end(id);
                }
                self.body.end_p();
            }
            Block::Paragraph(spans) => {
                let p = match list {
                    Some((num, level)) => PPr {
                        num: Some((num, level.min(2))),
                        jc: Some("both"),
                        ..PPr::default()
                    },
                    None => PPr {
                        ind_left: indent,
                        jc: Some("both"),
                        ..PPr::default()
                    },
                };
                self.para(&p, spans, false);
            }
            Block::List {
                ordered,
                start,
                items,
            } => {
                let level = indent_level.min(2);
                let num = if *ordered {
                    let id = self.next_num;
                    self.next_num += 1;
                    let start = usize::try_from(*start).unwrap_or(1);
                    self.ordered.push((id, level, start));
                    id
                } else {
                    layout::BULLET_NUM
                };
                for item in items {
                    for (i, child) in item.iter().enumerate() {
                        let numbered = i == 0 && matches!(child, Block::Paragraph(_));
                        let marker = numbered.then_some((num, level));
                        self.block(child, level + 1, marker);
                    }
                }
            }
            Block::Table { align, head, rows } => {
                table(&mut self.body, align, head, rows);
                // A table directly followed by another one would merge in Word: keep a gap.
                self.body.para(
                    &PPr {
                        spacing: Some(Spacing {
                            after: Some(0),
                            ..Spacing::default()
                        }),
                        ..PPr::default()
                    },
                    "",
                    &RPr::default(),
                );
            }
            Block::Quote(blocks) => {
                for inner in blocks {
                    match inner {
                        Block::Paragraph(spans) => {
                            let p = PPr {
                                ind_left: Some(layout::LIST_INDENT * (indent_level as i32 + 1)),
                                jc: Some("both"),
                                ..PPr::default()
                            };
                            self.para(&p, spans, true);
                        }
                        other => self.block(other, indent_level + 1, None),
                    }
                }
            }
            Block::Code(code) => {
                self.body.start_p(&PPr {
                    ind_left: indent,
                    ..PPr::default()
                });
                let mono = RPr {
                    mono: true,
                    size: Some(20),
                    ..RPr::default()
                };
                self.body.run(&clean_text(code), &mono);
                self.body.end_p();
            }
            Block::PageBreak => self.body.page_break(),
        }
    }
}

/// Approximate width of one character of table text (9–10 pt Calibri, bold headers), and the
/// left + right cell margins, in twips.
const CHAR_WIDTH: usize = 110;
const CELL_PADDING: usize = 240;

/// Column widths summing to the text width: each column first gets room for its longest word
/// (so that no word is split), then the rest is shared in proportion to its longest text.
fn column_widths(head: &[Vec<Span>], rows: &[Vec<Vec<Span>>]) -> Vec<usize> {
    let n = head
        .len()
        .max(rows.iter().map(Vec::len).max().unwrap_or(0))
        .max(1);
    let mut weights = vec![4usize; n];
    let mut mins = vec![0usize; n];
    for row in std::iter::once(head).chain(rows.iter().map(Vec::as_slice)) {
        for (i, cell) in row.iter().enumerate().take(n) {
            let text = spans_text(cell);
            weights[i] = weights[i].max(text.chars().count().clamp(4, 40));
            // Only ordinary spaces are break opportunities (amounts use no-break spaces).
            let word = text
                .split([' ', '\t', '\n'])
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0);
            mins[i] = mins[i].max(word.min(24) * CHAR_WIDTH + CELL_PADDING);
        }
    }
    let total = layout::TEXT_WIDTH;
    let min_sum: usize = mins.iter().sum();
    let mut widths: Vec<usize> = if min_sum >= total {
        mins.iter().map(|m| total * m / min_sum).collect()
    } else {
        let spare = total - min_sum;
        let weight_sum: usize = weights.iter().sum();
        mins.iter()
            .zip(&weights)
            .map(|(m, w)| m + spare * w / weight_sum)
            .collect()
    };
    let used: usize = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += total - used;
    }
    widths
}

fn cell_alignment(align: Align, text: &str) -> &'static str {
    match align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
        Align::Auto if looks_numeric(text) => "right",
        Align::Auto => "left",
    }
}

fn table(body: &mut Body, align: &[Align], head: &[Vec<Span>], rows: &[Vec<Vec<Span>>]) {
    // Widths are measured on the text as written, after typography joined amounts and units.
    let head: Vec<Vec<Span>> = head.iter().map(|c| prepare(c)).collect();
    let rows: Vec<Vec<Vec<Span>>> = rows
        .iter()
        .map(|r| r.iter().map(|c| prepare(c)).collect())
        .collect();
    let (head, rows) = (head.as_slice(), rows.as_slice());
    let widths = column_widths(head, rows);
    let size = if widths.len() >= 5 { 18 } else { 20 };
    let tight = Spacing {
        before: Some(20),
        after: Some(20),
        line: Some(240),
    };
    body.start_table(&widths, BORDER_COLOR);
    let empty = Vec::new();
    for (r, cells) in std::iter::once(head)
        .chain(rows.iter().map(Vec::as_slice))
        .enumerate()
    {
        let header = r == 0;
        body.start_row(header);
        for (i, width) in widths.iter().enumerate() {
            let spans = cells.get(i).unwrap_or(&empty);
            let jc = if header {
                "center"
            } else {
                cell_alignment(
                    align.get(i).copied().unwrap_or(Align::Auto),
                    &spans_text(spans),
                )
            };
            body.start_cell(*width, header.then_some(HEADER_FILL));
            body.start_p(&PPr {
                // The header row stays with the first data row.
                keep_next: header,
                spacing: Some(tight),
                jc: Some(jc),
                ..PPr::default()
            });
            write_spans(body, spans, Some(size), header, false);
            body.end_p();
            body.end_cell();
        }
        body.end_row();
    }
    body.end_table();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_cells_are_detected() {
        assert!(looks_numeric("1\u{202F}234,56\u{A0}€"));
        assert!(looks_numeric(" 40 % "));
        assert!(looks_numeric("18,5"));
        assert!(!looks_numeric("15 janvier 2027"));
        assert!(!looks_numeric("Lot 1"));
        assert!(!looks_numeric(""));
        assert!(looks_numeric("284") && looks_numeric("0"));
        assert!(!looks_numeric("81234567800013"), "SIRET");
        assert!(!looks_numeric("03 20 11 22 33"), "téléphone");
        assert!(!looks_numeric("020011078"), "FINESS");
        assert!(!looks_numeric("1.4") && !looks_numeric("15/01/2027"));
    }

    #[test]
    fn widths_fill_the_text_width() {
        let cell = |t: &str| {
            vec![Span {
                text: t.into(),
                ..Span::default()
            }]
        };
        let head = vec![cell("Membre"), cell("Montant HT")];
        let rows = vec![vec![
            cell("CCAS de Wattrelos et son SSIAD"),
            cell("1 234,00 €"),
        ]];
        let w = column_widths(&head, &rows);
        assert_eq!(w.iter().sum::<usize>(), layout::TEXT_WIDTH);
        assert!(w[0] > w[1]);
        let head = vec![cell("Lot"), cell("Intitulé"), cell("Montant maximum HT")];
        let rows = vec![vec![
            cell("1"),
            cell(&"très long intitulé ".repeat(10)),
            cell("350 000,00 €"),
        ]];
        let w = column_widths(&head, &rows);
        assert!(w[0] >= 3 * CHAR_WIDTH + CELL_PADDING, "{w:?}");
        assert!(
            w[2] >= 10 * CHAR_WIDTH + CELL_PADDING,
            "« 350 000,00 € » sans coupure : {w:?}"
        );
    }
}
