//! The forced change of a published password, and the second factor (TOTP, recovery codes):
//! enrolment on « Mon compte », login with a code, replay and recovery, removal.

use crate::support::*;
use coordo::db::entities::{audit_entry, recovery_code};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const NEW_PASSWORD: &str = "cheval agrafe batterie correcte";

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn journaled(app: &TestApp, action: &str) -> u64 {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq(action))
        .count(&app.state.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_demo_account_must_change_its_published_password_before_anything_else() {
    let app = TestApp::spawn_as_seeded(None).await;
    let gid = app.gid().await;
    assert!(app.user_row(&coord_email()).await.must_change_password);
    // Logging in works, and « Mon compte » opens with the explanation.
    let mut c = app.login(&coord_email()).await;
    let page = c.get("/compte").await.text().await.expect("html");
    assert!(
        page.contains("Changement de mot de passe obligatoire"),
        "{page}"
    );
    // Every other page sends there; a form elsewhere too; the API refuses in French.
    for path in [
        "/".to_owned(),
        format!("/g/{gid}"),
        format!("/g/{gid}/users"),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(location(&r), "/compte#mot-de-passe", "{path}");
    }
    let r = c
        .post_form("/compte/jetons", &[("label", "x"), ("days", "1")])
        .await;
    assert_eq!(location(&r), "/compte#mot-de-passe");
    let r = c.get("/api/v1/groupements").await;
    assert_eq!(r.status(), 403);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(
        body["erreur"]
            .as_str()
            .is_some_and(|m| m.contains("changer votre mot de passe")),
        "{body}"
    );
    // Static assets and logout stay open (another demo account).
    assert_eq!(c.get("/static/app.css").await.status(), 200);
    let amoa = app.login(&amoa_email()).await;
    let r = amoa.post_form("/logout", &[]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/login".into()));
    // The change, then the pages open.
    let r = c
        .post_form(
            "/compte/mot-de-passe",
            &[
                ("current", PASSWORD),
                ("new", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/compte".into()));
    assert!(!app.user_row(&coord_email()).await.must_change_password);
    c.refresh_csrf().await;
    assert_eq!(c.get(&format!("/g/{gid}")).await.status(), 200);
    // The published password no longer opens the account; the new one does.
    let other = app.anonymous().await;
    let r = other
        .post_form(
            "/login",
            &[("email", &coord_email()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 401);
    let r = other
        .post_form(
            "/login",
            &[("email", &coord_email()), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/".into()));
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    let rest = &html[i..];
    Some(&rest[..rest.find(end)?])
}

/// The code of `secret` at `unix`, computed here with the crate the service uses.
fn code(secret: &[u8], unix: i64) -> String {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .build()
        .expect("totp")
        .generate(u64::try_from(unix).expect("after 1970"))
        .to_string()
}

/// The first password step of a login: the code is asked next.
async fn password_step(app: &TestApp) -> Client {
    let c = app.anonymous().await;
    let r = c
        .post_form(
            "/login",
            &[("email", &coord_email()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        (r.status().as_u16(), location(&r)),
        (303, "/login/code".into())
    );
    // Not logged in yet.
    assert_eq!(location(&c.get("/").await), "/login");
    c
}

#[tokio::test]
async fn totp_enrolment_login_replay_recovery_and_removal() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let c = app.login(&coord_email()).await;
    let page = c.get("/compte").await.text().await.expect("html");
    assert!(
        page.contains("activez la double authentification"),
        "{page}"
    );
    // The président of the CAO is asked too, a plain titulaire is not.
    let president = app.login(&cao_email("titulaire", COORD_FINESS)).await;
    let p = president.get("/compte").await.text().await.expect("html");
    assert!(p.contains("activez la double authentification"));
    let titulaire = app.login(&cao_email("titulaire", SANTELYS)).await;
    let t = titulaire.get("/compte").await.text().await.expect("html");
    assert!(!t.contains("activez la double authentification"));

    // Enrolment: a secret as base32 text and an otpauth:// URI, confirmed by a first code.
    let r = c.post_form("/compte/double-authentification", &[]).await;
    assert_eq!(r.status(), 303);
    let page = c.get("/compte").await.text().await.expect("html");
    let b32 = between(&page, "<code id=\"totp-secret\">", "</code>")
        .expect("secret shown")
        .to_owned();
    let uri = between(&page, "<code id=\"totp-uri\">", "</code>").expect("uri");
    assert!(uri.starts_with("otpauth://totp/Coordo:"), "{uri}");
    assert!(uri.contains(&b32), "{uri}");
    let secret = totp_rs::Secret::try_from_base32(&b32)
        .expect("base32")
        .as_ref()
        .to_vec();
    let now = app.state.clock.now().timestamp();
    let right = code(&secret, now);
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    let r = c
        .post_form(
            "/compte/double-authentification/confirmer",
            &[("code", wrong)],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains("le code ne correspond pas")
    );
    assert!(app.user_row(&coord_email()).await.totp_secret.is_none());
    let r = c
        .post_form(
            "/compte/double-authentification/confirmer",
            &[("code", &right)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.expect("html");
    let list = between(&page, "<ul id=\"recovery-codes\">", "</ul>").expect("codes shown");
    let recovery: Vec<String> = list
        .split("<code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(str::to_owned)
        .collect();
    assert_eq!(recovery.len(), 10, "{list}");
    // Stored sealed and hashed, never shown again.
    let row = app.user_row(&coord_email()).await;
    let sealed = row.totp_secret.expect("enrolled");
    assert!(!sealed.contains(&b32) && !sealed.contains(&hex::encode(&secret)));
    let hashes = recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(row.id))
        .all(&app.state.db)
        .await
        .expect("codes");
    assert_eq!(hashes.len(), 10);
    assert!(hashes.iter().all(|h| h.code_hash.starts_with("$argon2")));
    assert!(
        hashes
            .iter()
            .all(|h| !recovery.iter().any(|r| h.code_hash.contains(r.as_str())))
    );
    let again = c.get("/compte").await.text().await.expect("html");
    assert!(!again.contains(&b32) && !again.contains(&recovery[0]));
    assert!(!again.contains("activez la double authentification"));
    assert_eq!(
        journaled(&app, "compte.double_authentification_activee").await,
        1
    );
    c.post_form("/logout", &[]).await;

    // Login: the password alone does not open the session.
    let login = password_step(&app).await;
    let failures = journaled(&app, "connexion.echec").await;
    let r = login.post_form("/login/code", &[("code", "")]).await;
    assert_eq!(r.status(), 401);
    let r = login.post_form("/login/code", &[("code", wrong)]).await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.expect("html").contains("Code incorrect"));
    // The code of enrolment was spent: the next step's code is needed.
    let r = login.post_form("/login/code", &[("code", &right)]).await;
    assert_eq!(r.status(), 401, "the enrolment code is not accepted twice");
    app.state.clock.advance(chrono::Duration::seconds(30));
    let next = code(&secret, now + 30);
    let r = login.post_form("/login/code", &[("code", &next)]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/".into()));
    assert_eq!(login.get(&format!("/g/{gid}")).await.status(), 200);
    // The same code replayed on another login is refused.
    let replay = password_step(&app).await;
    let r = replay.post_form("/login/code", &[("code", &next)]).await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        journaled(&app, "connexion.echec").await,
        failures + 3,
        "each wrong code journaled"
    );
    // A recovery code works once (typed in small letters, without its dash).
    let typed = recovery[3].replace('-', "").to_lowercase();
    let r = replay.post_form("/login/code", &[("code", &typed)]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/".into()));
    let third = password_step(&app).await;
    let r = third
        .post_form("/login/code", &[("code", &recovery[3])])
        .await;
    assert_eq!(r.status(), 401, "a recovery code is spent");

    // Removal: the password and a valid code.
    let mut c = replay;
    c.refresh_csrf().await;
    app.state.clock.advance(chrono::Duration::seconds(30));
    let fresh = code(&secret, now + 60);
    let r = c
        .post_form(
            "/compte/double-authentification/desactiver",
            &[("password", "pas le bon"), ("code", &fresh)],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains("mot de passe actuel est incorrect")
    );
    let r = c
        .post_form(
            "/compte/double-authentification/desactiver",
            &[("password", PASSWORD), ("code", &fresh)],
        )
        .await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/compte".into()));
    let row = app.user_row(&coord_email()).await;
    assert!(row.totp_secret.is_none());
    assert_eq!(
        recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(row.id))
            .count(&app.state.db)
            .await
            .expect("count"),
        0
    );
    assert_eq!(
        journaled(&app, "compte.double_authentification_desactivee").await,
        1
    );
    // The password alone opens the session again.
    let plain = app.anonymous().await;
    let r = plain
        .post_form(
            "/login",
            &[("email", &coord_email()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/".into()));
}

#[tokio::test]
async fn the_code_page_without_a_password_step_sends_back_to_the_login() {
    let app = TestApp::spawn().await;
    let c = app.anonymous().await;
    let page = c.get("/login/code").await.text().await.expect("html");
    assert!(page.contains("Aucune connexion n'attend de code"), "{page}");
    let r = c.post_form("/login/code", &[("code", "123456")]).await;
    assert_eq!(r.status(), 401);
    assert_eq!(location(&c.get("/").await), "/login");
}
