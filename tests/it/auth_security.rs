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

/// The audit's attack: five wrong passwords locked any account for 15 minutes, the
/// coordonnateur's included. Now attempts on the account are refused for about a minute only,
/// never from a browser that logged into it before, and the refusals leave a trace.
#[tokio::test]
async fn failures_slow_and_decay_instead_of_locking_the_account() {
    let app = TestApp::spawn().await;
    let email = referent_email(SANTELYS);
    // The rightful user logged in from this browser before (it keeps its device cookie).
    let mut rightful = app.login(&email).await;
    assert_eq!(rightful.post_form("/logout", &[]).await.status(), 303);
    rightful.csrf =
        extract_csrf(&rightful.get("/login").await.text().await.expect("page")).expect("csrf");

    let attacker = app.anonymous().await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            attacker
                .post_form(
                    "/login",
                    &[("email", &email), ("password", "mauvais mot de passe")],
                )
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, vec![401, 401, 401, 401, 401, 429], "{statuses:?}");
    // Even the right password is not checked from the attacker's or a new browser for now…
    let fresh = app.anonymous().await;
    let r = fresh
        .post_form("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(wait <= 60, "a minute at most, not 15: {wait}");
    assert!(r.text().await.expect("body").contains("réessayez dans"));
    // …but the rightful user's browser gets in at once,
    let r = rightful
        .post_form("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(
        r.status(),
        303,
        "the device cookie lets the rightful user in"
    );
    // and anybody else a minute later (it decays), not fifteen.
    app.state.clock.advance(chrono::Duration::seconds(61));
    let r = fresh
        .post_form("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 303);
    // Every failure and the refusal are in the journal.
    let gid = app.gid().await;
    let actions: Vec<String> = coordo::audit::latest(&app.state.db, gid, 100)
        .await
        .expect("journal")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "connexion.echec").count(),
        5
    );
    assert!(
        actions.iter().any(|a| a == "connexion.limitee"),
        "{actions:?}"
    );
    // The account was never locked.
    assert_eq!(app.user_row(&email).await.locked_until, None);
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
