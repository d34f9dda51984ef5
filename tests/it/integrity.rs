//! Issue 15, item 3: the journal's tamper evidence against someone who edits the database file
//! but holds neither the journal's key nor the anchor (both outside the database), and the
//! archive's Ed25519 signature. Each attack is run on the real database file, then checked by
//! the real `coordo audit verify` / `coordo archive verify` binary.

use crate::support::*;
use coordo::audit::chain::{self, EntryFields};
use coordo::db::entities::audit_entry;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryOrder};

async fn raw(app: &TestApp) -> DatabaseConnection {
    Database::connect(format!("sqlite://{}", app.db_path.display()))
        .await
        .expect("raw")
}

/// `coordo audit verify` must answer « ROMPU » (exit 1) and its message must contain `needle`.
fn cli_says_broken(app: &TestApp, needle: &str) {
    let out = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {} stderr: {}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stderr(&out).contains("ROMPU"), "{}", stderr(&out));
    assert!(stderr(&out).contains(needle), "{}", stderr(&out));
}

fn cli_says_intact(app: &TestApp) {
    let out = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("intact"), "{}", stdout(&out));
}

/// What an attacker without the key does after editing entry `from`: recomputes every later
/// seal with the published algorithm (plain SHA-256), relinks and moves the head.
async fn rechain_from(db: &DatabaseConnection, from: i64) {
    let rows = audit_entry::Entity::find()
        .order_by_asc(audit_entry::Column::Id)
        .all(db)
        .await
        .expect("rows");
    let mut prev = rows
        .iter()
        .find(|r| r.id == from - 1)
        .map_or(chain::GENESIS.to_owned(), |r| r.hash.clone());
    for r in rows.iter().filter(|r| r.id >= from) {
        let f = EntryFields {
            id: r.id,
            at: &r.at,
            groupement_id: r.groupement_id,
            actor_user_id: r.actor_user_id,
            actor: &r.actor,
            action: &r.action,
            entity: &r.entity,
            entity_id: &r.entity_id,
            summary: &r.summary,
        };
        let h = chain::entry_hash(&prev, &f);
        db.execute_unprepared(&format!(
            "UPDATE audit_entry SET prev_hash = '{prev}', hash = '{h}' WHERE id = {}",
            r.id
        ))
        .await
        .expect("rechain");
        prev = h;
    }
    let last = rows.last().map_or(0, |r| r.id);
    db.execute_unprepared(&format!(
        "UPDATE audit_head SET last_id = {last}, last_hash = '{prev}' WHERE id = 1"
    ))
    .await
    .expect("head");
}

#[tokio::test]
async fn an_entry_edited_and_rechained_without_the_key_is_named() {
    let app = TestApp::spawn().await;
    cli_says_intact(&app);
    let db = raw(&app).await;
    db.execute_unprepared("UPDATE audit_entry SET actor = 'quelqu''un' WHERE id = 3")
        .await
        .expect("tamper");
    rechain_from(&db, 3).await;
    let b = coordo::audit::verify(&app.state.db)
        .await
        .expect("verify")
        .expect("broken");
    assert_eq!(b.entry_id, 3);
    assert!(b.reason.contains("HMAC"), "{}", b.reason);
    cli_says_broken(&app, "entrée n° 3");
}

#[tokio::test]
async fn a_truncated_tail_with_the_head_moved_back_is_detected() {
    let app = TestApp::spawn().await;
    let n = app.audit_count().await;
    let db = raw(&app).await;
    db.execute_unprepared(&format!("DELETE FROM audit_entry WHERE id > {}", n - 2))
        .await
        .expect("truncate");
    // The head is moved back to the entry that is now the last one: the chain is consistent.
    rechain_from(&db, n - 1).await;
    let b = coordo::audit::verify(&app.state.db)
        .await
        .expect("verify")
        .expect("broken");
    assert!(b.entry_id > n - 2, "{}", b.reason);
    assert!(b.reason.contains("ancrage"), "{}", b.reason);
    cli_says_broken(&app, "supprimées");
}

#[tokio::test]
async fn a_deleted_journal_is_detected() {
    let app = TestApp::spawn().await;
    let db = raw(&app).await;
    db.execute_unprepared("DELETE FROM audit_entry")
        .await
        .expect("delete");
    db.execute_unprepared(&format!(
        "UPDATE audit_head SET last_id = 0, last_hash = '{}' WHERE id = 1",
        chain::GENESIS
    ))
    .await
    .expect("head");
    let b = coordo::audit::verify(&app.state.db)
        .await
        .expect("verify")
        .expect("broken");
    assert!(b.reason.contains("supprimé"), "{}", b.reason);
    cli_says_broken(&app, "journal a été supprimé");
}

