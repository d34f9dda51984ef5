//! The groupement's reference document (« document de référence »): one Word file whose
//! styles, theme, fonts, header and footer every pièce and letter takes, as pandoc's
//! `--reference-doc` does. [`ReferenceDoc::read`] checks the upload once (French messages, a
//! refusal stores nothing); [`super::docx`] then applies it to each document it writes.
//!
//! How the two looks are merged:
//! - **styles**: the reference's `styles.xml` is the base (its defaults, fonts and every style it
//!   defines win). A style the engine uses but the reference lacks is added; when the reference
//!   has it under another identifier (Word writes localised ids: `Titre1` for « heading 1 »), the
//!   engine's identifier is added as an alias based on the reference's style, so its look applies
//!   without rewriting the body;
//! - **theme and font table**: the reference's when they stand alone (no relationships);
//! - **header and footer**: the reference's default header and footer with their images. The
//!   running line (consultation reference and title) is added under the header of content pages;
//!   the page number is added to the footer unless it already has a PAGE field. The title page of
//!   a pièce and the first page of a letter carry the letterhead as it is.
//!
//! Page size and margins stay the engine's (A4, 2 cm), so tables keep their width.

use super::ooxml::parts::W_NS;
use super::ooxml::xml::push_attr;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{Cursor, Read};
use std::ops::Range;

/// Largest upload accepted (bytes).
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// Largest part read from the archive once inflated (guards against zip bombs).
const MAX_PART_BYTES: u64 = 16 * 1024 * 1024;

const MAIN_TYPES: [&str; 2] = [
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
];
const STRICT_W_NS: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";

/// A header or footer taken from the reference, ready to be written as a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letterhead {
    /// The part as the reference has it (its own namespace declarations).
    pub xml: String,
    /// Its relationships, image targets renamed into the engine's package; `None` if none.
    pub rels: Option<String>,
    /// A PAGE field is already there (footer): the engine adds no page number.
    pub has_page_field: bool,
}

impl Letterhead {
    /// The part with `extra` (paragraphs in the `w` namespace) added at its end.
    pub fn with_paragraphs(&self, extra: &str) -> String {
        match self.xml.rfind("</w:") {
            Some(at) => {
                let mut x = String::with_capacity(self.xml.len() + extra.len());
                x.push_str(&self.xml[..at]);
                x.push_str(extra);
                x.push_str(&self.xml[at..]);
                x
            }
            None => self.xml.clone(),
        }
    }

    /// The part as a second copy (the title page's header): the ids of its drawings
    /// (`wp:docPr id`) shifted by `offset`, as Word wants them unique in the document.
    pub fn second_copy(&self, offset: u32) -> String {
        const MARK: &str = "<wp:docPr id=\"";
        let mut out = String::with_capacity(self.xml.len() + 16);
        let mut rest = self.xml.as_str();
        while let Some(at) = rest.find(MARK) {
            let (head, tail) = rest.split_at(at + MARK.len());
            out.push_str(head);
            let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
            match tail[..digits].parse::<u32>() {
                Ok(n) => {
                    let _ = write!(out, "{}", n.saturating_add(offset));
                }
                Err(_) => out.push_str(&tail[..digits]),
            }
            rest = &tail[digits..];
        }
        out.push_str(rest);
        out
    }
}

