//! The block model of [`super::markdown`] → a DOCX package (docx-rs), with the layout of
//! [`super::layout`]: justified paragraphs, Heading1..3, bullet and numbered lists, tables with
//! borders, a bold shaded header row and right-aligned numbers.

use super::DocError;
use super::layout::{self, ParaIds, clean_text};
use super::markdown::{Align, Block, Span, spans_text};
use super::meta::DocMeta;
use docx_rs::{
    AlignmentType, BorderType, BreakType, LineSpacing, Paragraph, Run, RunFonts, Shading, ShdType,
    Table, TableBorder, TableBorderPosition, TableBorders, TableCell, TableLayoutType, TableRow,
    WidthType,
};

const HEADER_FILL: &str = "D9E2F3";
const BORDER_COLOR: &str = "7F7F7F";

enum Child {
    P(Box<Paragraph>),
    T(Box<Table>),
}

struct Writer {
    ids: ParaIds,
    children: Vec<Child>,
    numberings: Vec<docx_rs::Numbering>,
    next_num: usize,
}

/// Builds the DOCX of `blocks` with the title page or letterhead of `meta`.
///
/// # Errors
/// [`DocError::Docx`] if the package cannot be written.
pub fn build(blocks: &[Block], meta: &DocMeta) -> Result<Vec<u8>, DocError> {
    let mut w = Writer {
        ids: ParaIds::default(),
        children: Vec::new(),
        numberings: Vec::new(),
        next_num: layout::FIRST_ORDERED_NUM,
    };
    let mut docx = layout::base_document(meta, &mut w.ids);
    for p in layout::front_matter(meta, &mut w.ids) {
        w.push(p);
    }
    for b in blocks {
        w.block(b, 0, None);
    }
    for n in w.numberings {
        docx = docx.add_numbering(n);
    }
    for c in w.children {
        docx = match c {
            Child::P(p) => docx.add_paragraph(*p),
            Child::T(t) => docx.add_table(*t),
        };
    }
    layout::pack(docx)
}

fn run(span: &Span, size: Option<usize>) -> Run {
    if span.line_break {
        return Run::new().add_break(BreakType::TextWrapping);
    }
    let mut r = Run::new().add_text(clean_text(&span.text));
    if span.bold {
        r = r.bold();
    }
    if span.italic {
        r = r.italic();
    }
    if span.code {
        r = r.fonts(
            RunFonts::new()
                .ascii("Consolas")
                .hi_ansi("Consolas")
                .cs("Consolas"),
        );
    }
    if let Some(s) = size {
        r = r.size(s);
    }
    r
}

