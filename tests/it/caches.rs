//! The in-memory caches never outlive what they copy: a logout, a journaled change of an account
//! or of the data is seen by the very next request.

use crate::support::*;
use coordo::db::entities::app_user;
use sea_orm::{ActiveModelTrait, Set};

/// Logs in by hand and returns the session cookie (`coordo_session=…`) the server set.
async fn login_cookie(app: &TestApp, email: &str) -> (Client, String) {
    let mut c = app.anonymous().await;
    let r = c
        .post_form("/login", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("coordo_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    // The CSRF token changes at login.
    c.refresh_csrf().await;
    (c, cookie)
}

/// A page asked with exactly this cookie (no jar), without following redirects.
async fn get_with(app: &TestApp, cookie: &str, path: &str) -> reqwest::StatusCode {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("get")
        .status()
}

#[tokio::test]
async fn a_logout_ends_the_session_at_once_even_for_a_copy_of_its_cookie() {
    let app = TestApp::spawn().await;
    let (c, cookie) = login_cookie(&app, &coord_email()).await;
    let gid = app.gid().await;
    let dash = format!("/g/{gid}");
    assert_eq!(get_with(&app, &cookie, &dash).await, 200);
    assert_eq!(c.post_form("/logout", &[]).await.status(), 303);
    let after = get_with(&app, &cookie, &dash).await;
    assert_eq!(after, 303, "the old cookie still opened the dashboard");
}

#[tokio::test]
async fn a_journaled_deactivation_closes_an_open_session_at_the_next_request() {
    let app = TestApp::spawn().await;
    let (_, cookie) = login_cookie(&app, &coord_email()).await;
    let gid = app.gid().await;
    let dash = format!("/g/{gid}");
    // Served once, so the account is in the cache.
    assert_eq!(get_with(&app, &cookie, &dash).await, 200);
    // What a deactivation does: the change and its journal entry in one transaction.
    let row = app.user_row(&coord_email()).await;
    let db = &app.state.db;
    let tx = coordo::audit::begin(db).await.expect("begin");
    let mut a: app_user::ActiveModel = row.clone().into();
    a.active = Set(false);
    a.update(&tx).await.expect("update");
    coordo::audit::record(
        &tx,
        chrono::Utc::now(),
        &coordo::audit::Actor::cli(),
        coordo::audit::Event {
            groupement_id: Some(gid),
            action: "compte.desactivation",
            entity: "app_user",
            entity_id: row.id.to_string(),
            summary: serde_json::json!({}),
        },
    )
    .await
    .expect("journal");
    tx.commit().await.expect("commit");
    assert_eq!(get_with(&app, &cookie, &dash).await, 303);
}

#[tokio::test]
async fn the_dashboard_shows_a_consultation_created_right_after_it_was_served() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let dash = format!("/g/{gid}");
    let before = c.get(&dash).await.text().await.expect("html");
    assert!(!before.contains("CACHE-2026-1"));
    let body = serde_json::json!({"reference": "CACHE-2026-1", "objet": "Vue après écriture",
        "nature": "services", "cpv": "48000000-8", "ccag": "tic"});
    let r = c
        .post_json(&format!("/api/v1/groupements/{gid}/consultations"), &body)
        .await;
    assert_eq!(r.status(), 201);
    let after = c.get(&dash).await.text().await.expect("html");
    assert!(after.contains("CACHE-2026-1"), "stale dashboard");
}
