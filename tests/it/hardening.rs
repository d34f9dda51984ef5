//! The auditor's attacks of issue 15 replayed against the real server: each must now fail.
//! Sessions (no row for anonymous visitors, purge, absolute lifetime, CSRF rotation, origin,
//! revocation), enumeration, weak passwords, self-service change, deactivation, API tokens
//! (scope, expiry, revocation), the input layer and the security headers.

use crate::support::*;
use coordo::db::entities::web_session;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use std::time::{Duration, Instant};

async fn session_rows(app: &TestApp) -> u64 {
    web_session::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count")
}

async fn actions(app: &TestApp) -> Vec<String> {
    coordo::audit::latest(&app.state.db, app.gid().await, 200)
        .await
        .expect("journal")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn anonymous_login_pages_write_no_session_row() {
    let app = TestApp::spawn().await;
    let before = session_rows(&app).await;
    let http = plain_client();
    for _ in 0..50 {
        let r = http.get(app.url("/login")).send().await.expect("get");
        assert_eq!(r.status(), 200);
        let cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        assert!(
            cookies.iter().all(|c| !c.starts_with("coordo_session=")),
            "{cookies:?}"
        );
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with("coordo_csrf=") && c.contains("HttpOnly"))
        );
    }
    assert_eq!(
        session_rows(&app).await,
        before,
        "no row for anonymous visitors"
    );
    // The signed token of the form still logs in, and only then is a session stored.
    let _c = app.login(&coord_email()).await;
    assert_eq!(session_rows(&app).await, before + 1);
}

#[tokio::test]
async fn a_login_form_token_needs_its_own_cookie() {
    let app = TestApp::spawn().await;
    let victim = app.anonymous().await;
    // Another visitor's token does not go with the victim's cookie.
    let other = app.anonymous().await;
    let r = victim
        .post_form_raw(
            "/login",
            &[
                ("csrf_token", other.csrf.as_str()),
                ("email", &coord_email()),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn expired_sessions_are_purged() {
    let app = TestApp::spawn().await;
    let _live = app.login(&coord_email()).await;
    let _old = app.login(&amoa_email()).await;
    let rows = web_session::Entity::find()
        .all(&app.state.db)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 2);
    let amoa = app.user_row(&amoa_email()).await;
    let old = rows
        .into_iter()
        .find(|r| r.user_id == Some(amoa.id))
        .expect("amoa's session knows its user");
    let mut m: web_session::ActiveModel = old.into();
    m.expires_at = Set(chrono::Utc::now() - chrono::Duration::hours(1));
    m.update(&app.state.db).await.expect("age it");
    let purged = coordo::auth::session_store::purge_expired(&app.state.db, chrono::Utc::now())
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    assert_eq!(session_rows(&app).await, 1, "the live session stays");
}

#[tokio::test]
async fn a_session_ends_after_its_absolute_lifetime_even_if_used() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    assert_eq!(c.get("/compte").await.status(), 200);
    let row = web_session::Entity::find()
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("row");
    let mut data: serde_json::Value = serde_json::from_str(&row.data).expect("json");
    data["created"] = serde_json::json!(chrono::Utc::now().timestamp() - 13 * 3600);
    let id = row.id.clone();
    let mut m: web_session::ActiveModel = row.into();
    m.data = Set(data.to_string());
    m.update(&app.state.db).await.expect("backdate");
    app.state
        .caches
        .sessions
        .remove(&id.parse().expect("session id"));
    let r = c.get("/compte").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
}

#[tokio::test]
async fn the_csrf_token_changes_at_login_and_foreign_origins_are_refused() {
    let app = TestApp::spawn().await;
    let anonymous_token = app.anonymous().await.csrf;
    let c = app.login(&coord_email()).await;
    assert_ne!(c.csrf, anonymous_token, "rotated at login");
    let gid = app.gid().await;
    let before = app.audit_count().await;
    // The token of a login form (the attacker's own) is worth nothing in a session.
    let mut stale = vec![("csrf_token", anonymous_token.as_str())];
    stale.push(("label", "x"));
    assert_eq!(
        c.post_form_raw("/compte/jetons", &stale).await.status(),
        403
    );
    // A cross-site form post, even with the right token, is refused.
    let fields = [
        ("csrf_token", c.csrf.as_str()),
        ("email", "nouvelle@exemple.fr"),
        ("display_name", "Nouvelle"),
        ("role", "lecteur"),
        ("password", "cheval agrafe batterie correcte"),
    ];
    for (h, v) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let r = c
            .http
            .post(app.url(&format!("/g/{gid}/users")))
            .header(h, v)
            .form(&fields)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403, "{h}: {v}");
        assert!(r.text().await.expect("body").contains("autre site"));
    }
    assert_eq!(app.audit_count().await, before, "nothing written");
    // The same post from this site goes through.
    let r = c
        .http
        .post(app.url(&format!("/g/{gid}/users")))
        .header("origin", app.base.as_str())
        .form(&fields)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
}

