//! The DOCX package: every part, zipped with deflate in a fixed order with fixed timestamps and
//! permissions, so that the same document always gives the same bytes.

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Deflate level: 6 (zlib's default) made an RC-like file 2 % smaller than level 1 for twice
/// the time; the size target is met at this level.
const DEFLATE_LEVEL: i64 = 3;

/// A header or footer part and its relationships (images of a reference letterhead).
#[derive(Debug, Default, Clone)]
pub struct HeaderFooter {
    pub xml: String,
    pub rels: Option<String>,
}

impl From<String> for HeaderFooter {
    fn from(xml: String) -> Self {
        HeaderFooter { xml, rels: None }
    }
}

/// A binary part (an image of the letterhead): path in the package, content type, bytes.
#[derive(Debug, Clone, Copy)]
pub struct BinaryPart<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// The parts of a DOCX package, each a complete XML document.
#[derive(Debug, Default)]
pub struct Package<'a> {
    pub document: String,
    pub styles: String,
    pub numbering: String,
    pub settings: String,
    pub core: String,
    pub app: String,
    pub custom: String,
    /// `word/theme/theme1.xml`; `None`: the engine's theme.
    pub theme: Option<&'a str>,
    /// `word/fontTable.xml`; `None`: the engine's.
    pub font_table: Option<&'a str>,
    /// `word/header1.xml`, `word/header2.xml`…
    pub headers: Vec<HeaderFooter>,
    /// `word/footer1.xml`…
    pub footers: Vec<HeaderFooter>,
    pub media: Vec<BinaryPart<'a>>,
}

impl Package<'_> {
    /// Zips the package (content types first, as readers that stream the archive expect).
    ///
    /// # Errors
    /// The zip writer's message.
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let media: Vec<(&str, &str)> = self
            .media
            .iter()
            .map(|m| (m.name, m.content_type))
            .collect();
        let content_types =
            super::parts::content_types(self.headers.len(), self.footers.len(), &media);
        let package_rels = super::parts::package_rels();
        let document_rels = super::parts::document_rels(self.headers.len(), self.footers.len());
        let font_table = match self.font_table {
            Some(f) => f.to_owned(),
            None => super::parts::font_table(),
        };
        let named = |prefix: &str, parts: &[HeaderFooter]| -> Vec<(String, String)> {
            (1..=parts.len())
                .map(|i| {
                    (
                        format!("word/{prefix}{i}.xml"),
                        format!("word/_rels/{prefix}{i}.xml.rels"),
                    )
                })
                .collect()
        };
        let header_names = named("header", &self.headers);
        let footer_names = named("footer", &self.footers);
        let mut parts: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", content_types.as_bytes()),
            ("_rels/.rels", package_rels.as_bytes()),
            ("docProps/core.xml", self.core.as_bytes()),
            ("docProps/app.xml", self.app.as_bytes()),
            ("docProps/custom.xml", self.custom.as_bytes()),
            ("word/document.xml", self.document.as_bytes()),
            ("word/_rels/document.xml.rels", document_rels.as_bytes()),
            ("word/styles.xml", self.styles.as_bytes()),
            ("word/settings.xml", self.settings.as_bytes()),
            ("word/fontTable.xml", font_table.as_bytes()),
            ("word/numbering.xml", self.numbering.as_bytes()),
            (
                "word/theme/theme1.xml",
                self.theme.unwrap_or(super::parts::THEME).as_bytes(),
            ),
        ];
        for (names, hf) in [
            (&header_names, &self.headers),
            (&footer_names, &self.footers),
        ] {
            for ((name, rels_name), part) in names.iter().zip(hf) {
                parts.push((name, part.xml.as_bytes()));
                if let Some(rels) = &part.rels {
                    parts.push((rels_name, rels.as_bytes()));
                }
            }
        }
        for m in &self.media {
            parts.push((m.name, m.bytes));
        }
        zip_parts(&parts, self.document.len() / 4 + 16 * 1024)
    }
}

/// Zips `(name, content)` entries in the given order, deflated, dated 1980-01-01 (the zip
/// epoch: the bytes must not depend on the clock), mode 0644.
///
/// # Errors
/// The zip writer's message.
pub fn zip_parts(parts: &[(&str, &[u8])], capacity: usize) -> Result<Vec<u8>, String> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(DEFLATE_LEVEL))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
    for (name, content) in parts {
        zip.start_file(*name, options).map_err(|e| e.to_string())?;
        zip.write_all(content).map_err(|e| e.to_string())?;
    }
    let cursor = zip.finish().map_err(|e| e.to_string())?;
    Ok(cursor.into_inner())
}
