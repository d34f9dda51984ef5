//! What a buyer expects of the layout and of the file, read back with the independent reader:
//! repeated header rows, rows kept whole, headings kept with the next paragraph, fixed column
//! widths, a table of contents in the long pièces, no running header on the title page, French
//! language, title/subject/author, no orphan part, deflate compression.

use super::{default_look, engine, example, render};
use coordo::docgen::DocKind;
use std::collections::BTreeSet;
use std::io::Cursor;

fn count(xml: &str, needle: &str) -> usize {
    xml.matches(needle).count()
}

/// Value of attribute `name` in each element starting with `tag` (e.g. `<w:gridCol`).
fn attr_values(xml: &str, tag: &str, name: &str) -> Vec<String> {
    xml.match_indices(tag)
        .filter_map(|(i, _)| {
            let el = &xml[i..i + xml[i..].find('>')?];
            let start = el.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(el[start..start + el[start..].find('"')?].to_owned())
        })
        .collect()
}

#[test]
fn header_rows_repeat_rows_never_split_and_widths_are_fixed() {
    for kind in [DocKind::Rc, DocKind::Bpu, DocKind::PvCao] {
        let (_, docx) = render(kind, &example(kind));
        let body = docx.xml("word/document.xml");
        let tables = count(body, "<w:tbl>");
        assert!(tables > 0, "{kind}");
        assert_eq!(
            count(body, "<w:tblHeader/>"),
            tables,
            "{kind} : une ligne d'en-tête par tableau"
        );
        assert_eq!(
            count(body, "<w:cantSplit/>"),
            count(body, "<w:tr>"),
            "{kind}"
        );
        assert_eq!(
            count(body, r#"<w:tblLayout w:type="fixed"/>"#),
            tables,
            "{kind}"
        );
        for t in body.split("<w:tbl>").skip(1) {
            let t = &t[..t.find("</w:tbl>").expect("fin de tableau")];
            let grid: Vec<String> = attr_values(t, "<w:gridCol", "w:w");
            let first_row = &t[..t.find("</w:tr>").expect("ligne")];
            let cells = attr_values(first_row, "<w:tcW", "w:w");
            assert_eq!(
                grid, cells,
                "{kind} : largeurs de la grille et des cellules"
            );
            // The header row is the first one.
            assert!(first_row.contains("<w:tblHeader/>"), "{kind}");
        }
    }
}

#[test]
fn headings_keep_with_next_and_the_title_page_has_no_running_header() {
    let (_, docx) = render(DocKind::Ccap, &example(DocKind::Ccap));
    let styles = docx.xml("word/styles.xml");
    for id in ["Heading1", "Heading2", "Heading3"] {
        let start = styles.find(&format!(r#"w:styleId="{id}""#)).expect(id);
        let style = &styles[start..start + styles[start..].find("</w:style>").expect("fin")];
        assert!(
            style.contains("<w:keepNext/>") && style.contains("<w:keepLines/>"),
            "{id}"
        );
    }
    let body = docx.xml("word/document.xml");
    let sect = &body[body.rfind("<w:sectPr>").expect("sectPr")..];
    assert!(sect.contains("<w:titlePg/>"));
    let first = attr_values(sect, r#"<w:headerReference w:type="first""#, "r:id");
    assert_eq!(first.len(), 1);
    let rels = docx.xml("word/_rels/document.xml.rels");
    let at = rels
        .find(&format!(r#"Id="{}""#, first[0]))
        .expect("relation");
    let element = &rels[rels[..at].rfind('<').expect("<")..];
    let target = attr_values(element, "<Relationship", "Target")[0].clone();
    assert!(
        docx.text(&format!("word/{target}")).trim().is_empty(),
        "en-tête de la page de titre"
    );
    // Letters have no title page.
    let (_, letter) = render(DocKind::Noti1, &example(DocKind::Noti1));
    assert!(!letter.xml("word/document.xml").contains("<w:titlePg/>"));
}

#[test]
fn long_pieces_open_with_a_table_of_contents_pointing_at_their_headings() {
    for kind in DocKind::ALL {
        let (_, docx) = render(kind, &example(kind));
        let codes = docx.field_codes("word/document.xml");
        let toc = codes.iter().filter(|c| c.starts_with("TOC ")).count();
        assert_eq!(toc, usize::from(kind.has_toc()), "{kind} : {codes:?}");
        if !kind.has_toc() {
            continue;
        }
        let body = docx.xml("word/document.xml");
        let bookmarks: BTreeSet<String> = attr_values(body, "<w:bookmarkStart", "w:name")
            .into_iter()
            .collect();
        let refs: Vec<&String> = codes.iter().filter(|c| c.starts_with("PAGEREF ")).collect();
        let headings = count(body, r#"<w:pStyle w:val="Heading1"/>"#)
            + count(body, r#"<w:pStyle w:val="Heading2"/>"#);
        assert!(
            refs.len() >= 5 && refs.len() == headings,
            "{kind} : {} / {headings}",
            refs.len()
        );
        for r in refs {
            let name = r.split_whitespace().nth(1).expect("signet");
            assert!(bookmarks.contains(name), "{kind} : signet {name} absent");
        }
        let text = docx.document_text();
        assert!(text.contains("Sommaire"), "{kind}");
        assert!(
            docx.xml("word/settings.xml")
                .contains(r#"<w:updateFields w:val="true"/>"#)
        );
    }
}

#[test]
fn language_and_core_properties_name_the_document_and_the_buyer() {
    let ctx = example(DocKind::Rc);
    let (_, docx) = render(DocKind::Rc, &ctx);
    assert!(
        docx.xml("word/styles.xml")
            .contains(r#"<w:lang w:val="fr-FR""#)
    );
    assert!(
        docx.xml("word/styles.xml")
            .contains(r#"w:default="1" w:styleId="Normal""#)
    );
    let core = docx.xml("docProps/core.xml");
    let field = |tag: &str| {
        let start = core
            .find(&format!("<{tag}>"))
            .unwrap_or_else(|| panic!("{tag}"))
            + tag.len()
            + 2;
        core[start..start + core[start..].find('<').expect("<")].to_owned()
    };
    assert_eq!(field("dc:title"), "Règlement de la consultation");
    assert_eq!(field("dc:creator"), ctx["buyer"]["name"].as_str().unwrap());
    assert_eq!(
        field("dc:subject"),
        ctx["consultation"]["object"].as_str().unwrap()
    );
    assert_eq!(field("dc:language"), "fr-FR");
    assert!(!core.contains("unknown"));
}

#[test]
fn every_part_is_declared_and_related_and_nothing_else_is_packed() {
    for kind in [DocKind::Rc, DocKind::Noti3] {
        let (_, docx) = render(kind, &example(kind));
        let types = docx.xml("[Content_Types].xml");
        let overrides: BTreeSet<String> = attr_values(types, "<Override", "PartName")
            .into_iter()
            .map(|p| p.trim_start_matches('/').to_owned())
            .collect();
        let mut related: BTreeSet<String> = BTreeSet::new();
        for (rels, base) in [
            ("_rels/.rels", ""),
            ("word/_rels/document.xml.rels", "word/"),
        ] {
            for target in attr_values(docx.xml(rels), "<Relationship", "Target") {
                related.insert(format!("{base}{target}"));
            }
        }
        for name in docx.parts.keys() {
            if name.ends_with(".rels") || name == "[Content_Types].xml" {
                continue;
            }
            assert!(
                overrides.contains(name),
                "{kind} : {name} sans type de contenu"
            );
            assert!(related.contains(name), "{kind} : partie orpheline {name}");
        }
        for part in overrides.iter().chain(&related) {
            assert!(
                docx.parts.contains_key(part),
                "{kind} : {part} déclaré mais absent"
            );
        }
        assert!(related.contains("word/theme/theme1.xml"));
        assert!(
            !docx
                .parts
                .keys()
                .any(|n| n.contains("comments") || n.contains("footnotes"))
        );
    }
}

#[test]
fn parts_are_deflated_and_files_are_small() {
    let doc = engine()
        .render_docx(DocKind::Rc, &example(DocKind::Rc), &default_look())
        .expect("rendu");
    let mut zip = zip::ZipArchive::new(Cursor::new(&doc.docx)).expect("zip");
    for i in 0..zip.len() {
        let f = zip.by_index(i).expect("entrée");
        assert_eq!(
            f.compression(),
            zip::CompressionMethod::Deflated,
            "{}",
            f.name().unwrap_or_default()
        );
    }
    // The RC was 80 KB stored; deflated it is about 16 KB.
    assert!(doc.docx.len() < 25_000, "{} octets", doc.docx.len());
}
