//! Bad input on forms and the API: a French message, a 4xx, nothing written, nothing echoed raw.

use crate::support::*;

#[tokio::test]
async fn a_bad_account_form_is_answered_422_in_french_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let before = app.audit_count().await;
    let script = "<script>alert('x')</script>";
    let r = c
        .post_form(
            &format!("/g/{gid}/users"),
            &[
                ("email", "pas-une-adresse"),
                ("display_name", script),
                ("role", "chef"),
                ("password", "court"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("n&#x27;est pas une adresse électronique valide")
            || html.contains("n'est pas une adresse électronique valide"),
        "{html}"
    );
    assert!(html.contains("12 caractères"));
    assert!(html.contains("rôle « chef » inconnu"));
    assert!(
        !html.contains(script),
        "a script must never be echoed unescaped"
    );
    assert_eq!(app.audit_count().await, before);
}

#[tokio::test]
async fn an_existing_email_is_refused_without_a_second_account() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let before = app.audit_count().await;
    let r = c
        .post_form(
            &format!("/g/{gid}/users"),
            &[
                ("email", &amoa_email()),
                ("display_name", "Doublon"),
                ("role", "amoa"),
                ("password", "un mot de passe long"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains("un compte existe déjà")
    );
    assert_eq!(app.audit_count().await, before);
}

#[tokio::test]
async fn the_api_answers_bad_json_and_bad_fields_in_french() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let before = app.audit_count().await;
    let path = format!("/api/v1/groupements/{gid}/users");
    let r = c
        .http
        .post(app.url(&path))
        .header("x-csrf-token", &c.csrf)
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(
        body["erreur"]
            .as_str()
            .expect("msg")
            .starts_with("Corps JSON invalide")
    );

    let r = c.post_json(&path, &serde_json::json!({"email": 42})).await;
    assert_eq!(r.status(), 400);

    let r = c.post_json(&path, &serde_json::json!({"email": "x@y.fr", "display_name": "X", "role": "referent", "member_id": "999999", "password": "un mot de passe long"})).await;
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(
        body["champs"]["member_id"][0]
            .as_str()
            .expect("msg")
            .contains("n'appartient pas au groupement")
    );
    assert_eq!(app.audit_count().await, before);

    let r = c.post_json(&path, &serde_json::json!({"email": "x@y.fr", "display_name": "X", "role": "lecteur", "password": "un mot de passe long"})).await;
    assert_eq!(r.status(), 201);
    assert_eq!(app.audit_count().await, before + 1);
}

#[tokio::test]
async fn an_oversize_form_is_refused() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let huge = "a".repeat(3 * 1024 * 1024);
    let r = c
        .post_form(&format!("/g/{gid}/users"), &[("display_name", &huge)])
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_ne!(r.status(), 500);
}

#[tokio::test]
async fn unknown_pages_and_bad_ids_are_404_in_french() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    for path in [
        "/nulle-part".to_owned(),
        format!("/g/{gid}/members/abc"),
        format!("/g/{gid}/members/99999"),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status(), 404, "{path}");
        let html = r.text().await.expect("html");
        assert!(html.contains("Page introuvable"), "{html}");
        assert!(
            html.contains("Se déconnecter"),
            "in the layout, with the menu"
        );
        assert!(html.contains("Aller au tableau de bord"));
    }
}

/// A refusal is never a dead end: 403 and 409 are pages in the layout, with the reason in
/// French and the way back to the consultation concerned (issue 16).
#[tokio::test]
async fn refusals_are_pages_in_the_layout_with_the_way_on() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = crate::consultations::software_tender(&app, &c).await;
    // 409: a transition the lifecycle refuses.
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/transition"),
            &[("statut", "publiee")],
        )
        .await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.expect("html");
    assert!(html.contains("Action impossible pour le moment"), "{html}");
    assert!(html.contains("Se déconnecter"), "the menu is there");
    assert!(
        html.contains(&format!("href=\"/g/{gid}/consultations/{cid}\"")),
        "the way back to the consultation: {html}"
    );
    // 403: a référent on a coordonnateur's page.
    let referent = app.login(&referent_email(RONCHIN)).await;
    let r = referent
        .get(&format!("/g/{gid}/consultations/{cid}/lignes-de-prix"))
        .await;
    assert_eq!(r.status(), 403);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Accès refusé") && html.contains("Se déconnecter"),
        "{html}"
    );
    assert!(html.contains("Revenir à la consultation"));
    // The API keeps its JSON.
    let r = c
        .post_json(
            &format!("/api/v1/groupements/{gid}/consultations/{cid}/transition"),
            &serde_json::json!({"statut": "publiee"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.json::<serde_json::Value>().await.expect("json")["erreur"].is_string());
}
