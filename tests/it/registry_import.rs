//! `coordo import` and the registry on the real groupement file.

use crate::support::*;
use coordo::audit::Actor;
use coordo::registry::{DEMO_GROUPEMENT_JSON, import};

#[tokio::test]
async fn the_real_groupement_is_seeded_with_its_ten_members_and_twenty_establishments() {
    let app = TestApp::spawn().await;
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
    let coord = members
        .iter()
        .find(|m| m.member.role.as_deref() == Some("coordonnateur"))
        .expect("coordonnateur");
    assert_eq!(coord.member.name, "CCAS DE WATTRELOS");
    assert_eq!(coord.member.finess_juridique, COORD_FINESS);
}

#[tokio::test]
async fn a_second_import_changes_nothing_and_writes_no_journal_entry() {
    let app = TestApp::spawn().await;
    let before = app.audit_count().await;
    let out = import::import_text(
        &app.state.db,
        app.state.clock.now(),
        &Actor::cli(),
        DEMO_GROUPEMENT_JSON,
        false,
    )
    .await
    .expect("import");
    assert!(out.changes.is_empty(), "{:?}", out.changes);
    assert!(!out.written);
    assert_eq!(app.audit_count().await, before);
}

#[tokio::test]
async fn a_changed_file_updates_in_place_and_dry_run_writes_nothing() {
    let app = TestApp::spawn().await;
    let changed = DEMO_GROUPEMENT_JSON.replace(
        "351 rue Ambroise Paré, 59120 Loos",
        "1 place Neuve, 59120 Loos",
    );
    let before = app.audit_count().await;
    let dry = import::import_text(
        &app.state.db,
        app.state.clock.now(),
        &Actor::cli(),
        &changed,
        true,
    )
    .await
    .expect("dry run");
    assert_eq!(dry.changes, vec!["membre modifié : SANTELYS".to_owned()]);
    assert_eq!(app.audit_count().await, before, "dry run must not journal");
    let m = coordo::registry::service::member(
        &app.state.db,
        app.gid().await,
        app.member_id(SANTELYS).await,
    )
    .await
    .expect("q")
    .expect("member");
    assert_eq!(
        m.member.address, "351 rue Ambroise Paré, 59120 Loos",
        "dry run must not write"
    );

    let real = import::import_text(
        &app.state.db,
        app.state.clock.now(),
        &Actor::cli(),
        &changed,
        false,
    )
    .await
    .expect("import");
    assert!(real.written);
    let members = coordo::registry::service::members(&app.state.db, app.gid().await)
        .await
        .expect("members");
    assert_eq!(members.len(), 10, "updated in place, no duplicate");
    let m = members
        .iter()
        .find(|m| m.member.finess_juridique == SANTELYS)
        .expect("santelys");
    assert_eq!(m.member.address, "1 place Neuve, 59120 Loos");
    assert_eq!(app.audit_count().await, before + 1);
}

#[tokio::test]
async fn a_file_with_a_bad_finess_key_is_refused_whole_with_the_value_named() {
    let app = TestApp::spawn().await;
    // The engagement letter's FINESS for the Templeuve SAAD, whose Luhn key is wrong.
    let bad = DEMO_GROUPEMENT_JSON.replace("590054367", "595005821");
    let before = app.audit_count().await;
    let err = import::import_text(
        &app.state.db,
        app.state.clock.now(),
        &Actor::cli(),
        &bad,
        false,
    )
    .await
    .expect_err("refused");
    let import::ImportError::Invalid(n, report) = err else {
        panic!("expected a quality refusal")
    };
    assert!(n >= 1);
    let text = report.render_text();
    assert!(text.contains("595005821"), "{text}");
    assert_eq!(app.audit_count().await, before);
}

#[tokio::test]
async fn the_dashboard_shows_members_and_the_checkable_source_mistakes() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let page = c.get(&format!("/g/{}", app.gid().await)).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("CCAS DE WATTRELOS"));
    assert!(html.contains("ADOMLYS"));
    // ADOMLYS's SSIAD and SAAD share one SIRET: a checkable mistake of the sources.
    assert!(
        html.contains("92376482300012"),
        "shared SIRET must be reported"
    );
}

#[tokio::test]
async fn the_api_lists_members_with_their_establishments() {
    let app = TestApp::spawn().await;
    let c = app.login(&referent_email(RONCHIN)).await;
    let gid = app.gid().await;
    let gs: serde_json::Value = c
        .get("/api/v1/groupements")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(gs.as_array().map(Vec::len), Some(1));
    assert_eq!(gs[0]["id"], gid);
    let ms: serde_json::Value = c
        .get(&format!("/api/v1/groupements/{gid}/members"))
        .await
        .json()
        .await
        .expect("json");
    let ronchin = ms
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["finess_juridique"] == RONCHIN)
        .expect("ronchin");
    let fin: Vec<&str> = ronchin["establishments"]
        .as_array()
        .expect("e")
        .iter()
        .filter_map(|e| e["finess"].as_str())
        .collect();
    assert_eq!(fin, vec!["590807723", "590793030"]);
}
