//! The archive of a consultation: one ZIP with every version of every piece, the bordereau of
//! visas, the emails as `.eml`, the journal extract and a SHA-256 manifest; the export is
//! journaled; `coordo archive verify` checks it offline and refuses a single altered byte.

use crate::support::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use std::collections::BTreeMap;

fn text(files: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    let bytes = files.get(name).unwrap_or_else(|| panic!("{name} absent"));
    String::from_utf8(bytes.clone()).expect("utf-8")
}

/// The software tender with its five pieces, RC in two versions (a clause rewritten for this
/// consultation), a visa round on RC v2 and AE (emails queued) and a CAO séance not yet held.
async fn archived_tender(app: &TestApp) -> (Client, i32, i32, i64) {
    let (c, gid, cid) = crate::visas::tender(app, &[]).await;
    let all = format!("/g/{gid}/consultations/{cid}/pieces/generate-all");
    assert_eq!(c.post_form(&all, &[]).await.status(), 303);
    let source = format!(
        "{}\nClause réécrite pour l'archive.\n",
        coordo::docgen::default_clause("voies_recours").expect("clause")
    );
    let clause = format!("/g/{gid}/consultations/{cid}/clauses/voies_recours");
    assert_eq!(
        c.post_form(&clause, &[("source", &source)]).await.status(),
        303
    );
    let rc = format!("/g/{gid}/consultations/{cid}/pieces/rc/generate");
    assert_eq!(c.post_form(&rc, &[]).await.status(), 303);
    let r = crate::visas::submit(&c, gid, cid, &["rc", "ae"], "2026-12-04").await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let rid = crate::visas::latest_round(&c, gid, cid).await;
    let target = format!("C{cid}");
    crate::cao::new_seance(app, &c, "2026-12-08", &[(&target, "Attribuer")]).await;
    (c, gid, cid, rid)
}

#[tokio::test]
async fn the_archive_holds_everything_verifies_and_is_journaled() {
    let app = TestApp::spawn().await;
    let (c, gid, cid, rid) = archived_tender(&app).await;
    let path = format!("/g/{gid}/consultations/{cid}/archive.zip");
    let r = c.get(&path).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"2026-DUI_archive.zip\""
    );
    let bytes = r.bytes().await.expect("body").to_vec();
    let report = coordo::archive::verify::verify(&bytes).expect("intact archive");
    assert_eq!(report.reference, "2026-DUI");
    let files = unzip(&bytes);

    // Every version, byte for byte.
    for (kind, n) in [
        ("rc", 1),
        ("rc", 2),
        ("ae", 1),
        ("ccap", 1),
        ("cctp", 1),
        ("bpu", 1),
    ] {
        let code = kind.to_uppercase();
        let name = format!("pieces/{code}/2026-DUI_{code}_v{n}.docx");
        let version = c
            .get(&format!(
                "/g/{gid}/consultations/{cid}/pieces/{kind}/versions/{n}/docx"
            ))
            .await
            .bytes()
            .await
            .expect("version");
        assert_eq!(
            files.get(&name).map(Vec::as_slice),
            Some(&version[..]),
            "{name}"
        );
    }
    assert!(!files.contains_key("pieces/RC/2026-DUI_RC_v3.docx"));
    // The bordereau of each piece of the round.
    for piece in ["RC_v2", "AE_v1"] {
        let name = format!("visas/2026-DUI_{piece}_bordereau_visas_tour{rid}.docx");
        assert!(files.contains_key(&name), "{name}: {:?}", files.keys());
    }
    // The visa requests, as RFC 5322 messages with their pieces attached.
    let emls: Vec<&String> = files.keys().filter(|k| k.starts_with("emails/")).collect();
    assert!(!emls.is_empty(), "{:?}", files.keys());
    for name in &emls {
        assert!(name.ends_with("_visa_demande.eml"), "{name}");
        let eml = text(&files, name);
        assert!(eml.contains("Message-ID: <"), "{eml}");
        assert!(eml.contains("Content-Disposition: attachment"), "{eml}");
    }
    // The séance is not held: no PV, and the archive says why.
    assert!(!files.keys().any(|k| k.starts_with("cao/")));
    let omitted = text(&files, "documents_non_produits.txt");
    assert!(omitted.contains("pas encore tenue"), "{omitted}");
    assert!(
        omitted.contains("Rapport d'analyse des offres"),
        "{omitted}"
    );

    // The journal extract: this consultation's entries, verbatim, and the chain's state.
    let journal: Value = serde_json::from_slice(&files["journal/journal.json"]).expect("json");
    let entries = journal.as_array().expect("array");
    let has = |action: &str| entries.iter().any(|e| e["action"] == action);
    for action in [
        "consultation.creation",
        "pieces.version",
        "pieces.clause_modifiee",
        "visa.tour_ouvert",
        "courriel.mise_en_file",
        "cao.seance_creee",
    ] {
        assert!(has(action), "{action} missing: {journal:#}");
    }
    for e in entries {
        if e["entity"] == "consultation" {
            assert_eq!(e["entity_id"], cid.to_string(), "{e}");
        }
        assert_eq!(e["hash"].as_str().map(str::len), Some(64));
        assert!(e["summary"].is_string(), "summary kept verbatim");
    }
    let chain = text(&files, "journal/chaine.txt");
    assert!(chain.contains("INTACTE"), "{chain}");
    assert!(chain.contains("toutes concordent"), "{chain}");

    // The export is in the journal with the ZIP's SHA-256.
    let row = coordo::db::entities::audit_entry::Entity::find()
        .filter(coordo::db::entities::audit_entry::Column::Action.eq("consultation.archive"))
        .order_by_desc(coordo::db::entities::audit_entry::Column::Id)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("consultation.archive journaled");
    let summary: Value = serde_json::from_str(&row.summary).expect("json");
    assert_eq!(summary["sha256"], crate::visas::sha(&bytes));
    assert_eq!(summary["fichiers"], report.files);
    assert_eq!(row.entity_id, cid.to_string());
    assert_eq!(row.actor, coord_email());

    // Offline check with the real binary: intact, then one byte changed.
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("archive.zip");
    std::fs::write(&file, &bytes).expect("write");
    let f = file.to_str().expect("path");
    let ok = coordo_cmd(&app.db_path, &["archive", "verify", f]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("Archive intègre"), "{}", stdout(&ok));
    // Offline: neither the database nor a valid configuration is needed.
    let offline = std::process::Command::new(env!("CARGO_BIN_EXE_coordo"))
        .args(["archive", "verify", f])
        .env("COORDO_ADDR", "pas-une-adresse")
        .env("COORDO_DATABASE_URL", "sqlite:///nulle/part/absente.db")
        .output()
        .expect("run");
    assert_eq!(offline.status.code(), Some(0), "{}", stderr(&offline));
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x01;
    let bad_file = dir.path().join("alteree.zip");
    std::fs::write(&bad_file, &damaged).expect("write");
    let bad = coordo_cmd(
        &app.db_path,
        &["archive", "verify", bad_file.to_str().expect("path")],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).starts_with("Erreur : archive NON intègre — "),
        "{}",
        stderr(&bad)
    );
    assert!(stdout(&bad).is_empty());
    let missing = coordo_cmd(&app.db_path, &["archive", "verify", "/nulle/part.zip"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("Impossible de lire le fichier /nulle/part.zip"));
}

