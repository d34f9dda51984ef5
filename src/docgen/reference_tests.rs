use super::*;

#[test]
fn resolve_follows_relative_and_absolute_targets() {
    assert_eq!(
        resolve("word/document.xml", "media/a.png"),
        "word/media/a.png"
    );
    assert_eq!(
        resolve("word/header1.xml", "../customXml/x.xml"),
        "customXml/x.xml"
    );
    assert_eq!(
        resolve("word/header1.xml", "/word/media/b.png"),
        "word/media/b.png"
    );
    assert_eq!(resolve("", "word/document.xml"), "word/document.xml");
    assert_eq!(rels_name("word/header2.xml"), "word/_rels/header2.xml.rels");
}

#[test]
fn second_copy_shifts_every_drawing_id() {
    let l = Letterhead {
        xml: r#"<w:hdr><wp:docPr id="1" name="a"/><wp:docPr id="27" name="b"/></w:hdr>"#.into(),
        rels: None,
        has_page_field: false,
    };
    assert_eq!(
        l.second_copy(10_000),
        r#"<w:hdr><wp:docPr id="10001" name="a"/><wp:docPr id="10027" name="b"/></w:hdr>"#
    );
    assert_eq!(
        l.with_paragraphs("<w:p/>"),
        r#"<w:hdr><wp:docPr id="1" name="a"/><wp:docPr id="27" name="b"/><w:p/></w:hdr>"#
    );
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn reference_with_styles(styles: &str) -> ReferenceDoc {
    ReferenceDoc {
        styles: format!("<w:styles {W}>{styles}</w:styles>"),
        style_index: index_styles(&format!("<w:styles {W}>{styles}</w:styles>")).expect("styles"),
        theme: None,
        font_table: None,
        header: None,
        footer: None,
        media: vec![],
    }
}

#[test]
fn merged_styles_keep_the_reference_and_alias_localised_ids() {
    // A French Word: « heading 1 » is `Titre1`, the default paragraph font is localised too.
    let r = reference_with_styles(concat!(
        r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:rPr><w:rFonts w:ascii="Garamond"/></w:rPr></w:style>"#,
        r#"<w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/></w:style>"#,
        r#"<w:style w:type="character" w:default="1" w:styleId="Policepardfaut"><w:name w:val="Default Paragraph Font"/></w:style>"#,
    ));
    let ours = crate::docgen::ooxml::parts::styles(9_638);
    let merged = r.merged_styles(&ours);
    let index = index_styles(&merged).expect("merged styles parse");
    let ids: Vec<&str> = index.iter().map(|s| s.id.as_str()).collect();
    // The reference's Normal is kept, not doubled.
    assert_eq!(ids.iter().filter(|i| **i == "Normal").count(), 1);
    assert!(merged.contains("Garamond"));
    // Heading1 is an alias of Titre1, not the engine's blue heading.
    let h1 = &merged[index
        .iter()
        .find(|s| s.id == "Heading1")
        .expect("Heading1")
        .range
        .clone()];
    assert!(h1.contains(r#"<w:basedOn w:val="Titre1"/>"#), "{h1}");
    assert!(!h1.contains("w:color"), "{h1}");
    // The engine's default character style is added by alias, never as a second default.
    let defaults = index
        .iter()
        .filter(|s| s.default && s.kind == "character")
        .count();
    assert_eq!(defaults, 1);
    // A style the reference lacks entirely comes from the engine (TOC1 layout).
    assert!(ids.contains(&"TOCHeading"));
}

#[test]
fn refusals_are_french_and_name_the_cause() {
    let e = ReferenceDoc::read(b"not a zip").expect_err("refused");
    assert!(
        e.starts_with("Ce fichier ne peut pas servir de document de référence"),
        "{e}"
    );
    assert!(e.contains("ZIP"), "{e}");
    assert!(ReferenceDoc::read(b"").expect_err("empty").contains("vide"));
    // A ZIP that is not a Word document.
    let zip = crate::docgen::ooxml::zip_parts(&[("a.txt", b"x".as_slice())], 64).expect("zip");
    assert!(
        ReferenceDoc::read(&zip)
            .expect_err("not word")
            .contains("document Word")
    );
}

#[test]
fn the_example_reference_brings_styles_header_footer_and_logo() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/documents/examples/reference_wattrelos.docx"
    ))
    .expect("example reference");
    let r = ReferenceDoc::read(&bytes).expect("accepted");
    let s = r.summary();
    assert!(s.header && s.footer, "{s:?}");
    assert_eq!(s.images, 1);
    assert!(s.fonts.iter().any(|f| f == "Garamond"), "{s:?}");
    let header = r.header.as_ref().expect("header");
    assert!(header.xml.contains("Service de la commande publique"));
    let rels = header.rels.as_deref().expect("header relationships");
    assert!(rels.contains(r#"Target="media/reference1.png""#), "{rels}");
    assert_eq!(r.media[0].name, "word/media/reference1.png");
    assert_eq!(r.media[0].content_type, "image/png");
}