/// The session handles of « Mon compte », each with whether it is the current session.
fn handles(page: &str) -> Vec<(String, bool)> {
    let parts: Vec<&str> = page.split("/compte/sessions/").collect();
    parts
        .windows(2)
        .map(|w| {
            let row = w[0].rsplit("<tr>").next().unwrap_or_default();
            let handle = w[1].split('/').next().unwrap_or_default().to_owned();
            (handle, row.contains("cette session"))
        })
        .collect()
}

#[tokio::test]
async fn one_lists_and_closes_ones_own_sessions() {
    let app = TestApp::spawn().await;
    let email = referent_email(SANTELYS);
    let laptop = app.login(&email).await;
    let phone = app.login(&email).await;
    let _other_user = app.login(&coord_email()).await;
    let page = laptop.get("/compte").await.text().await.expect("page");
    let listed = handles(&page);
    assert_eq!(listed.len(), 2, "only one's own two sessions");
    assert!(page.contains("cette session"));
    assert_eq!(listed.iter().filter(|(_, current)| *current).count(), 1);
    // Close the phone's: the one that is not this session.
    let (phone_handle, _) = listed.iter().find(|(_, current)| !current).expect("other");
    let r = laptop
        .post_form(&format!("/compte/sessions/{phone_handle}/revoquer"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/compte");
    let r = phone.get("/compte").await;
    assert_eq!(
        r.headers()["location"],
        "/login",
        "the phone is logged out at once"
    );
    assert!(
        actions(&app)
            .await
            .contains(&"compte.session_revoquee".to_owned())
    );
    // Someone else's handle is not found.
    let r = laptop
        .post_form("/compte/sessions/0123456789abcdef/revoquer", &[])
        .await;
    assert_eq!(r.status(), 404);
}

async fn timed_login(app: &TestApp, email: &str) -> (u16, String, Duration) {
    let c = app.anonymous().await;
    let t = Instant::now();
    let r = c
        .post_form(
            "/login",
            &[("email", email), ("password", "mauvais mot de passe")],
        )
        .await;
    let status = r.status().as_u16();
    let body = r.text().await.expect("body").replace(email, "EMAIL");
    let body = match extract_csrf(&body) {
        Some(t) => body.replace(&t, "CSRF"),
        None => body,
    };
    (status, body, t.elapsed())
}

#[tokio::test]
async fn known_and_unknown_emails_get_the_same_answer_in_about_the_same_time() {
    let app = TestApp::spawn().await;
    let known = amoa_email();
    let unknown = "personne@demo.coordo.fr";
    // Warm up (first hash, first templates).
    timed_login(&app, "chauffe@demo.coordo.fr").await;
    let (ks, kb, kt) = timed_login(&app, &known).await;
    let (us, ub, ut) = timed_login(&app, unknown).await;
    assert_eq!((ks, us), (401, 401));
    assert_eq!(kb, ub, "the same page, word for word");
    // An unknown e-mail costs a real password check too (it used to answer at once).
    assert!(ut * 3 > kt, "unknown {ut:?} vs known {kt:?}");
    // A deactivated account answers like an unknown one.
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let uid = app.user_row(&known).await.id;
    assert_eq!(
        coord
            .post_form(&format!("/g/{gid}/users/{uid}/desactiver"), &[])
            .await
            .status(),
        303
    );
    let c = app.anonymous().await;
    let r = c
        .post_form("/login", &[("email", &known), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 401);
    let body = r.text().await.expect("body").replace(&known, "EMAIL");
    let t = extract_csrf(&body).expect("csrf");
    assert_eq!(body.replace(&t, "CSRF"), kb);
}

#[tokio::test]
async fn weak_passwords_are_refused_in_french() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let c = app.login(&coord_email()).await;
    for weak in [
        "            ",
        "123456789012",
        "motdepasse2026",
        "azertyuiop12",
    ] {
        let r = c
            .post_form(
                &format!("/g/{gid}/users"),
                &[
                    ("email", "faible@exemple.fr"),
                    ("display_name", "Faible"),
                    ("role", "lecteur"),
                    ("password", weak),
                ],
            )
            .await;
        assert_eq!(r.status(), 422, "{weak:?}");
        let page = r.text().await.expect("page");
        assert!(
            page.contains("courants")
                || page.contains("prévisible")
                || page.contains("8 caractères"),
            "{weak:?}: {page}"
        );
        let r = c
            .post_json(
                &format!("/api/v1/groupements/{gid}/users"),
                &serde_json::json!({"email": "faible@exemple.fr", "display_name": "Faible", "role": "lecteur", "password": weak}),
            )
            .await;
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.expect("json");
        assert!(body["champs"]["password"].is_array(), "{body}");
    }
}

#[tokio::test]
async fn one_changes_ones_password_and_the_other_sessions_close() {
    let app = TestApp::spawn().await;
    let email = referent_email(SANTELYS);
    let c = app.login(&email).await;
    let other = app.login(&email).await;
    let new = "cheval agrafe batterie correcte";
    // Wrong current password, weak new one, mismatch: refused with the reasons.
    let r = c
        .post_form(
            "/compte/mot-de-passe",
            &[
                ("current", "faux"),
                ("new", "123456789012"),
                ("confirm", "autre"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.expect("page");
    assert!(page.contains("mot de passe actuel est incorrect"), "{page}");
    assert!(page.contains("confirmation"), "{page}");
    let r = c
        .post_form(
            "/compte/mot-de-passe",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(c.get("/compte").await.status(), 200, "this session stays");
    assert_eq!(
        other.get("/compte").await.headers()["location"],
        "/login",
        "the other one is closed"
    );
    let fresh = app.anonymous().await;
    let r = fresh
        .post_form("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 401, "the old password is gone");
    let r = fresh
        .post_form("/login", &[("email", &email), ("password", new)])
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        actions(&app)
            .await
            .contains(&"compte.mot_de_passe".to_owned())
    );
}

#[tokio::test]
async fn the_coordonnateur_deactivates_an_account_which_is_logged_out_at_once() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let email = referent_email(SANTELYS);
    let referent = app.login(&email).await;
    let coord = app.login(&coord_email()).await;
    let uid = app.user_row(&email).await.id;
    let r = coord
        .post_form(&format!("/g/{gid}/users/{uid}/desactiver"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        referent.get("/compte").await.headers()["location"],
        "/login"
    );
    assert!(!app.user_row(&email).await.active);
    let page = coord
        .get(&format!("/g/{gid}/users"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("désactivé"));
    // One cannot deactivate oneself.
    let me = app.user_row(&coord_email()).await.id;
    let r = coord
        .post_form(&format!("/g/{gid}/users/{me}/desactiver"), &[])
        .await;
    assert_eq!(r.status(), 409);
    let r = coord
        .post_form(&format!("/g/{gid}/users/{uid}/reactiver"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let _back = app.login(&email).await;
    let journal = actions(&app).await;
    assert!(journal.contains(&"compte.desactivation".to_owned()));
    assert!(journal.contains(&"compte.reactivation".to_owned()));
}

fn new_token(page: &str) -> String {
    let i = page.find("<code id=\"new-token\">").expect("token shown") + 21;
    page[i..i + page[i..].find('<').expect("end")].to_owned()
}

#[tokio::test]
async fn api_tokens_open_the_api_only_and_expire_or_get_revoked() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let c = app.login(&coord_email()).await;
    let r = c
        .post_form("/compte/jetons", &[("label", "tableur"), ("days", "1")])
        .await;
    assert_eq!(r.status(), 201);
    let token = new_token(&r.text().await.expect("page"));
    let http = plain_client();
    let api = |path: &str| http.get(app.url(path)).bearer_auth(&token).send();
    assert_eq!(api("/api/v1/groupements").await.expect("get").status(), 200);
    // Not the pages (offers, notes, letters), nor their forms.
    let r = api(&format!("/g/{gid}")).await.expect("get");
    assert_eq!(r.status(), 403);
    assert!(r.text().await.expect("body").contains("ouvre que l"));
    let r = http
        .post(app.url("/compte/jetons"))
        .bearer_auth(&token)
        .form(&[("label", "autre")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403, "a token cannot mint tokens");
    // It expires.
    app.state.clock.advance(chrono::Duration::days(2));
    assert_eq!(api("/api/v1/groupements").await.expect("get").status(), 401);
    // Another one is revoked by its owner.
    let r = c
        .post_form("/compte/jetons", &[("label", "script"), ("days", "30")])
        .await;
    let second = new_token(&r.text().await.expect("page"));
    let ok = http
        .get(app.url("/api/v1/groupements"))
        .bearer_auth(&second)
        .send()
        .await
        .expect("get");
    assert_eq!(ok.status(), 200);
    let page = c.get("/compte").await.text().await.expect("page");
    assert!(page.contains("expiré") && page.contains("actif"), "{page}");
    let tid = page
        .split("/compte/jetons/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("a revoke button")
        .to_owned();
    assert_eq!(
        c.post_form(&format!("/compte/jetons/{tid}/revoquer"), &[])
            .await
            .status(),
        303
    );
    let gone = http
        .get(app.url("/api/v1/groupements"))
        .bearer_auth(&second)
        .send()
        .await
        .expect("get");
    assert_eq!(gone.status(), 401);
    let journal = actions(&app).await;
    assert_eq!(
        journal.iter().filter(|a| *a == "compte.jeton_api").count(),
        2
    );
    assert!(journal.contains(&"compte.jeton_api_revocation".to_owned()));
}

#[tokio::test]
async fn security_headers_are_on_every_page() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let c = app.login(&coord_email()).await;
    for path in [
        "/login".to_owned(),
        format!("/g/{gid}"),
        format!("/g/{gid}/courriels"),
    ] {
        let r = c.get(&path).await;
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().expect("csp");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "http only here"
        );
    }
    let css = c.get("/static/app.css").await;
    assert_eq!(css.headers()["cache-control"], "max-age=3600");
    // The CSP holds because no template has inline script, style or handler.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut offenders = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "hbs") {
                let text = std::fs::read_to_string(&p).expect("read");
                for bad in [
                    "<script",
                    "style=",
                    " onclick=",
                    " onchange=",
                    " onsubmit=",
                    "javascript:",
                    "<style",
                ] {
                    if text.contains(bad) {
                        offenders.push(format!("{}: {bad}", p.display()));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[tokio::test]
async fn control_characters_are_refused_in_french_by_api_and_form() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let c = app.login(&coord_email()).await;
    let cid = crate::consultations::software_tender(&app, &c).await;
    let before = app.audit_count().await;
    // The audit's poisoned bidder name.
    let r = c
        .post_json(
            &format!("/api/v1/groupements/{gid}/consultations/{cid}/offres/plis"),
            &serde_json::json!({"bidder_name": "Evil\r\nBcc: x@y", "siret": "12345678901234"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(
        body["champs"]["bidder_name"][0]
            .as_str()
            .expect("message")
            .contains("retour à la ligne"),
        "{body}"
    );
    assert!(
        body["erreur"]
            .as_str()
            .expect("erreur")
            .contains("formulaire")
    );
    // A form sent back to its page, with the message on it.
    let form_page = app.url(&format!("/g/{gid}/consultations/{cid}/edit"));
    let r = c
        .http
        .post(app.url(&format!("/g/{gid}/consultations/{cid}")))
        .header("referer", &form_page)
        .form(&[
            ("csrf_token", c.csrf.as_str()),
            ("objet", "Logiciel\u{202e}fdp.exe"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/g/{gid}/consultations/{cid}/edit")
    );
    let page = c
        .get(&format!("/g/{gid}/consultations/{cid}/edit"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("« objet »") && page.contains("écriture"),
        "{page}"
    );
    // Shown once.
    let again = c
        .get(&format!("/g/{gid}/consultations/{cid}/edit"))
        .await
        .text()
        .await
        .expect("page");
    assert!(!again.contains("écriture"));
    // Without a Referer: the French error page.
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}"),
            &[("reference", "A\u{0}B")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("caractère de contrôle")
    );
    assert_eq!(app.audit_count().await, before, "nothing written");
}
