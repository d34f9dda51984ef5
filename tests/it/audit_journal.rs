//! The audit journal's hash chain, and its tamper detection on the database file itself.

use crate::support::*;
use sea_orm::{ConnectionTrait, Database};

#[tokio::test]
async fn the_chain_verifies_then_an_edited_row_is_named_by_the_cli() {
    let app = TestApp::spawn().await;
    let n = app.audit_count().await;
    assert!(n >= 2, "seeding is journaled");
    assert_eq!(
        coordo::audit::verify(&app.state.db).await.expect("verify"),
        None
    );
    let ok = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains(&format!("{n} entrée(s) vérifiée(s)")));

    // Someone edits the database file directly.
    let raw = Database::connect(format!("sqlite://{}", app.db_path.display()))
        .await
        .expect("raw");
    raw.execute_unprepared("UPDATE audit_entry SET actor = 'quelqu''un' WHERE id = 2")
        .await
        .expect("tamper");
    let broken = coordo::audit::verify(&app.state.db)
        .await
        .expect("verify")
        .expect("broken");
    assert_eq!(broken.entry_id, 2);
    let out = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("entrée n° 2"), "{}", stderr(&out));
}

#[tokio::test]
async fn removing_the_last_entries_is_detected() {
    let app = TestApp::spawn().await;
    let n = app.audit_count().await;
    let raw = Database::connect(format!("sqlite://{}", app.db_path.display()))
        .await
        .expect("raw");
    raw.execute_unprepared(&format!("DELETE FROM audit_entry WHERE id = {n}"))
        .await
        .expect("tamper");
    let broken = coordo::audit::verify(&app.state.db)
        .await
        .expect("verify")
        .expect("broken");
    assert_eq!(broken.entry_id, n);
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = app.state.db.clone();
        let now = app.state.clock.now();
        tasks.push(tokio::spawn(async move {
            let new = coordo::auth::users::NewUser {
                email: format!("lecteur{i}@exemple.fr"),
                display_name: format!("Lecteur {i}"),
                role: coordo::auth::Role::Lecteur,
                groupement_id: gid,
                member_id: None,
                cao_seat: None,
                password: "un mot de passe long".into(),
            };
            coordo::auth::users::create(&db, now, &coordo::audit::Actor::cli(), &new)
                .await
                .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("create");
    }
    assert_eq!(
        coordo::audit::verify(&app.state.db).await.expect("verify"),
        None
    );
}
