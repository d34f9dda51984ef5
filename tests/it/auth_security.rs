//! Login, throttling, lock, CSRF, cookies and API tokens.

use crate::support::*;

#[tokio::test]
async fn login_opens_the_dashboard_and_the_cookie_is_httponly_and_samesite() {
    let app = TestApp::spawn().await;
    let c = app.anonymous().await;
    let r = c
        .post_form(
            "/login",
            &[("email", &coord_email()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(cookie.contains("coordo_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let home = c.get("/").await;
    assert_eq!(home.status(), 303);
    let dash = c
        .get(home.headers()["location"].to_str().expect("loc"))
        .await;
    assert_eq!(dash.status(), 200);
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_french_and_journaled() {
    let app = TestApp::spawn().await;
    let before = app.audit_count().await;
    let c = app.anonymous().await;
    let r = c
        .post_form(
            "/login",
            &[
                ("email", &coord_email()),
                ("password", "mauvais mot de passe"),
            ],
        )
        .await;
    assert_eq!(r.status(), 401);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("Adresse électronique ou mot de passe incorrect")
    );
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(c.get("/").await.headers()["location"], "/login");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let c = app.anonymous().await;
    let email = referent_email(SANTELYS);
    let mut last = 0;
    for _ in 0..5 {
        last = c
            .post_form(
                "/login",
                &[("email", &email), ("password", "mauvais mot de passe")],
            )
            .await
            .status()
            .as_u16();
    }
    assert_eq!(last, 429, "the fifth failure locks the account");
    let r = c
        .post_form("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 429);
    assert!(r.text().await.expect("body").contains("verrouillé jusqu"));
    // Fifteen minutes later the right password works again.
    app.state.clock.advance(chrono::Duration::minutes(16));
    let r = c
        .post_form("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let before = app.audit_count().await;
    let fields = [
        ("email", "nouvelle@exemple.fr"),
        ("display_name", "Nouvelle"),
        ("role", "lecteur"),
        ("password", "un mot de passe long"),
    ];
    let r = c.post_form_raw(&format!("/g/{gid}/users"), &fields).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.expect("body").contains("CSRF"));
    let mut wrong = vec![("csrf_token", "0000")];
    wrong.extend_from_slice(&fields);
    assert_eq!(
        c.post_form_raw(&format!("/g/{gid}/users"), &wrong)
            .await
            .status(),
        403
    );
    assert_eq!(app.audit_count().await, before, "nothing written");
    // The same form with the token goes through.
    assert_eq!(
        c.post_form(&format!("/g/{gid}/users"), &fields)
            .await
            .status(),
        303
    );
    assert_eq!(app.audit_count().await, before + 1);
}

#[tokio::test]
async fn login_itself_needs_the_csrf_token() {
    let app = TestApp::spawn().await;
    let c = app.anonymous().await;
    let r = c
        .post_form_raw(
            "/login",
            &[("email", &coord_email()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn an_api_token_authenticates_without_cookie_and_a_bad_one_does_not() {
    let app = TestApp::spawn().await;
    let user = app.user_row(&coord_email()).await;
    let tx = coordo::audit::begin(&app.state.db).await.expect("tx");
    let token = coordo::auth::users::issue_token(
        &tx,
        app.state.clock.now(),
        &coordo::audit::Actor::cli(),
        &user,
    )
    .await
    .expect("token");
    tx.commit().await.expect("commit");
    let http = reqwest::Client::new();
    let ok = http
        .get(app.url("/api/v1/groupements"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(ok.status(), 200);
    let bad = http
        .get(app.url("/api/v1/groupements"))
        .bearer_auth("cdo_faux")
        .send()
        .await
        .expect("get");
    assert_eq!(bad.status(), 401);
    let none = http
        .get(app.url("/api/v1/groupements"))
        .send()
        .await
        .expect("get");
    assert_eq!(none.status(), 401);
    let body: serde_json::Value = none.json().await.expect("json");
    assert!(
        body["erreur"]
            .as_str()
            .expect("erreur")
            .contains("connecter")
    );
}
