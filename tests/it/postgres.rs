//! The same service on PostgreSQL: a database URL is all it takes (portable migrations and
//! queries). `tests/run.sh` installs and starts a local PostgreSQL and sets
//! `COORDO_TEST_POSTGRES_URL` (a role allowed to create databases), then runs this test.

use crate::support::*;
use sea_orm::{ConnectionTrait, Database};

/// A fresh database on the test server.
async fn fresh_database() -> String {
    let admin = std::env::var("COORDO_TEST_POSTGRES_URL")
        .expect("COORDO_TEST_POSTGRES_URL must point at PostgreSQL (tests/run.sh sets it up)");
    let name = format!("coordo_test_{}", uuid::Uuid::new_v4().simple());
    let conn = Database::connect(&admin)
        .await
        .expect("connect to PostgreSQL");
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(b, _)| b)
        .to_owned();
    format!("{base}/{name}")
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run by tests/run.sh, which installs and starts it"]
async fn the_whole_foundation_runs_on_postgresql() {
    let url = fresh_database().await;
    let app = TestApp::spawn_on(Some(url.clone())).await;
    assert!(!coordo::db::is_sqlite(&app.state.db));
    // The real groupement and its accounts were seeded through the portable migrations.
    let members = coordo::registry::service::members(&app.state.db, app.gid().await)
        .await
        .expect("members");
    assert_eq!(members.len(), 10);
    assert_eq!(
        members
            .iter()
            .map(|m| m.establishments.len())
            .sum::<usize>(),
        20
    );

    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = crate::consultations::software_tender(&app, &c).await;
    let html = c
        .get(&format!("/g/{gid}/consultations/{cid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("350 000,00 €"),
        "decimals survive PostgreSQL exactly"
    );
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/transition"),
            &[
                ("statut", "sans_suite"),
                ("motif", "Disparition du besoin après fusion"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    // Idempotent import, login lock and the audit chain on PostgreSQL too.
    let again = coordo::registry::import::import_text(
        &app.state.db,
        app.state.clock.now(),
        &coordo::audit::Actor::cli(),
        coordo::registry::DEMO_GROUPEMENT_JSON,
        false,
    )
    .await
    .expect("import");
    assert!(again.changes.is_empty());
    let anon = app.anonymous().await;
    for _ in 0..5 {
        anon.post_form(
            "/login",
            &[
                ("email", &amoa_email()),
                ("password", "mauvais mot de passe"),
            ],
        )
        .await;
    }
    assert_eq!(
        anon.post_form(
            "/login",
            &[("email", &amoa_email()), ("password", PASSWORD)]
        )
        .await
        .status(),
        429
    );
    assert_eq!(
        coordo::audit::verify(&app.state.db).await.expect("verify"),
        None
    );
    let raw = Database::connect(&url).await.expect("raw");
    raw.execute_unprepared("UPDATE audit_entry SET actor = 'x' WHERE id = 3")
        .await
        .expect("tamper");
    assert_eq!(
        coordo::audit::verify(&app.state.db)
            .await
            .expect("verify")
            .map(|b| b.entry_id),
        Some(3)
    );
}
