//! Markdown (rendered templates) → a small block model that the DOCX writer lays out.
//!
//! Supported: headings (`#`..`###`, deeper ones become level 3), paragraphs with **bold**,
//! *italic* and `code`, bullet and numbered lists (nested), tables (GFM, alignment row honoured),
//! block quotes (indented notes), hard line breaks, and `---` as a **page break** (one letter per
//! recipient). Links keep their text followed by the address; raw HTML is kept as plain text.

use pulldown_cmark::{Alignment, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::iter::Peekable;

/// A run of text with its emphasis.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub code: bool,
    /// A hard line break (the text is empty).
    pub line_break: bool,
}

/// Column alignment of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Not given: numbers are right-aligned, text left-aligned.
    Auto,
    Left,
    Center,
    Right,
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading {
        level: u8,
        spans: Vec<Span>,
    },
    Paragraph(Vec<Span>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Span>>,
        rows: Vec<Vec<Vec<Span>>>,
    },
    Quote(Vec<Block>),
    Code(String),
    PageBreak,
}

/// The Markdown extensions used everywhere (tables only: no footnotes, no smart punctuation,
/// so that the text of the templates is kept as written).
pub fn options() -> Options {
    Options::ENABLE_TABLES
}

/// Parses Markdown into blocks.
pub fn parse(md: &str) -> Vec<Block> {
    let mut events = Parser::new_ext(md, options()).peekable();
    parse_blocks(&mut events)
}

/// Plain text of spans (for tests and heuristics).
pub fn spans_text(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| if s.line_break { "\n" } else { s.text.as_str() })
        .collect()
}

