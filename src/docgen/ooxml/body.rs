//! Block-level WordprocessingML (`w:p`, `w:r`, `w:tbl`, fields, bookmarks) written into a string,
//! each property element in the sequence order of the schema (`CT_PPr`, `CT_RPr`, `CT_TblPr`,
//! `CT_TcPr`): Word and the Open XML validators reject children out of that order.

use super::xml::{push_attr, push_text};
use std::fmt::Write as _;

/// Paragraph spacing in twips (`line` in 240ths of a line, rule `auto`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spacing {
    pub before: Option<u32>,
    pub after: Option<u32>,
    pub line: Option<u32>,
}

/// Paragraph properties the engine uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct PPr<'a> {
    pub style: Option<&'a str>,
    pub keep_next: bool,
    /// List membership: (numbering instance, level).
    pub num: Option<(usize, usize)>,
    /// A right-aligned tab stop with a dot leader at this position (TOC entries).
    pub right_tab_dots: Option<usize>,
    pub spacing: Option<Spacing>,
    pub ind_left: Option<i32>,
    /// `left`, `center`, `right` or `both`.
    pub jc: Option<&'a str>,
}

/// Run properties the engine uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct RPr<'a> {
    /// Monospaced (inline code).
    pub mono: bool,
    pub bold: bool,
    pub italic: bool,
    pub color: Option<&'a str>,
    /// Half-points.
    pub size: Option<usize>,
}

impl RPr<'_> {
    fn is_empty(&self) -> bool {
        !self.mono && !self.bold && !self.italic && self.color.is_none() && self.size.is_none()
    }
}

/// A part body being written (`w:body`, `w:hdr` or `w:ftr` content).
#[derive(Debug, Default)]
pub struct Body {
    pub xml: String,
}

