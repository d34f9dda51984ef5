//! Independent DOCX reader for tests: unzips with `zip` and reads WordprocessingML with
//! `quick-xml` (not the engine's writer, so that the writer is not checked by its own reader).
//!
//! Text is read as it would be typed: the no-break spaces of French typography (U+202F before
//! `; : ? !` and inside « », U+00A0 before units) read as ordinary spaces, so that content
//! checks do not depend on typography; the spaces of an amount written by the `money` and
//! `percent` helpers (between digits, before « € » or « % ») are kept. The `raw_*` readers
//! give the text exactly as stored.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// Every part of a DOCX package, by name.
pub struct Docx {
    pub parts: BTreeMap<String, Vec<u8>>,
}

/// A table of `word/document.xml`.
#[derive(Debug, Default, Clone)]
pub struct Table {
    /// Text of each cell, row by row.
    pub rows: Vec<Vec<String>>,
    /// `w:tblBorders` declares the four outer borders and both inside borders, none "nil"/"none".
    pub all_borders: bool,
    /// Every cell of the first row is shaded (`w:shd` with a fill other than auto).
    pub header_shaded: bool,
    /// Every text run of the first row is bold.
    pub header_bold: bool,
    /// Paragraph alignment (`w:jc`) of each cell, row by row ("" when none).
    pub alignments: Vec<Vec<String>>,
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.try_get_attribute(key).ok().flatten().and_then(|a| {
        a.normalized_value(XmlVersion::Implicit1_0)
            .ok()
            .map(|v| v.into_owned())
    })
}

fn entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        n => {
            let code = n
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()));
            code.and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_default()
        }
    }
}

/// Opens a DOCX package.
///
/// # Panics
/// If the bytes are not a readable zip archive.
pub fn open(bytes: &[u8]) -> Docx {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("archive zip lisible");
    let mut parts = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entrée zip");
        if f.is_dir() {
            continue;
        }
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).expect("lecture d'une entrée zip");
        let name = f.name().expect("nom d'entrée zip en UTF-8").into_owned();
        parts.insert(name, buf);
    }
    Docx { parts }
}

impl Docx {
    /// A part as UTF-8 text.
    pub fn xml(&self, name: &str) -> &str {
        std::str::from_utf8(
            self.parts
                .get(name)
                .unwrap_or_else(|| panic!("partie {name} absente")),
        )
        .expect("XML en UTF-8")
    }

    /// Names of the XML parts (`.xml` and `.rels`).
    pub fn xml_parts(&self) -> Vec<&str> {
        self.parts
            .keys()
            .map(String::as_str)
            .filter(|n| n.ends_with(".xml") || n.ends_with(".rels"))
            .collect()
    }