#[tokio::test]
async fn a_renumbered_journal_is_detected() {
    let app = TestApp::spawn().await;
    let n = app.audit_count().await;
    let db = raw(&app).await;
    // Entry 4 removed, the later ones renumbered (each keeps its seal), the head moved.
    db.execute_unprepared("DELETE FROM audit_entry WHERE id = 4")
        .await
        .expect("delete");
    for id in 5..=n {
        db.execute_unprepared(&format!(
            "UPDATE audit_entry SET id = {} WHERE id = {id}",
            id - 1
        ))
        .await
        .expect("renumber");
    }
    rechain_from(&db, 4).await;
    let b = coordo::audit::verify(&app.state.db)
        .await
        .expect("verify")
        .expect("broken");
    assert_eq!(b.entry_id, 4, "{}", b.reason);
    cli_says_broken(&app, "entrée n° 4");
}

#[tokio::test]
async fn a_removed_anchor_file_or_another_key_is_reported() {
    let app = TestApp::spawn().await;
    let anchor = app.db_path.with_file_name("coordo-audit.anchor");
    let text = std::fs::read_to_string(&anchor).expect("anchor");
    assert!(text.starts_with("coordo-ancre v1 "), "{text}");
    let n = app.audit_count().await;
    assert!(
        text.lines()
            .last()
            .is_some_and(|l| l.starts_with(&format!("{n} "))),
        "the head is anchored after each write: {text}"
    );
    // The key file is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = app.db_path.with_file_name("coordo-audit.key");
        let mode = std::fs::metadata(&key).expect("key").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    std::fs::remove_file(&anchor).expect("rm");
    cli_says_broken(&app, "ancrage");
    // Another key (a new file) is refused at start: it did not seal this journal.
    std::fs::write(&anchor, text).expect("restore");
    cli_says_intact(&app);
    let other = app.dir.path().join("autre.key");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_coordo"))
        .args(["audit", "verify"])
        .env(
            "COORDO_DATABASE_URL",
            format!("sqlite://{}", app.db_path.display()),
        )
        .env("COORDO_AUDIT_KEY_FILE", &other)
        .env("COORDO_AUDIT_ANCHOR_FILE", &anchor)
        .env("COORDO_LOG", "error")
        .output()
        .expect("run");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("n'est pas celle qui a scellé ce journal")
            || stderr(&out).contains("introuvable"),
        "{}",
        stderr(&out)
    );
}

/// The files of a ZIP, by name.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("entry");
            let mut content = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut content).expect("read");
            (f.name().expect("name").to_string(), content)
        })
        .collect()
}

#[tokio::test]
async fn an_archive_rewritten_with_its_manifests_is_refused_by_the_cli() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = crate::offers::tender(&app).await;
    let bytes = coord
        .get(&format!("/g/{gid}/consultations/{cid}/archive.zip"))
        .await
        .bytes()
        .await
        .expect("zip")
        .to_vec();
    let original = app.dir.path().join("original.zip");
    std::fs::write(&original, &bytes).expect("write");
    let key = coordo_cmd(&app.db_path, &["archive", "cle"]);
    assert!(key.status.success(), "{}", stderr(&key));
    let key = stdout(&key).trim().to_owned();
    assert!(key.starts_with("ed25519:"), "{key}");
    let ok = coordo_cmd(
        &app.db_path,
        &["archive", "verify", original.to_str().expect("p")],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(
        stdout(&ok).contains(&key) && stdout(&ok).contains("clé du groupement"),
        "{}",
        stdout(&ok)
    );

    // Attack: the journal extract rewritten, both manifests recomputed (the builder's own
    // algorithm), signed with a key that is not the groupement's.
    let files = unzip(&bytes);
    let manifest: coordo::archive::Manifest = serde_json::from_slice(
        &files
            .iter()
            .find(|(n, _)| n == "manifeste.json")
            .expect("manifest")
            .1,
    )
    .expect("json");
    let entries: Vec<coordo::archive::Entry> = files
        .into_iter()
        .filter(|(n, _)| !coordo::archive::RESERVED_NAMES.contains(&n.as_str()))
        .map(|(path, bytes)| coordo::archive::Entry {
            bytes: if path == "journal/chaine.txt" {
                b"Chaine INTACTE (reecrite)".to_vec()
            } else {
                bytes
            },
            path,
            modified: None,
        })
        .collect();
    let other = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
    let forged = coordo::archive::bundle::build(&manifest.meta, &entries, &other)
        .expect("forged")
        .bytes;
    assert!(
        coordo::archive::verify::verify(&forged).is_ok(),
        "self-consistent: the manifests alone cannot tell"
    );
    let path = app.dir.path().join("reconstituee.zip");
    std::fs::write(&path, &forged).expect("write");
    let out = coordo_cmd(
        &app.db_path,
        &["archive", "verify", path.to_str().expect("p")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("n'est pas celle du groupement"),
        "{}",
        stderr(&out)
    );
    // Away from the server, the groupement's public key is given on the command line.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_coordo"))
        .args([
            "archive",
            "verify",
            path.to_str().expect("p"),
            "--cle",
            &key,
        ])
        .env(
            "COORDO_SIGNING_KEY_FILE",
            app.dir.path().join("absente.key"),
        )
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&key), "{}", stderr(&out));
}