impl Body {
    /// An empty body with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Body {
            xml: String::with_capacity(capacity),
        }
    }

    /// Opens a paragraph and writes its properties; close it with [`Self::end_p`].
    pub fn start_p(&mut self, p: &PPr<'_>) {
        let x = &mut self.xml;
        x.push_str("<w:p>");
        let empty = p.style.is_none()
            && !p.keep_next
            && p.num.is_none()
            && p.right_tab_dots.is_none()
            && p.spacing.is_none()
            && p.ind_left.is_none()
            && p.jc.is_none();
        if empty {
            return;
        }
        x.push_str("<w:pPr>");
        if let Some(s) = p.style {
            let _ = write!(x, r#"<w:pStyle w:val="{s}"/>"#);
        }
        if p.keep_next {
            x.push_str("<w:keepNext/>");
        }
        if let Some((id, lvl)) = p.num {
            let _ = write!(
                x,
                r#"<w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{id}"/></w:numPr>"#
            );
        }
        if let Some(pos) = p.right_tab_dots {
            let _ = write!(
                x,
                r#"<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{pos}"/></w:tabs>"#
            );
        }
        if let Some(s) = p.spacing {
            x.push_str("<w:spacing");
            if let Some(b) = s.before {
                let _ = write!(x, r#" w:before="{b}""#);
            }
            if let Some(a) = s.after {
                let _ = write!(x, r#" w:after="{a}""#);
            }
            if let Some(l) = s.line {
                let _ = write!(x, r#" w:line="{l}" w:lineRule="auto""#);
            }
            x.push_str("/>");
        }
        if let Some(left) = p.ind_left {
            let _ = write!(x, r#"<w:ind w:left="{left}"/>"#);
        }
        if let Some(jc) = p.jc {
            let _ = write!(x, r#"<w:jc w:val="{jc}"/>"#);
        }
        x.push_str("</w:pPr>");
    }

    /// Closes the paragraph opened by [`Self::start_p`].
    pub fn end_p(&mut self) {
        self.xml.push_str("</w:p>");
    }

    /// A whole paragraph of one run (or none when `text` is empty).
    pub fn para(&mut self, p: &PPr<'_>, text: &str, r: &RPr<'_>) {
        self.start_p(p);
        if !text.is_empty() {
            self.run(text, r);
        }
        self.end_p();
    }

    fn rpr(&mut self, r: &RPr<'_>) {
        if r.is_empty() {
            return;
        }
        let x = &mut self.xml;
        x.push_str("<w:rPr>");
        if r.mono {
            x.push_str(r#"<w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/>"#);
        }
        if r.bold {
            x.push_str("<w:b/><w:bCs/>");
        }
        if r.italic {
            x.push_str("<w:i/><w:iCs/>");
        }
        if let Some(c) = r.color {
            let _ = write!(x, r#"<w:color w:val="{c}"/>"#);
        }
        if let Some(s) = r.size {
            let _ = write!(x, r#"<w:sz w:val="{s}"/><w:szCs w:val="{s}"/>"#);
        }
        x.push_str("</w:rPr>");
    }

    /// A run of text: tabs become `w:tab`, line feeds `w:br`.
    pub fn run(&mut self, text: &str, r: &RPr<'_>) {
        self.xml.push_str("<w:r>");
        self.rpr(r);
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.xml.push_str("<w:br/>");
            }
            for (j, piece) in line.split('\t').enumerate() {
                if j > 0 {
                    self.xml.push_str("<w:tab/>");
                }
                if !piece.is_empty() {
                    self.xml.push_str(r#"<w:t xml:space="preserve">"#);
                    push_text(&mut self.xml, piece);
                    self.xml.push_str("</w:t>");
                }
            }
        }
        self.xml.push_str("</w:r>");
    }

    /// A line break (`w:br`) in its own run.
    pub fn line_break(&mut self) {
        self.xml.push_str("<w:r><w:br/></w:r>");
    }

    /// A paragraph holding only a page break.
    pub fn page_break(&mut self) {
        self.xml
            .push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#);
    }

    /// A complex field (`PAGE`, `NUMPAGES`, `PAGEREF x \h`…) with its cached `result`.
    pub fn field(&mut self, instr: &str, result: &str, r: &RPr<'_>) {
        self.field_begin(instr, r);
        self.run(result, r);
        self.field_end(r);
    }

    /// The start of a complex field up to its separator (the result follows).
    pub fn field_begin(&mut self, instr: &str, r: &RPr<'_>) {
        self.xml.push_str("<w:r>");
        self.rpr(r);
        self.xml
            .push_str(r#"<w:fldChar w:fldCharType="begin"/></w:r><w:r>"#);
        self.rpr(r);
        self.xml.push_str(r#"<w:instrText xml:space="preserve"> "#);
        push_text(&mut self.xml, instr);
        self.xml.push_str(" </w:instrText></w:r><w:r>");
        self.rpr(r);
        self.xml
            .push_str(r#"<w:fldChar w:fldCharType="separate"/></w:r>"#);
    }

    /// The end of a complex field.
    pub fn field_end(&mut self, r: &RPr<'_>) {
        self.xml.push_str("<w:r>");
        self.rpr(r);
        self.xml
            .push_str(r#"<w:fldChar w:fldCharType="end"/></w:r>"#);
    }

    /// `w:bookmarkStart` (inside a paragraph, after its properties).
    pub fn bookmark_start(&mut self, id: usize, name: &str) {
        let _ = write!(self.xml, r#"<w:bookmarkStart w:id="{id}" w:name=""#);
        push_attr(&mut self.xml, name);
        self.xml.push_str(r#""/>"#);
    }

    /// `w:bookmarkEnd`.
    pub fn bookmark_end(&mut self, id: usize) {
        let _ = write!(self.xml, r#"<w:bookmarkEnd w:id="{id}"/>"#);
    }

    /// Opens a fixed-layout table of `widths` (twips) with single borders of `border_color`.
    pub fn start_table(&mut self, widths: &[usize], border_color: &str) {
        let total: usize = widths.iter().sum();
        let x = &mut self.xml;
        let _ = write!(
            x,
            r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:tblBorders>"#
        );
        for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
            let _ = write!(
                x,
                r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{border_color}"/>"#
            );
        }
        x.push_str(
            r#"</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>"#,
        );
        for w in widths {
            let _ = write!(x, r#"<w:gridCol w:w="{w}"/>"#);
        }
        x.push_str("</w:tblGrid>");
    }

    /// Opens a row that never splits across pages; a `header` row repeats on each page.
    pub fn start_row(&mut self, header: bool) {
        self.xml.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if header {
            self.xml.push_str("<w:tblHeader/>");
        }
        self.xml.push_str("</w:trPr>");
    }

    /// Opens a cell of `width` twips, shaded with `fill` if given; a paragraph must follow.
    pub fn start_cell(&mut self, width: usize, fill: Option<&str>) {
        let _ = write!(
            self.xml,
            r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>"#
        );
        if let Some(f) = fill {
            let _ = write!(
                self.xml,
                r#"<w:shd w:val="clear" w:color="auto" w:fill="{f}"/>"#
            );
        }
        self.xml.push_str("</w:tcPr>");
    }

    /// Closes a cell.
    pub fn end_cell(&mut self) {
        self.xml.push_str("</w:tc>");
    }

    /// Closes a row.
    pub fn end_row(&mut self) {
        self.xml.push_str("</w:tr>");
    }

    /// Closes a table.
    pub fn end_table(&mut self) {
        self.xml.push_str("</w:tbl>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_follow_the_schema_order() {
        let mut b = Body::default();
        b.start_p(&PPr {
            style: Some("Heading1"),
            keep_next: true,
            num: Some((3, 1)),
            spacing: Some(Spacing {
                before: Some(0),
                after: Some(60),
                line: None,
            }),
            ind_left: Some(567),
            jc: Some("both"),
            ..PPr::default()
        });
        b.run(
            "a\tb\nc & d",
            &RPr {
                mono: true,
                bold: true,
                italic: true,
                color: Some("595959"),
                size: Some(16),
            },
        );
        b.end_p();
        let x = &b.xml;
        let order = [
            "pStyle", "keepNext", "numPr", "spacing", "ind", "jc", "rFonts", "<w:b/>", "<w:i/>",
            "color", "w:sz ",
        ];
        let pos: Vec<usize> = order.iter().map(|t| x.find(t).expect(t)).collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{x}");
        assert!(x.contains("<w:tab/>") && x.contains("<w:br/>") && x.contains("c &amp; d"));
    }

    #[test]
    fn header_rows_repeat_and_no_row_splits() {
        let mut b = Body::default();
        b.start_table(&[100, 200], "000000");
        b.start_row(true);
        b.end_row();
        b.start_row(false);
        b.end_row();
        b.end_table();
        assert_eq!(b.xml.matches("<w:cantSplit/>").count(), 2);
        assert_eq!(b.xml.matches("<w:tblHeader/>").count(), 1);
        assert!(b.xml.contains(r#"<w:tblW w:w="300" w:type="dxa"/>"#));
    }
}