    /// Checks that every XML part is well-formed: parses to the end, end tags match, one root.
    pub fn check_well_formed(&self) -> Result<(), String> {
        for name in self.xml_parts() {
            let mut r = Reader::from_str(self.xml(name));
            let (mut depth, mut roots) = (0usize, 0usize);
            loop {
                match r.read_event() {
                    Ok(Event::Start(_)) => {
                        if depth == 0 {
                            roots += 1;
                        }
                        depth += 1;
                    }
                    Ok(Event::Empty(_)) if depth == 0 => roots += 1,
                    Ok(Event::End(_)) => {
                        depth = depth
                            .checked_sub(1)
                            .ok_or(format!("{name} : balise fermante en trop"))?
                    }
                    Ok(Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => {
                        return Err(format!("{name} : {e} (position {})", r.error_position()));
                    }
                }
            }
            if depth != 0 || roots != 1 {
                return Err(format!(
                    "{name} : profondeur finale {depth}, {roots} racine(s)"
                ));
            }
        }
        Ok(())
    }

    /// Paragraph texts of a part (runs concatenated, `w:tab` as a tab, `w:br` as a newline),
    /// typographic spaces read as typed (see the module documentation).
    pub fn paragraphs(&self, name: &str) -> Vec<String> {
        self.raw_paragraphs(name)
            .iter()
            .map(|p| read_as_typed(p))
            .collect()
    }

    /// Paragraph texts of a part exactly as stored.
    pub fn raw_paragraphs(&self, name: &str) -> Vec<String> {
        let mut r = Reader::from_str(self.xml(name));
        let (mut out, mut cur, mut in_t) = (Vec::new(), String::new(), false);
        loop {
            match r.read_event().expect("XML lisible") {
                Event::Empty(e) if local(e.name().as_ref()) == "p" => out.push(String::new()),
                Event::Start(e) if local(e.name().as_ref()) == "t" => in_t = true,
                Event::Empty(e) if local(e.name().as_ref()) == "tab" => cur.push('\t'),
                Event::Empty(e) if local(e.name().as_ref()) == "br" => cur.push('\n'),
                Event::Text(t) if in_t => cur.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
                Event::GeneralRef(g) if in_t => cur.push_str(&entity(&g)),
                Event::End(e) if local(e.name().as_ref()) == "t" => in_t = false,
                Event::End(e) if local(e.name().as_ref()) == "p" => {
                    out.push(std::mem::take(&mut cur))
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    /// All paragraph texts of a part joined by newlines.
    pub fn text(&self, name: &str) -> String {
        self.paragraphs(name).join("\n")
    }

    /// Text of the body.
    pub fn document_text(&self) -> String {
        self.text("word/document.xml")
    }

    fn parts_like(&self, prefix: &str) -> Vec<&str> {
        self.parts
            .keys()
            .map(String::as_str)
            .filter(|n| n.starts_with(prefix) && n.ends_with(".xml"))
            .collect()
    }

    /// Text of every header part.
    pub fn header_text(&self) -> String {
        self.parts_like("word/header")
            .iter()
            .map(|n| self.text(n))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Text of every footer part.
    pub fn footer_text(&self) -> String {
        self.parts_like("word/footer")
            .iter()
            .map(|n| self.text(n))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Field instructions (`w:instrText`, `w:fldSimple/@w:instr`) of a part, trimmed.
    pub fn field_codes(&self, name: &str) -> Vec<String> {
        let mut r = Reader::from_str(self.xml(name));
        let (mut out, mut in_instr) = (Vec::new(), false);
        loop {
            match r.read_event().expect("XML lisible") {
                Event::Start(e) if local(e.name().as_ref()) == "instrText" => {
                    in_instr = true;
                    out.push(String::new());
                }
                Event::Start(e) | Event::Empty(e) if local(e.name().as_ref()) == "fldSimple" => {
                    out.push(attr(&e, "w:instr").unwrap_or_default());
                }
                Event::Text(t) if in_instr => {
                    if let Some(last) = out.last_mut() {
                        last.push_str(&t.xml_content(XmlVersion::Implicit1_0));
                    }
                }
                Event::End(e) if local(e.name().as_ref()) == "instrText" => in_instr = false,
                Event::Eof => break,
                _ => {}
            }
        }
        out.into_iter().map(|s| s.trim().to_owned()).collect()
    }

    /// Field codes of every footer part.
    pub fn footer_field_codes(&self) -> Vec<String> {
        self.parts_like("word/footer")
            .iter()
            .flat_map(|n| self.field_codes(n))
            .collect()
    }

    /// The tables of the body (nested tables are not expected).
    pub fn tables(&self) -> Vec<Table> {
        let mut r = Reader::from_str(self.xml("word/document.xml"));
        let mut done: Vec<Table> = Vec::new();
        let mut cur: Option<Table> = None;
        let mut st = TableScan::default();
        loop {
            let ev = r.read_event().expect("XML lisible");
            if matches!(ev, Event::Eof) {
                break;
            }
            let (start, empty) = match &ev {
                Event::Start(e) => (Some(e.clone()), false),
                Event::Empty(e) => (Some(e.clone()), true),
                _ => (None, false),
            };
            if let Some(e) = &start
                && local(e.name().as_ref()) == "tbl"
            {
                cur = Some(Table {
                    header_bold: true,
                    ..Table::default()
                });
                st = TableScan::default();
                continue;
            }
            let Some(t) = cur.as_mut() else { continue };
            if let Some(e) = start {
                st.start(t, &e, empty);
                continue;
            }
            match ev {
                Event::Text(x) if st.in_t => st.text(t, &x.xml_content(XmlVersion::Implicit1_0)),
                Event::GeneralRef(g) if st.in_t => st.text(t, &entity(&g)),
                Event::End(e) if local(e.name().as_ref()) == "tbl" => {
                    done.extend(cur.take().map(|mut t| {
                        for cell in t.rows.iter_mut().flatten() {
                            *cell = read_as_typed(cell);
                        }
                        t
                    }))
                }
                Event::End(e) => st.end(t, local(e.name().as_ref())),
                _ => {}
            }
        }
        done
    }

    /// `dcterms:created` of `docProps/core.xml`.
    pub fn core_created(&self) -> String {
        let xml = self.xml("docProps/core.xml");
        let start = xml.find("<dcterms:created").expect("dcterms:created");
        let open_end = start + xml[start..].find('>').expect(">") + 1;
        let close = open_end + xml[open_end..].find('<').expect("<");
        xml[open_end..close].to_owned()
    }
}

/// `text` with the no-break spaces of typography as ordinary spaces, except inside amounts
/// (between two digits, or between a digit and « € » or « % »).
pub fn read_as_typed(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if c != '\u{202F}' && c != '\u{A0}' {
                return c;
            }
            let prev = i.checked_sub(1).map(|k| chars[k]);
            let next = chars.get(i + 1).copied();
            let in_amount = prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit() || n == '€' || n == '%');
            if in_amount { c } else { ' ' }
        })
        .collect()
}

/// Scanning state inside one table.
#[derive(Default)]
struct TableScan {
    in_t: bool,
    in_borders: bool,
    in_rpr: bool,
    run_bold: bool,
    border_sides: Vec<String>,
    row_shaded: Vec<bool>,
    row_bold: bool,
}

impl TableScan {
    fn start(&mut self, t: &mut Table, e: &BytesStart<'_>, empty: bool) {
        let qname = e.name();
        let name = local(qname.as_ref());
        match name {
            "tblBorders" => self.in_borders = !empty,
            "top" | "left" | "bottom" | "right" | "insideH" | "insideV" if self.in_borders => {
                let val = attr(e, "w:val").unwrap_or_default();
                if val != "nil" && val != "none" {
                    self.border_sides.push(name.to_owned());
                }
            }
            "tr" => {
                t.rows.push(Vec::new());
                t.alignments.push(Vec::new());
                self.row_shaded.clear();
                self.row_bold = true;
            }
            "tc" => {
                if let Some(row) = t.rows.last_mut() {
                    row.push(String::new());
                }
                if let Some(a) = t.alignments.last_mut() {
                    a.push(String::new());
                }
                self.row_shaded.push(false);
            }
            "shd" => {
                let fill = attr(e, "w:fill").unwrap_or_default();
                if let Some(s) = self.row_shaded.last_mut() {
                    *s = !fill.is_empty() && fill != "auto";
                }
            }
            "jc" if !self.in_rpr => {
                if let Some(a) = t.alignments.last_mut().and_then(|r| r.last_mut()) {
                    *a = attr(e, "w:val").unwrap_or_default();
                }
            }
            "r" => self.run_bold = false,
            "rPr" => self.in_rpr = !empty,
            "b" if self.in_rpr => {
                self.run_bold = attr(e, "w:val").is_none_or(|v| v != "false" && v != "0");
            }
            "t" => self.in_t = !empty,
            _ => {}
        }
    }

    fn text(&mut self, t: &mut Table, text: &str) {
        if t.rows.len() == 1 && !text.trim().is_empty() && !self.run_bold {
            self.row_bold = false;
        }
        if let Some(cell) = t.rows.last_mut().and_then(|r| r.last_mut()) {
            cell.push_str(text);
        }
    }

    fn end(&mut self, t: &mut Table, name: &str) {
        match name {
            "t" => self.in_t = false,
            "rPr" => self.in_rpr = false,
            "tblBorders" => {
                self.in_borders = false;
                t.all_borders = ["top", "left", "bottom", "right", "insideH", "insideV"]
                    .iter()
                    .all(|s| self.border_sides.iter().any(|b| b == s));
            }
            "tr" if t.rows.len() == 1 => {
                t.header_shaded = !self.row_shaded.is_empty() && self.row_shaded.iter().all(|s| *s);
                t.header_bold = self.row_bold;
            }
            _ => {}
        }
    }
}
