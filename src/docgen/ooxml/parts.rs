//! The fixed parts of the package (content types, relationships, settings, fonts, theme,
//! styles, numbering) and the wrappers of the document, header and footer parts.
//!
//! Styles: `Normal` is the default paragraph style (validators and python-docx need one), French
//! is the default language (`w:lang` fr-FR: hyphenation and spelling), headings keep with the
//! next paragraph and their lines together, `TOC1`/`TOC2` lay out the table of contents.

use super::xml::{push_attr, push_text};
use std::fmt::Write as _;

pub const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// The theme (colours and fonts of the layout), required by Word's document relationships.
pub const THEME: &str = include_str!("theme1.xml");

/// Look of the text: fonts, sizes (half-points) and colours.
pub const FONT: &str = "Calibri";
pub const HEADING_FONT_SIZES: [usize; 3] = [30, 26, 23];
pub const DARK_BLUE: &str = "1F3864";
pub const BLUE: &str = "2F5496";

/// `[Content_Types].xml` for `headers` header parts, `footers` footer parts and the binary
/// parts `media` (path, content type).
pub fn content_types(headers: usize, footers: usize, media: &[(&str, &str)]) -> String {
    let mut x = String::from(XML_DECL);
    x.push_str(r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#);
    let wml = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    for (part, ct) in [
        ("/word/document.xml", "document.main+xml"),
        ("/word/styles.xml", "styles+xml"),
        ("/word/settings.xml", "settings+xml"),
        ("/word/fontTable.xml", "fontTable+xml"),
        ("/word/numbering.xml", "numbering+xml"),
    ] {
        let _ = write!(
            x,
            r#"<Override PartName="{part}" ContentType="{wml}.{ct}"/>"#
        );
    }
    for i in 1..=headers {
        let _ = write!(
            x,
            r#"<Override PartName="/word/header{i}.xml" ContentType="{wml}.header+xml"/>"#
        );
    }
    for i in 1..=footers {
        let _ = write!(
            x,
            r#"<Override PartName="/word/footer{i}.xml" ContentType="{wml}.footer+xml"/>"#
        );
    }
    for (part, ct) in media {
        x.push_str(r#"<Override PartName="/"#);
        push_attr(&mut x, part);
        x.push_str(r#"" ContentType=""#);
        push_attr(&mut x, ct);
        x.push_str(r#""/>"#);
    }
    x.push_str(r#"<Override PartName="/word/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/><Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>"#);
    x
}

/// `_rels/.rels`.
pub fn package_rels() -> String {
    format!(
        r#"{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{R_NS}/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="{R_NS}/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId4" Type="{R_NS}/custom-properties" Target="docProps/custom.xml"/></Relationships>"#
    )
}

/// `word/_rels/document.xml.rels`: the fixed parts are rId1..rId5, header `i` is
/// `rIdH{i}` and footer `i` is `rIdF{i}`.
pub fn document_rels(headers: usize, footers: usize) -> String {
    let mut x = format!(
        r#"{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{R_NS}/styles" Target="styles.xml"/><Relationship Id="rId2" Type="{R_NS}/settings" Target="settings.xml"/><Relationship Id="rId3" Type="{R_NS}/fontTable" Target="fontTable.xml"/><Relationship Id="rId4" Type="{R_NS}/numbering" Target="numbering.xml"/><Relationship Id="rId5" Type="{R_NS}/theme" Target="theme/theme1.xml"/>"#
    );
    for i in 1..=headers {
        let _ = write!(
            x,
            r#"<Relationship Id="rIdH{i}" Type="{R_NS}/header" Target="header{i}.xml"/>"#
        );
    }
    for i in 1..=footers {
        let _ = write!(
            x,
            r#"<Relationship Id="rIdF{i}" Type="{R_NS}/footer" Target="footer{i}.xml"/>"#
        );
    }
    x.push_str("</Relationships>");
    x
}

/// Document properties shown by Word (File › Info) and by file managers.
#[derive(Debug, Clone, Copy)]
pub struct CoreProps<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub creator: &'a str,
    pub keywords: &'a str,
    /// W3CDTF, UTC.
    pub created: &'a str,
}

fn element(x: &mut String, tag: &str, text: &str) {
    let _ = write!(x, "<{tag}>");
    push_text(x, text);
    let _ = write!(x, "</{tag}>");
}

/// `docProps/core.xml`.
pub fn core(p: &CoreProps<'_>) -> String {
    let mut x = String::from(XML_DECL);
    x.push_str(r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#);
    element(&mut x, "dc:title", p.title);
    element(&mut x, "dc:subject", p.subject);
    element(&mut x, "dc:creator", p.creator);
    element(&mut x, "cp:keywords", p.keywords);
    element(&mut x, "cp:lastModifiedBy", p.creator);
    x.push_str("<dc:language>fr-FR</dc:language>");
    let _ = write!(
        x,
        r#"<dcterms:created xsi:type="dcterms:W3CDTF">{0}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{0}</dcterms:modified></cp:coreProperties>"#,
        p.created
    );
    x
}

/// `docProps/app.xml`.
pub fn app(company: &str) -> String {
    let mut x = format!(
        r#"{XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Coordo</Application><DocSecurity>0</DocSecurity>"#
    );
    element(&mut x, "Company", company);
    x.push_str("</Properties>");
    x
}

/// `docProps/custom.xml` with one text property.
pub fn custom(name: &str, value: &str) -> String {
    let mut x = format!(
        r#"{XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name=""#
    );
    push_attr(&mut x, name);
    x.push_str(r#""><vt:lpwstr>"#);
    push_text(&mut x, value);
    x.push_str("</vt:lpwstr></property></Properties>");
    x
}

/// `word/settings.xml`; `update_fields` asks Word to refresh the fields (table of contents) when
/// the document is opened. `doNotExpandShiftReturn`: a justified line ending with a line break
/// (addresses in letters) is not stretched across the page.
pub fn settings(update_fields: bool) -> String {
    let update = if update_fields {
        r#"<w:updateFields w:val="true"/>"#
    } else {
        ""
    };
    format!(
        r#"{XML_DECL}<w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/><w:defaultTabStop w:val="708"/><w:autoHyphenation/><w:hyphenationZone w:val="425"/><w:characterSpacingControl w:val="doNotCompress"/>{update}<w:compat><w:doNotExpandShiftReturn/><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat><w:themeFontLang w:val="fr-FR"/><w:clrSchemeMapping w:bg1="light1" w:t1="dark1" w:bg2="light2" w:t2="dark2" w:accent1="accent1" w:accent2="accent2" w:accent3="accent3" w:accent4="accent4" w:accent5="accent5" w:accent6="accent6" w:hyperlink="hyperlink" w:followedHyperlink="followedHyperlink"/><w:decimalSymbol w:val=","/><w:listSeparator w:val=";"/></w:settings>"#
    )
}

/// `word/fontTable.xml`.
pub fn font_table() -> String {
    let mut x = format!(r#"{XML_DECL}<w:fonts xmlns:w="{W_NS}">"#);
    for (name, family, pitch) in [
        ("Calibri", "swiss", "variable"),
        ("Calibri Light", "swiss", "variable"),
        ("Consolas", "modern", "fixed"),
        ("Times New Roman", "roman", "variable"),
    ] {
        let _ = write!(
            x,
            r#"<w:font w:name="{name}"><w:charset w:val="00"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>"#
        );
    }
    x.push_str("</w:fonts>");
    x
}

fn heading_style(x: &mut String, level: usize) {
    let size = HEADING_FONT_SIZES[level - 1];
    let color = if level == 1 { DARK_BLUE } else { BLUE };
    let before = if level == 1 { 360 } else { 240 };
    let _ = write!(
        x,
        r#"<w:style w:type="paragraph" w:styleId="Heading{level}"><w:name w:val="heading {level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="120"/><w:jc w:val="left"/><w:outlineLvl w:val="{}"/></w:pPr><w:rPr><w:b/><w:bCs/><w:color w:val="{color}"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr></w:style>"#,
        level - 1
    );
}

/// `word/styles.xml`.
pub fn styles(text_width: usize) -> String {
    let mut x = format!(
        r#"{XML_DECL}<w:styles xmlns:w="{W_NS}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{FONT}" w:eastAsia="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="fr-FR" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#
    );
    x.push_str(r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style><w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#);
    let _ = write!(
        x,
        r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/><w:pPr><w:spacing w:after="240"/><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:bCs/><w:color w:val="{DARK_BLUE}"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>"#
    );
    for level in 1..=3 {
        heading_style(&mut x, level);
    }
    let _ = write!(
        x,
        r#"<w:style w:type="paragraph" w:styleId="TOCHeading"><w:name w:val="TOC Heading"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="240"/></w:pPr><w:rPr><w:b/><w:bCs/><w:color w:val="{DARK_BLUE}"/><w:sz w:val="30"/><w:szCs w:val="30"/></w:rPr></w:style>"#
    );
    for (level, indent, bold) in [(1, 0, "<w:b/><w:bCs/>"), (2, 284, "")] {
        let _ = write!(
            x,
            r#"<w:style w:type="paragraph" w:styleId="TOC{level}"><w:name w:val="toc {level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{text_width}"/></w:tabs><w:spacing w:before="{}" w:after="60"/><w:ind w:left="{indent}"/></w:pPr><w:rPr>{bold}</w:rPr></w:style>"#,
            if level == 1 { 120 } else { 0 }
        );
    }
    for (id, name) in [("Header", "header"), ("Footer", "footer")] {
        let _ = write!(
            x,
            r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr><w:tabs><w:tab w:val="center" w:pos="{}"/><w:tab w:val="right" w:pos="{text_width}"/></w:tabs><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:style>"#,
            text_width / 2
        );
    }
    x.push_str("</w:styles>");
    x
}

/// One level of a list definition.
#[derive(Debug, Clone)]
pub struct ListLevel {
    pub format: &'static str,
    pub text: String,
    pub indent: i32,
    pub hanging: i32,
}

/// `word/numbering.xml`: abstract definitions (`id`, levels), then instances (`num id`,
/// abstract id, start of each level when overridden).
pub fn numbering(
    abstracts: &[(usize, Vec<ListLevel>)],
    nums: &[(usize, usize, Vec<usize>)],
) -> String {
    let mut x = format!(r#"{XML_DECL}<w:numbering xmlns:w="{W_NS}">"#);
    for (id, levels) in abstracts {
        let _ = write!(
            x,
            r#"<w:abstractNum w:abstractNumId="{id}"><w:multiLevelType w:val="hybridMultilevel"/>"#
        );
        for (i, l) in levels.iter().enumerate() {
            let _ = write!(
                x,
                r#"<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{}"/><w:lvlText w:val=""#,
                l.format
            );
            push_attr(&mut x, &l.text);
            let _ = write!(
                x,
                r#""/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{}" w:hanging="{}"/></w:pPr></w:lvl>"#,
                l.indent, l.hanging
            );
        }
        x.push_str("</w:abstractNum>");
    }
    for (id, abs, starts) in nums {
        let _ = write!(
            x,
            r#"<w:num w:numId="{id}"><w:abstractNumId w:val="{abs}"/>"#
        );
        for (lvl, start) in starts.iter().enumerate() {
            let _ = write!(
                x,
                r#"<w:lvlOverride w:ilvl="{lvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>"#
            );
        }
        x.push_str("</w:num>");
    }
    x.push_str("</w:numbering>");
    x
}

/// `word/document.xml` around a body and its section properties.
pub fn document(body: &str, sect_pr: &str) -> String {
    let mut x = String::with_capacity(body.len() + 512);
    let _ = write!(
        x,
        r#"{XML_DECL}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>"#
    );
    x.push_str(body);
    x.push_str(sect_pr);
    x.push_str("</w:body></w:document>");
    x
}

/// A header (`tag` = `hdr`) or footer (`ftr`) part around its paragraphs.
pub fn header_footer(tag: &str, body: &str) -> String {
    format!(r#"{XML_DECL}<w:{tag} xmlns:w="{W_NS}" xmlns:r="{R_NS}">{body}</w:{tag}>"#)
}