fn is_inline(e: &Event<'_>) -> bool {
    match e {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineHtml(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::FootnoteReference(_)
        | Event::TaskListMarker(_)
        | Event::InlineMath(_)
        | Event::DisplayMath(_) => true,
        Event::Start(t) => matches!(
            t,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        _ => false,
    }
}

type Events<'a> = Peekable<Parser<'a>>;

/// Parses blocks until the end tag of the enclosing container (consumed) or the input's end.
fn parse_blocks(ev: &mut Events<'_>) -> Vec<Block> {
    let mut blocks = Vec::new();
    while let Some(e) = ev.peek() {
        if is_inline(e) {
            blocks.push(Block::Paragraph(parse_spans(ev, true)));
            continue;
        }
        let Some(e) = ev.next() else { break };
        match e {
            Event::End(_) => break,
            Event::Rule => blocks.push(Block::PageBreak),
            Event::Html(html) => blocks.push(Block::Paragraph(vec![plain(&html)])),
            Event::Start(tag) => {
                if let Some(b) = parse_container(tag, ev) {
                    blocks.push(b);
                }
            }
            _ => {}
        }
    }
    blocks
}

fn plain(text: &str) -> Span {
    Span {
        text: text.trim_end_matches('\n').to_owned(),
        ..Span::default()
    }
}

fn parse_container(tag: Tag<'_>, ev: &mut Events<'_>) -> Option<Block> {
    Some(match tag {
        Tag::Paragraph => Block::Paragraph(parse_spans(ev, false)),
        Tag::Heading { level, .. } => Block::Heading {
            level: (level as u8).min(3),
            spans: parse_spans(ev, false),
        },
        Tag::List(start) => {
            let mut items = Vec::new();
            while let Some(e) = ev.next() {
                match e {
                    Event::Start(Tag::Item) => items.push(parse_blocks(ev)),
                    Event::End(_) => break,
                    _ => {}
                }
            }
            Block::List {
                ordered: start.is_some(),
                start: start.unwrap_or(1),
                items,
            }
        }
        Tag::Table(aligns) => parse_table(&aligns, ev),
        Tag::BlockQuote(_) => Block::Quote(parse_blocks(ev)),
        Tag::CodeBlock(_) => {
            let mut code = String::new();
            for e in ev.by_ref() {
                match e {
                    Event::Text(t) => code.push_str(&t),
                    Event::End(_) => break,
                    _ => {}
                }
            }
            Block::Code(code.trim_end_matches('\n').to_owned())
        }
        Tag::HtmlBlock => {
            let mut text = String::new();
            for e in ev.by_ref() {
                match e {
                    Event::Html(t) | Event::Text(t) => text.push_str(&t),
                    Event::End(_) => break,
                    _ => {}
                }
            }
            Block::Paragraph(vec![plain(&text)])
        }
        _ => {
            // Footnote definitions, metadata…: not produced by our options; skip their content.
            let _ = parse_blocks(ev);
            return None;
        }
    })
}

fn parse_table(aligns: &[Alignment], ev: &mut Events<'_>) -> Block {
    let align = aligns
        .iter()
        .map(|a| match a {
            Alignment::None => Align::Auto,
            Alignment::Left => Align::Left,
            Alignment::Center => Align::Center,
            Alignment::Right => Align::Right,
        })
        .collect();
    let mut head = Vec::new();
    let mut rows: Vec<Vec<Vec<Span>>> = Vec::new();
    let mut in_head = false;
    while let Some(e) = ev.next() {
        match e {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => {
                let cell = parse_spans(ev, false);
                match rows.last_mut() {
                    Some(row) if !in_head => row.push(cell),
                    _ => head.push(cell),
                }
            }
            Event::End(TagEnd::Table) => break,
            _ => {}
        }
    }
    Block::Table { align, head, rows }
}

/// Parses inline events until the end of the enclosing paragraph/heading/cell (consumed) or,
/// when `implicit` (text of a tight list item), until the next block or end event (not consumed).
fn parse_spans(ev: &mut Events<'_>, implicit: bool) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    let (mut bold, mut italic) = (0u32, 0u32);
    let mut links: Vec<CowStr<'_>> = Vec::new();
    let mut depth = 0u32;
    loop {
        match ev.peek() {
            None => break,
            Some(Event::End(_)) if depth == 0 && implicit => break,
            Some(e) if depth == 0 && !is_inline(e) && !matches!(e, Event::End(_)) => break,
            _ => {}
        }
        let Some(e) = ev.next() else { break };
        let text = |t: &str, code: bool| Span {
            text: t.to_owned(),
            bold: bold > 0,
            italic: italic > 0,
            code,
            line_break: false,
        };
        match e {
            Event::Text(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                spans.push(text(&t, false));
            }
            Event::InlineHtml(t) => spans.push(text(&t, false)),
            Event::Code(t) => spans.push(text(&t, true)),
            Event::SoftBreak => spans.push(text(" ", false)),
            Event::HardBreak => spans.push(Span {
                line_break: true,
                ..Span::default()
            }),
            Event::FootnoteReference(t) => spans.push(text(&format!("[{t}]"), false)),
            Event::TaskListMarker(done) => spans.push(text(if done { "☒ " } else { "☐ " }, false)),
            Event::Start(tag) => {
                depth += 1;
                match tag {
                    Tag::Strong => bold += 1,
                    Tag::Emphasis => italic += 1,
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                        links.push(dest_url);
                    }
                    _ => {}
                }
            }
            Event::End(end) => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
                match end {
                    TagEnd::Strong => bold = bold.saturating_sub(1),
                    TagEnd::Emphasis => italic = italic.saturating_sub(1),
                    TagEnd::Link | TagEnd::Image => {
                        if let Some(url) = links.pop() {
                            let shown = spans_text(&spans);
                            if !url.is_empty() && !shown.ends_with(url.as_ref()) {
                                spans.push(text(&format!(" ({url})"), false));
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    merge_spans(spans)
}

/// Joins adjacent spans with the same emphasis (fewer runs in the DOCX).
fn merge_spans(spans: Vec<Span>) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last)
                if !last.line_break
                    && !s.line_break
                    && (last.bold, last.italic, last.code) == (s.bold, s.italic, s.code) =>
            {
                last.text.push_str(&s.text);
            }
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_and_emphasis() {
        let blocks = parse(
            "# Article 1 – Objet\n\nLe **marché** a pour *objet*\nla fourniture.\n\n#### Détail",
        );
        assert_eq!(blocks.len(), 3);
        let Block::Heading { level: 1, spans } = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(spans_text(spans), "Article 1 – Objet");
        let Block::Paragraph(spans) = &blocks[1] else {
            panic!()
        };
        assert_eq!(spans_text(spans), "Le marché a pour objet la fourniture.");
        assert!(spans.iter().any(|s| s.bold && s.text == "marché"));
        assert!(spans.iter().any(|s| s.italic && s.text == "objet"));
        assert!(matches!(blocks[2], Block::Heading { level: 3, .. }));
    }

    #[test]
    fn tight_and_loose_lists_and_nesting() {
        let blocks = parse("- un\n- deux\n  1. a\n  2. b\n\n3. trois\n4. quatre\n");
        let Block::List {
            ordered: false,
            items,
            ..
        } = &blocks[0]
        else {
            panic!("{blocks:?}")
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(
            items[1][1],
            Block::List {
                ordered: true,
                start: 1,
                ..
            }
        ));
        assert!(matches!(
            blocks[1],
            Block::List {
                ordered: true,
                start: 3,
                ..
            }
        ));
    }

    #[test]
    fn tables_keep_alignment_head_and_escaped_pipes() {
        let blocks = parse(
            "| Membre | Montant |\n| --- | ---: |\n| A \\| B | 1 234,00 € |\n| **Total** | 2 |\n",
        );
        let Block::Table { align, head, rows } = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(align, &vec![Align::Auto, Align::Right]);
        assert_eq!(spans_text(&head[1]), "Montant");
        assert_eq!(rows.len(), 2);
        assert_eq!(spans_text(&rows[0][0]), "A | B");
        assert!(rows[1][0][0].bold);
    }

    #[test]
    fn rule_is_a_page_break_and_links_show_their_address() {
        let blocks =
            parse("Lettre 1\n\n---\n\nVoir [le profil](https://marches.example.fr) <b>x</b>");
        assert_eq!(blocks[1], Block::PageBreak);
        let Block::Paragraph(spans) = &blocks[2] else {
            panic!()
        };
        assert_eq!(
            spans_text(spans),
            "Voir le profil (https://marches.example.fr) <b>x</b>"
        );
    }
}