fn with_spans(mut p: Paragraph, spans: &[Span], size: Option<usize>) -> Paragraph {
    for s in spans {
        p = p.add_run(run(s, size));
    }
    p
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
    fn push(&mut self, p: Paragraph) {
        self.children.push(Child::P(Box::new(p)));
    }

    /// `list`: (numbering id, level) of the enclosing list item, for the item's first paragraph.
    fn block(&mut self, b: &Block, indent_level: usize, list: Option<(usize, usize)>) {
        let indent = |p: Paragraph| {
            if indent_level == 0 {
                p
            } else {
                p.indent(
                    Some(layout::LIST_INDENT * indent_level as i32),
                    None,
                    None,
                    None,
                )
            }
        };
        match b {
            Block::Heading { level, spans } => {
                let style = format!("Heading{level}");
                let p = self.ids.para().style(&style).keep_next(true);
                self.push(with_spans(p, spans, None));
            }
            Block::Paragraph(spans) => {
                let mut p = self.ids.para().align(AlignmentType::Both);
                p = match list {
                    Some((num, level)) => {
                        let (id, lvl) = layout::list_ref(num, level);
                        p.numbering(id, lvl)
                    }
                    None => indent(p),
                };
                self.push(with_spans(p, spans, None));
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
                    self.numberings.push(layout::ordered_numbering(
                        id,
                        level,
                        usize::try_from(*start).unwrap_or(1),
                    ));
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
                let t = table(&mut self.ids, align, head, rows);
                self.children.push(Child::T(Box::new(t)));
                // A table directly followed by another one would merge in Word: keep a gap.
                let gap = self.ids.para().line_spacing(LineSpacing::new().after(0));
                self.push(gap);
            }
            Block::Quote(blocks) => {
                for inner in blocks {
                    match inner {
                        Block::Paragraph(spans) => {
                            let italic: Vec<Span> = spans
                                .iter()
                                .map(|s| Span {
                                    italic: true,
                                    ..s.clone()
                                })
                                .collect();
                            let p = self.ids.para().align(AlignmentType::Both).indent(
                                Some(layout::LIST_INDENT * (indent_level as i32 + 1)),
                                None,
                                None,
                                None,
                            );
                            self.push(with_spans(p, &italic, None));
                        }
                        other => self.block(other, indent_level + 1, None),
                    }
                }
            }
            Block::Code(code) => {
                let mut p = indent(self.ids.para());
                for (i, line) in code.lines().enumerate() {
                    let span = Span {
                        text: line.to_owned(),
                        code: true,
                        ..Span::default()
                    };
                    if i > 0 {
                        p = p.add_run(Run::new().add_break(BreakType::TextWrapping));
                    }
                    p = p.add_run(run(&span, Some(20)));
                }
                self.push(p);
            }
            Block::PageBreak => {
                let p = self
                    .ids
                    .para()
                    .add_run(Run::new().add_break(BreakType::Page));
                self.push(p);
            }
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

fn borders() -> TableBorders {
    let mut b = TableBorders::new();
    for pos in [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ] {
        b = b.set(
            TableBorder::new(pos)
                .border_type(BorderType::Single)
                .size(4)
                .color(BORDER_COLOR),
        );
    }
    b
}

fn cell_alignment(align: Align, text: &str) -> AlignmentType {
    match align {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
        Align::Auto if looks_numeric(text) => AlignmentType::Right,
        Align::Auto => AlignmentType::Left,
    }
}

fn table(ids: &mut ParaIds, align: &[Align], head: &[Vec<Span>], rows: &[Vec<Vec<Span>>]) -> Table {
    let widths = column_widths(head, rows);
    let size = if widths.len() >= 5 { 18 } else { 20 };
    let tight = LineSpacing::new().before(20).after(20).line(240);
    let mut make_row = |cells: &[Vec<Span>], header: bool| {
        let cells = widths
            .iter()
            .enumerate()
            .map(|(i, width)| {
                let empty = Vec::new();
                let spans = cells.get(i).unwrap_or(&empty);
                let a = align.get(i).copied().unwrap_or(Align::Auto);
                let (alignment, spans) = if header {
                    let bold: Vec<Span> = spans
                        .iter()
                        .map(|s| Span {
                            bold: true,
                            ..s.clone()
                        })
                        .collect();
                    (AlignmentType::Center, bold)
                } else {
                    (cell_alignment(a, &spans_text(spans)), spans.clone())
                };
                let p = ids.para().align(alignment).line_spacing(tight.clone());
                let mut cell = TableCell::new()
                    .width(*width, WidthType::Dxa)
                    .add_paragraph(with_spans(p, &spans, Some(size)));
                if header {
                    cell = cell.shading(
                        Shading::new()
                            .shd_type(ShdType::Clear)
                            .color("auto")
                            .fill(HEADER_FILL),
                    );
                }
                cell
            })
            .collect();
        TableRow::new(cells).cant_split()
    };
    let mut table_rows = vec![make_row(head, true)];
    for r in rows {
        table_rows.push(make_row(r, false));
    }
    Table::new(table_rows)
        .set_grid(widths)
        .width(layout::TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .set_borders(borders())
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