/// Number of `consultation.archive` entries in the journal.
async fn exports(app: &TestApp) -> u64 {
    use sea_orm::PaginatorTrait;
    coordo::db::entities::audit_entry::Entity::find()
        .filter(coordo::db::entities::audit_entry::Column::Action.eq("consultation.archive"))
        .count(&app.state.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn only_the_coordonnateur_downloads_and_the_cli_exports() {
    let app = TestApp::spawn().await;
    let coord = app.login(&coord_email()).await;
    let (gid, cid) = crate::pieces::ready_tender(&app, &coord).await;
    let path = format!("/g/{gid}/consultations/{cid}/archive.zip");
    for who in [referent_email(SANTELYS), amoa_email()] {
        let status = app.login(&who).await.get(&path).await.status();
        assert_eq!(status, 403, "{who}");
    }
    assert_eq!(
        exports(&app).await,
        0,
        "a refused download journals nothing"
    );
    let unknown = format!("/g/{gid}/consultations/999999/archive.zip");
    assert_eq!(coord.get(&unknown).await.status(), 404);

    // No piece yet: the archive still holds the journal extract.
    let bytes = coord.get(&path).await.bytes().await.expect("zip").to_vec();
    assert_eq!(exports(&app).await, 1);
    let files = unzip(&bytes);
    assert!(files.contains_key("journal/journal.json"));
    assert!(!files.keys().any(|k| k.starts_with("pieces/")));

    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("export.zip");
    let o = out.to_str().expect("path");
    let id = cid.to_string();
    let run = coordo_cmd(
        &app.db_path,
        &["archive", "export", "--consultation", &id, "--out", o],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        exports(&app).await,
        2,
        "the command line export is journaled too"
    );
    assert!(
        stdout(&run).contains("Empreinte SHA-256"),
        "{}",
        stdout(&run)
    );
    let exported = std::fs::read(&out).expect("written");
    let report = coordo::archive::verify::verify(&exported).expect("intact");
    assert_eq!(report.reference, "2026-DUI");
    let files = unzip(&exported);
    let journal = String::from_utf8(files["journal/journal.json"].clone()).expect("utf-8");
    assert!(
        journal.contains("consultation.archive"),
        "the earlier download is in the later extract"
    );
    let again = coordo_cmd(
        &app.db_path,
        &["archive", "export", "--consultation", &id, "--out", o],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("impossible"), "{}", stderr(&again));
    let none = coordo_cmd(
        &app.db_path,
        &[
            "archive",
            "export",
            "--consultation",
            "999999",
            "--out",
            "/tmp/x.zip",
        ],
    );
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("consultation 999999 introuvable"));
}

#[tokio::test]
async fn a_seance_in_carence_gives_its_pv_and_the_next_one_is_listed_as_not_held() {
    use crate::cao::{convene_and_sit, new_seance, step, titulaires};
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let cid = crate::consultations::software_tender(&app, &coord).await;
    let target = format!("C{cid}");
    let sid = new_seance(&app, &coord, "2026-12-08", &[(&target, "Attribuer")]).await;
    let four = titulaires(&app, 4).await;
    convene_and_sit(&app, &coord, sid, (2026, 11, 23), (2026, 12, 8), &four).await;
    let base = format!("/g/{gid}/cao/seances/{sid}");
    step(&app, &coord, &format!("{base}/carence"), &[]).await;
    let second = [
        ("date", "2026-12-15"),
        ("time", "10:00"),
        ("place", "Mairie"),
    ];
    step(&app, &coord, &format!("{base}/second-convocation"), &second).await;
    let number = crate::cao::api_seance(&app, &coord, sid).await["number"]
        .as_str()
        .expect("number")
        .to_owned();

    let path = format!("/g/{gid}/consultations/{cid}/archive.zip");
    let r = coord.get(&path).await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("zip").to_vec();
    coordo::archive::verify::verify(&bytes).expect("intact");
    let files = unzip(&bytes);
    let pv = format!("cao/pv-carence-cao-{number}.docx");
    let body = docx_text::open(
        files
            .get(&pv)
            .unwrap_or_else(|| panic!("{pv}: {:?}", files.keys())),
    )
    .document_text();
    assert!(body.contains("Constat de carence"), "{body}");
    // The PV de carence established at the second convocation, as downloaded.
    let download = coord
        .get(&format!("{base}/pv-carence.docx"))
        .await
        .bytes()
        .await
        .expect("docx");
    assert_eq!(files[&pv], download.to_vec(), "stored, not rendered again");
    let omitted = text(&files, "documents_non_produits.txt");
    assert!(omitted.contains("pas encore tenue"), "{omitted}");
    let journal = text(&files, "journal/journal.json");
    assert!(
        journal.contains("cao.carence"),
        "the séance's entries are extracted"
    );
}

#[tokio::test]
async fn once_ranked_the_rapport_d_analyse_of_each_lot_is_archived() {
    use crate::offers::{S_ALPHA, S_BETA, add_pli, exam, offres, pli_id, plis, price, utc};
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = crate::offers::tender(&app).await;
    let grid = serde_json::json!([{"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": "proportional"}]);
    let r = crate::offers::set_grid(&app, &coord, gid, cid, grid).await;
    assert_eq!(r.status(), 200);
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    for (n, s) in [("ALPHA", S_ALPHA), ("BETA", S_BETA)] {
        let r = add_pli(&coord, gid, cid, n, s, "2027-01-14T10:00").await;
        assert_eq!(r.status(), 303);
    }
    app.state.clock.set(utc(2027, 1, 18, 9, 0, 0));
    let list = plis(&coord, gid, cid).await;
    for (n, p) in [("ALPHA", "100000"), ("BETA", "110000")] {
        let id = pli_id(&list, n);
        assert_eq!(price(&coord, gid, cid, &id, p).await, 303);
        assert_eq!(exam(&coord, gid, cid, &id, "admissible", "").await, 303);
    }
    let path = format!("/g/{gid}/consultations/{cid}/archive.zip");
    let bytes = coord.get(&path).await.bytes().await.expect("zip").to_vec();
    coordo::archive::verify::verify(&bytes).expect("intact");
    let files = unzip(&bytes);
    let archived = files
        .get("analyse/rapport-analyse-2026-DUI-lot1.docx")
        .unwrap_or_else(|| panic!("{:?}", files.keys()));
    let download = coord
        .get(&format!("{}/rapport.docx", offres(gid, cid)))
        .await;
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"rapport-analyse-2026-DUI-lot1.docx\""
    );
    let download = download.bytes().await.expect("docx");
    assert_eq!(
        docx_text::open(archived).document_text(),
        docx_text::open(&download).document_text()
    );
    assert!(
        !files.contains_key("documents_non_produits.txt"),
        "nothing missing"
    );
    let journal = text(&files, "journal/journal.json");
    assert!(journal.contains("offres.pli_enregistre"), "{journal}");
}
