//! The groupement's reference document (issue « Word-grade documents »): uploaded through its
//! page by the coordonnateur, checked (a bad file leaves nothing stored), versioned and
//! journaled; the next RC and NOTI3 built by the real binary (`coordo demo`) on the same
//! database carry its letterhead and styles, and still pass the independent validator.

use crate::support::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const PAGE: &str = "document-de-reference";

fn example() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/documents/examples/reference_wattrelos.docx"
    ))
    .expect("example reference document")
}

async fn versions(app: &TestApp) -> u64 {
    coordo::db::entities::reference_document::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count")
}

async fn journaled(app: &TestApp, action: &str) -> u64 {
    use coordo::db::entities::audit_entry;
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq(action))
        .count(&app.state.db)
        .await
        .expect("count")
}

/// A DOCX without its styles part (the engine's own NOTI5, `word/styles.xml` left out).
fn without_styles() -> Vec<u8> {
    let engine = coordo::docgen::DocEngine::new().expect("engine");
    let kind = coordo::docgen::DocKind::Noti5;
    let doc = engine
        .render_docx(
            kind,
            &serde_json::from_str(coordo::docgen::example_context(kind)).expect("example"),
            &coordo::docgen::Look::default(),
        )
        .expect("render");
    let parts: Vec<(String, Vec<u8>)> = unzip(&doc.docx)
        .into_iter()
        .filter(|(name, _)| name != "word/styles.xml")
        .collect();
    let borrowed: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    coordo::docgen::ooxml::zip_parts(&borrowed, 64 * 1024).expect("zip")
}

#[tokio::test]
async fn bad_uploads_store_nothing_and_say_why_in_french() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let url = format!("/g/{gid}/{PAGE}");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "notes.txt",
            b"du texte".to_vec(),
            "n'est pas un document Word",
        ),
        (
            "faux.docx",
            b"PK pas une archive".to_vec(),
            "l'archive ZIP est illisible",
        ),
        ("vide.docx", Vec::new(), "aucun fichier n'a été reçu"),
        (
            "sans-styles.docx",
            without_styles(),
            "ne contient aucun style",
        ),
    ];
    for (name, bytes, expected) in cases {
        let r = coord.post_file(&url, "fichier", name, &bytes).await;
        assert_eq!(r.status(), 422, "{name}");
        let html = r.text().await.expect("page").replace("&#x27;", "'");
        assert!(html.contains(expected), "{name}: {html}");
        assert!(
            html.contains("<nav"),
            "{name}: the refusal is a page of the layout"
        );
    }
    assert_eq!(versions(&app).await, 0);
    assert_eq!(journaled(&app, "documents.reference_deposee").await, 0);
    // A référent reaches neither the page nor the upload.
    let referent = app.login(&referent_email(SANTELYS)).await;
    assert_eq!(referent.get(&url).await.status(), 403);
    let r = referent
        .post_file(&url, "fichier", "ref.docx", &example())
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(versions(&app).await, 0);
}

#[tokio::test]
async fn an_upload_is_versioned_journaled_once_and_can_be_withdrawn() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let url = format!("/g/{gid}/{PAGE}");
    let page = coord.get(&url).await.text().await.expect("page");
    assert!(page.contains("présentation par défaut de Coordo"), "{page}");
    for _ in 0..2 {
        let r = coord
            .post_file(&url, "fichier", "reference_wattrelos.docx", &example())
            .await;
        assert_eq!(r.status(), 303);
    }
    // The same file twice: one version, one journal entry.
    assert_eq!(versions(&app).await, 1);
    assert_eq!(journaled(&app, "documents.reference_deposee").await, 1);
    let page = coord.get(&url).await.text().await.expect("page");
    assert!(page.contains("reference_wattrelos.docx"), "{page}");
    assert!(page.contains("Garamond"), "{page}");
    let stored = coord
        .get(&format!("{url}/versions/1/fichier"))
        .await
        .bytes()
        .await
        .expect("download");
    assert_eq!(stored.as_ref(), example().as_slice());
    let r = coord.post_form(&format!("{url}/retirer"), &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(versions(&app).await, 2);
    assert_eq!(journaled(&app, "documents.reference_retiree").await, 1);
    assert!(
        coordo::reference_doc::current(&app.state.db, gid)
            .await
            .expect("current")
            .is_none()
    );
    // Withdrawing twice is refused with its reason.
    let r = coord.post_form(&format!("{url}/retirer"), &[]).await;
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn the_next_rc_and_noti3_carry_the_uploaded_letterhead() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let r = coord
        .post_file(
            &format!("/g/{gid}/{PAGE}"),
            "fichier",
            "reference_wattrelos.docx",
            &example(),
        )
        .await;
    assert_eq!(r.status(), 303);
    // The real binary runs both tenders to their notification on the same database.
    let o = coordo_cmd(&app.db_path, &["demo", "--jusqu-a", "notifiee"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let cid: i32 = stdout(&o)
        .lines()
        .find_map(|l| {
            l.strip_prefix("consultation ")?
                .split(" : ")
                .next()?
                .parse()
                .ok()
        })
        .expect("a consultation");
    let out = app.dir.path().join("archive.zip");
    let o = coordo_cmd(
        &app.db_path,
        &[
            "archive",
            "export",
            "--consultation",
            &cid.to_string(),
            "--out",
            out.to_str().expect("path"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let files = unzip(&std::fs::read(&out).expect("archive"));
    let pick = |prefix: &str, contains: &str| -> Vec<u8> {
        files
            .iter()
            .find(|(k, _)| k.starts_with(prefix) && k.contains(contains) && k.ends_with(".docx"))
            .unwrap_or_else(|| panic!("{prefix}…{contains}: {:?}", files.keys()))
            .1
            .clone()
    };
    let valid = app.dir.path().join("docx");
    std::fs::create_dir(&valid).expect("dir");
    for (name, doc) in [
        ("rc", pick("pieces/RC/", "_RC_v1")),
        ("noti3", pick("lettres/", "_NOTI3_")),
    ] {
        let parts = unzip(&doc);
        let text = |part: &str| {
            String::from_utf8(parts.get(part).cloned().unwrap_or_default()).expect("utf-8")
        };
        // The letterhead: the reference's header text, its logo and relationships.
        let headers: String = (1..=2)
            .map(|i| text(&format!("word/header{i}.xml")))
            .collect();
        assert!(
            headers.contains("Service de la commande publique"),
            "{name}: {headers}"
        );
        assert!(parts.contains_key("word/media/reference1.png"), "{name}");
        assert!(
            text("word/_rels/header1.xml.rels").contains("media/reference1.png"),
            "{name}"
        );
        // The running line is still there under the letterhead.
        assert!(text("word/header1.xml").contains("DEMO-"), "{name}");
        // Its styles: Garamond, the reference's green headings.
        let styles = text("word/styles.xml");
        assert!(styles.contains("Garamond"), "{name}");
        let footer = text("word/footer1.xml");
        assert!(footer.contains("59150 Wattrelos"), "{name}: {footer}");
        assert!(footer.contains("NUMPAGES"), "{name}: page numbers kept");
        std::fs::write(valid.join(format!("{name}.docx")), &doc).expect("write");
    }
    let report = crate::docgen::validator::audit(&valid);
    assert_eq!(report.len(), 2);
    let bad: Vec<_> = report.iter().filter(|(_, n, _)| *n > 0).collect();
    assert!(bad.is_empty(), "{bad:#?}");
}