/// An image of the letterhead, copied into every document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// Path in the package, e.g. `word/media/reference1.png`.
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One style of a `styles.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StyleEntry {
    kind: String,
    id: String,
    /// `w:name`, lower-cased (Word's names are the English ones whatever the language).
    name: String,
    default: bool,
    range: Range<usize>,
}

/// A checked reference document, ready to be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceDoc {
    styles: String,
    style_index: Vec<StyleEntry>,
    pub theme: Option<String>,
    pub font_table: Option<String>,
    pub header: Option<Letterhead>,
    pub footer: Option<Letterhead>,
    pub media: Vec<Media>,
}

/// What the reference provides, for the upload page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub styles: usize,
    pub header: bool,
    pub footer: bool,
    pub images: usize,
    pub fonts: Vec<String>,
}

fn refused(msg: impl Into<String>) -> String {
    msg.into()
}

struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
}

impl Archive<'_> {
    fn bytes(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let name = name.trim_start_matches('/');
        let mut file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(_) => {
                return Err(refused(format!(
                    "la partie « {name} » de l'archive est illisible"
                )));
            }
        };
        let mut out = Vec::new();
        (&mut file)
            .take(MAX_PART_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|_| refused(format!("la partie « {name} » de l'archive est illisible")))?;
        if out.len() as u64 > MAX_PART_BYTES {
            return Err(refused(format!(
                "la partie « {name} » dépasse 16 Mo une fois décompressée"
            )));
        }
        Ok(Some(out))
    }

    fn text(&mut self, name: &str) -> Result<Option<String>, String> {
        match self.bytes(name)? {
            None => Ok(None),
            Some(b) => String::from_utf8(b)
                .map(Some)
                .map_err(|_| refused(format!("la partie « {name} » n'est pas en UTF-8"))),
        }
    }
}

/// The qualified name of an element (`w:style`).
fn qname<'a>(e: &'a BytesStart<'_>) -> &'a str {
    e.name().into_inner()
}

/// The local name of an element (`Relationship`).
fn local<'a>(e: &'a BytesStart<'_>) -> &'a str {
    e.local_name().into_inner()
}

/// `attr` of `e`, unescaped (`None` when absent or unreadable).
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

/// Every start or empty element of `xml` with the local name `local`, through `f`.
fn each_element(
    xml: &str,
    part: &str,
    mut f: impl FnMut(&BytesStart<'_>, bool),
) -> Result<(), String> {
    let mut r = Reader::from_str(xml);
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => f(&e, false),
            Ok(Event::Empty(e)) => f(&e, true),
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(_) => {
                return Err(refused(format!(
                    "la partie « {part} » n'est pas du XML bien formé"
                )));
            }
        }
    }
}

/// Relationships of a part: id → (type, target, external).
fn relationships(xml: &str, part: &str) -> Result<Vec<(String, String, String, bool)>, String> {
    let mut out = Vec::new();
    each_element(xml, part, |e, _| {
        if local(e) == "Relationship" {
            out.push((
                attr(e, "Id").unwrap_or_default(),
                attr(e, "Type").unwrap_or_default(),
                attr(e, "Target").unwrap_or_default(),
                attr(e, "TargetMode").is_some_and(|m| m == "External"),
            ));
        }
    })?;
    Ok(out)
}

/// The path of `target` relative to the folder of `part` (`word/document.xml` + `media/a.png`
/// → `word/media/a.png`; an absolute target starts at the package root).
fn resolve(part: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_owned();
    }
    let mut segs: Vec<&str> = part.split('/').collect();
    segs.pop();
    for s in target.split('/') {
        match s {
            ".." => {
                segs.pop();
            }
            "." | "" => {}
            s => segs.push(s),
        }
    }
    segs.join("/")
}

/// The relationships part of `part` (`word/header1.xml` → `word/_rels/header1.xml.rels`).
fn rels_name(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// Content types of the package: (defaults by extension, overrides by part).
struct ContentTypes {
    defaults: HashMap<String, String>,
    overrides: HashMap<String, String>,
}

impl ContentTypes {
    fn read(xml: &str) -> Result<Self, String> {
        let mut ct = ContentTypes {
            defaults: HashMap::new(),
            overrides: HashMap::new(),
        };
        each_element(xml, "[Content_Types].xml", |e, _| match local(e) {
            "Default" => {
                if let (Some(ext), Some(t)) = (attr(e, "Extension"), attr(e, "ContentType")) {
                    ct.defaults.insert(ext.to_lowercase(), t);
                }
            }
            "Override" => {
                if let (Some(p), Some(t)) = (attr(e, "PartName"), attr(e, "ContentType")) {
                    ct.overrides
                        .insert(p.trim_start_matches('/').to_lowercase(), t);
                }
            }
            _ => {}
        })?;
        Ok(ct)
    }

    fn of(&self, part: &str) -> Option<&str> {
        if let Some(t) = self.overrides.get(&part.to_lowercase()) {
            return Some(t);
        }
        let ext = part.rsplit_once('.')?.1.to_lowercase();
        self.defaults.get(&ext).map(String::as_str)
    }
}

/// Every `w:style` of a `styles.xml`, with its byte range. The root must be WordprocessingML
/// in its transitional namespace (the one the engine writes).
fn index_styles(xml: &str) -> Result<Vec<StyleEntry>, String> {
    const PART: &str = "word/styles.xml";
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<StyleEntry> = None;
    let mut root_checked = false;
    loop {
        let before = usize::try_from(r.buffer_position()).unwrap_or(usize::MAX);
        let ev = r
            .read_event()
            .map_err(|_| refused(format!("la partie « {PART} » n'est pas du XML bien formé")))?;
        let after = usize::try_from(r.buffer_position()).unwrap_or(usize::MAX);
        match ev {
            Event::Start(e) | Event::Empty(e) if !root_checked => {
                root_checked = true;
                let ns = attr(&e, "xmlns:w").unwrap_or_default();
                if qname(&e) != "w:styles" || ns != W_NS {
                    return Err(refused(if ns == STRICT_W_NS {
                        "le document est enregistré au format « Strict Open XML » : enregistrez-le au format « Document Word (.docx) »"
                    } else {
                        "ses styles ne sont pas des styles Word (racine w:styles attendue)"
                    }));
                }
            }
            Event::Start(e) if qname(&e) == "w:style" => {
                current = Some(StyleEntry {
                    kind: attr(&e, "w:type").unwrap_or_else(|| "paragraph".into()),
                    id: attr(&e, "w:styleId").unwrap_or_default(),
                    name: String::new(),
                    default: attr(&e, "w:default").is_some_and(|d| d == "1" || d == "true"),
                    range: before..before,
                });
            }
            Event::Empty(e) if qname(&e) == "w:style" => {
                out.push(StyleEntry {
                    kind: attr(&e, "w:type").unwrap_or_else(|| "paragraph".into()),
                    id: attr(&e, "w:styleId").unwrap_or_default(),
                    name: String::new(),
                    default: attr(&e, "w:default").is_some_and(|d| d == "1" || d == "true"),
                    range: before..after,
                });
            }
            Event::Empty(e) if qname(&e) == "w:name" => {
                if let Some(c) = current.as_mut() {
                    c.name = attr(&e, "w:val").unwrap_or_default().to_lowercase();
                }
            }
            Event::End(e) if e.name().into_inner() == "w:style" => {
                if let Some(mut c) = current.take() {
                    c.range.end = after;
                    out.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The last default header and footer references of the body (its final section).
fn default_references(document: &str) -> Result<(Option<String>, Option<String>), String> {
    let (mut header, mut footer) = (None, None);
    each_element(document, "word/document.xml", |e, _| {
        let which = match qname(e) {
            "w:headerReference" => &mut header,
            "w:footerReference" => &mut footer,
            _ => return,
        };
        if attr(e, "w:type").is_none_or(|t| t == "default") {
            *which = attr(e, "r:id");
        }
    })?;
    Ok((header, footer))
}

impl ReferenceDoc {
    /// Reads and checks an uploaded reference document.
    ///
    /// # Errors
    /// A French sentence saying why the file cannot be the reference document.
    pub fn read(bytes: &[u8]) -> Result<Self, String> {
        let why =
            |m: String| format!("Ce fichier ne peut pas servir de document de référence : {m}.");
        Self::read_inner(bytes).map_err(why)
    }

    fn read_inner(bytes: &[u8]) -> Result<Self, String> {
        if bytes.is_empty() {
            return Err(refused("le fichier est vide"));
        }
        if bytes.len() > MAX_UPLOAD_BYTES {
            return Err(refused("il dépasse 5 Mo"));
        }
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
            refused("ce n'est pas un document Word (.docx) : l'archive ZIP est illisible")
        })?;
        let mut ar = Archive { zip };
        let not_word = || refused("ce n'est pas un document Word (.docx)");
        let ct = ContentTypes::read(&ar.text("[Content_Types].xml")?.ok_or_else(not_word)?)?;
        let package_rels = ar.text("_rels/.rels")?.ok_or_else(not_word)?;
        let main = relationships(&package_rels, "_rels/.rels")?
            .into_iter()
            .find(|r| r.1.ends_with("/officeDocument"))
            .map(|r| resolve("", &r.2))
            .ok_or_else(not_word)?;
        match ct.of(&main) {
            Some(t) if MAIN_TYPES.contains(&t) => {}
            Some(t) if t.contains("macroEnabled") => {
                return Err(refused(
                    "il contient des macros (.docm, .dotm) : enregistrez-le au format « Document Word (.docx) »",
                ));
            }
            _ => return Err(not_word()),
        }
        let document = ar.text(&main)?.ok_or_else(not_word)?;
        let doc_rels = match ar.text(&rels_name(&main))? {
            Some(x) => relationships(&x, &rels_name(&main))?,
            None => Vec::new(),
        };
        let part_of = |suffix: &str| {
            doc_rels
                .iter()
                .find(|r| !r.3 && r.1.ends_with(suffix))
                .map(|r| resolve(&main, &r.2))
        };
        let no_styles = || {
            refused(
                "il ne contient aucun style ; ouvrez-le dans Word ou LibreOffice, appliquez vos styles et enregistrez-le au format .docx",
            )
        };
        let styles_part = part_of("/styles").ok_or_else(no_styles)?;
        let styles = ar.text(&styles_part)?.ok_or_else(no_styles)?;
        let style_index = index_styles(&styles)?;
        if style_index.is_empty() {
            return Err(no_styles());
        }
        // Theme and font table only when they stand alone (no images or embedded fonts).
        let mut standalone = |part: Option<String>| -> Result<Option<String>, String> {
            let Some(p) = part else { return Ok(None) };
            if ar.bytes(&rels_name(&p))?.is_some() {
                return Ok(None);
            }
            ar.text(&p)
        };
        let theme = standalone(part_of("/theme"))?;
        let font_table = standalone(part_of("/fontTable"))?;
        let (header_id, footer_id) = default_references(&document)?;
        let target = |id: Option<String>| {
            id.and_then(|id| doc_rels.iter().find(|r| r.0 == id && !r.3))
                .map(|r| resolve(&main, &r.2))
        };
        let (header_part, footer_part) = (target(header_id), target(footer_id));
        let mut media = Vec::new();
        let header = match header_part {
            Some(p) => Some(letterhead(&mut ar, &ct, &p, "hdr", &mut media)?),
            None => None,
        };
        let footer = match footer_part {
            Some(p) => Some(letterhead(&mut ar, &ct, &p, "ftr", &mut media)?),
            None => None,
        };
        Ok(ReferenceDoc {
            styles,
            style_index,
            theme,
            font_table,
            header,
            footer,
            media,
        })
    }

    /// What the reference brings, for the upload page.
    pub fn summary(&self) -> Summary {
        let mut fonts = Vec::new();
        // The styles were read at upload: a parse error cannot happen here.
        let _ = each_element(&self.styles, "word/styles.xml", |e, _| {
            if qname(e) == "w:rFonts"
                && let Some(f) = attr(e, "w:ascii")
                && !fonts.contains(&f)
            {
                fonts.push(f);
            }
        });
        Summary {
            styles: self.style_index.len(),
            header: self.header.is_some(),
            footer: self.footer.is_some(),
            images: self.media.len(),
            fonts,
        }
    }

    /// The reference's `styles.xml` completed with the styles of `ours` (the engine's own
    /// `styles.xml`) that it lacks, as aliases when it has them under another identifier.
    pub fn merged_styles(&self, ours: &str) -> String {
        let Ok(our_index) = index_styles(ours) else {
            return self.styles.clone();
        };
        let mut added = String::new();
        for s in &our_index {
            if self.style_index.iter().any(|r| r.id == s.id) {
                continue;
            }
            let same_name = self
                .style_index
                .iter()
                .find(|r| r.kind == s.kind && !s.name.is_empty() && r.name == s.name);
            if let Some(r) = same_name {
                added.push_str(r#"<w:style w:type=""#);
                push_attr(&mut added, &s.kind);
                added.push_str(r#"" w:styleId=""#);
                push_attr(&mut added, &s.id);
                added.push_str(r#""><w:name w:val=""#);
                push_attr(&mut added, &format!("{} (Coordo)", s.id));
                added.push_str(r#""/><w:basedOn w:val=""#);
                push_attr(&mut added, &r.id);
                let _ = write!(added, r#""/><w:qFormat/></w:style>"#);
                continue;
            }
            let xml = &ours[s.range.clone()];
            let has_default = self
                .style_index
                .iter()
                .any(|r| r.default && r.kind == s.kind);
            if s.default && has_default {
                added.push_str(&xml.replacen(r#" w:default="1""#, "", 1));
            } else {
                added.push_str(xml);
            }
        }
        match self.styles.rfind("</w:styles>") {
            Some(at) => format!("{}{added}{}", &self.styles[..at], &self.styles[at..]),
            None => self.styles.clone(),
        }
    }
}

/// Reads a header (`hdr`) or footer (`ftr`) part and copies its images into `media`.
fn letterhead(
    ar: &mut Archive<'_>,
    ct: &ContentTypes,
    part: &str,
    tag: &str,
    media: &mut Vec<Media>,
) -> Result<Letterhead, String> {
    let what = if tag == "hdr" {
        "L'en-tête"
    } else {
        "Le pied de page"
    };
    let xml = ar
        .text(part)?
        .ok_or_else(|| refused(format!("la partie « {part} » annoncée est absente")))?;
    let mut root_ok = false;
    let mut first = true;
    each_element(&xml, part, |e, _| {
        if first {
            first = false;
            root_ok =
                qname(e) == format!("w:{tag}") && attr(e, "xmlns:w").is_some_and(|ns| ns == W_NS);
        }
    })?;
    if !root_ok {
        return Err(refused(format!(
            "la partie « {part} » n'est pas un en-tête ou un pied de page Word"
        )));
    }
    let mut rels = None;
    if let Some(rx) = ar.text(&rels_name(part))? {
        let mut out = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
        );
        for (id, kind, target, external) in relationships(&rx, &rels_name(part))? {
            let mut new_target = target.clone();
            if !external {
                if !kind.ends_with("/image") {
                    return Err(refused(format!(
                        "{} ne peut contenir que du texte, des tableaux et des images (objet « {} » trouvé)",
                        what.to_lowercase(),
                        kind.rsplit('/').next().unwrap_or_default()
                    )));
                }
                let src = resolve(part, &target);
                let content_type = ct
                    .of(&src)
                    .filter(|t| t.starts_with("image/"))
                    .ok_or_else(|| {
                        refused(format!(
                            "l'image « {src} » de {} n'a pas de type d'image",
                            what.to_lowercase()
                        ))
                    })?
                    .to_owned();
                let bytes = ar.bytes(&src)?.ok_or_else(|| {
                    refused(format!("l'image « {src} » est absente de l'archive"))
                })?;
                let ext = src
                    .rsplit_once('.')
                    .map_or("bin", |(_, e)| e)
                    .to_lowercase();
                let n = media.len() + 1;
                new_target = format!("media/reference{n}.{ext}");
                media.push(Media {
                    name: format!("word/{new_target}"),
                    content_type,
                    bytes,
                });
            }
            out.push_str(r#"<Relationship Id=""#);
            push_attr(&mut out, &id);
            out.push_str(r#"" Type=""#);
            push_attr(&mut out, &kind);
            out.push_str(r#"" Target=""#);
            push_attr(&mut out, &new_target);
            out.push('"');
            if external {
                out.push_str(r#" TargetMode="External""#);
            }
            out.push_str("/>");
        }
        out.push_str("</Relationships>");
        rels = Some(out);
    }
    let has_page_field = xml.contains("instrText") && xml.contains("PAGE")
        || xml.contains(r#"w:instr=" PAGE"#)
        || xml.contains(r#"w:instr="PAGE"#);
    Ok(Letterhead {
        xml,
        rels,
        has_page_field,
    })
}

#[cfg(test)]
#[path = "reference_tests.rs"]
mod tests;
