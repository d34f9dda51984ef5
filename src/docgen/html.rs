//! Markdown → HTML for the browser preview of a piece. Raw HTML written in the Markdown (by a
//! template, a clause or user data) is shown as text, never interpreted, and links other than
//! http(s)/mailto/relative are neutralised.

use super::markdown;
use pulldown_cmark::{CowStr, Event, Parser, Tag};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // A scheme is present (before any '/', '?' or '#').
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Renders `md` as an HTML fragment (tables enabled); HTML in the input is escaped.
pub fn markdown_to_html(md: &str) -> String {
    let events = Parser::new_ext(md, markdown::options()).map(|e| match e {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped() {
        let html =
            markdown_to_html("Texte <script>alert(1)</script>\n\n<div onclick=\"x\">bloc</div>\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<div"), "{html}");
    }

    #[test]
    fn tables_and_emphasis_are_rendered() {
        let html = markdown_to_html("| A | B |\n| - | -: |\n| **x** | 1 |\n");
        assert!(
            html.contains("<table>") && html.contains("<strong>x</strong>"),
            "{html}"
        );
        assert!(html.contains("text-align: right"), "{html}");
    }

    #[test]
    fn dangerous_links_are_neutralised() {
        let html = markdown_to_html("[a](javascript:alert(1)) [b](https://ok.fr) [c](/rel)");
        assert!(!html.contains("javascript"), "{html}");
        assert!(
            html.contains("href=\"https://ok.fr\"") && html.contains("href=\"/rel\""),
            "{html}"
        );
    }
}
