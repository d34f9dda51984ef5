//! The coordonnateur corrects a member's details from the quality report (issue #16): the
//! finding in people's words links to the input, the correction is journaled once, the same
//! values again write nothing, a bad SIRET is refused whole, a référent cannot post.

use crate::support::*;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};

/// Every input of the member's form, as the page would post it, with `changes` applied.
async fn fields(app: &TestApp, mid: i32, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let m = coordo::registry::service::member(&app.state.db, app.gid().await, mid)
        .await
        .expect("member")
        .expect("exists");
    let r = &m.member;
    let mut out: Vec<(String, String)> = vec![
        ("name".into(), r.name.clone()),
        ("kind".into(), r.kind.clone()),
        ("finess_juridique".into(), r.finess_juridique.clone()),
        ("address".into(), r.address.clone()),
        ("representative_name".into(), r.representative_name.clone()),
        (
            "representative_title".into(),
            r.representative_title.clone(),
        ),
    ];
    if r.has_own_cao {
        out.push(("has_own_cao".into(), "on".into()));
    }
    for e in &m.establishments {
        let k = |f: &str| format!("e{}_{f}", e.id);
        out.push((k("name"), e.name.clone()));
        out.push((k("kind"), e.kind.clone()));
        out.push((k("finess"), e.finess.clone()));
        out.push((k("capacity"), e.capacity.clone().unwrap_or_default()));
        out.push((k("siret"), coordo::registry::service::sirets(e).join("\n")));
    }
    for (k, v) in changes {
        match out.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = (*v).to_owned(),
            None => out.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    out
}

async fn post(c: &Client, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post_form(path, &refs).await
}

async fn last_entry(app: &TestApp) -> coordo::db::entities::audit_entry::Model {
    use coordo::db::entities::audit_entry;
    audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::Id)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("an entry")
}

#[tokio::test]
async fn the_coordonnateur_fixes_a_bad_finess_seen_in_the_report() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let mid = app.member_id(RONCHIN).await;
    // A typing mistake in the stored FINESS juridique (the key digit).
    let row = coordo::db::entities::member::Entity::find_by_id(mid)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("member");
    let mut a: coordo::db::entities::member::ActiveModel = row.into();
    a.finess_juridique = Set("590798378".into());
    a.update(&app.state.db).await.expect("update");

    let coord = app.login(&coord_email()).await;
    let link = format!("href=\"/g/{gid}/members/{mid}#m-finess_juridique\"");
    let dashboard = coord
        .get(&format!("/g/{gid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        dashboard.contains(&format!(
            "{link}>CCAS DE RONCHIN</a> : FINESS juridique « 590798378 » : la clé de contrôle"
        )),
        "the finding in people's words, linked to the input: {dashboard}"
    );
    let path = format!("/g/{gid}/members/{mid}");
    let page = coord.get(&path).await.text().await.expect("html");
    assert!(page.contains("la clé de contrôle (dernier chiffre) ne correspond pas"));
    assert!(page.contains("<label for=\"m-finess_juridique\">"));
    assert!(
        page.contains("id=\"m-finess_juridique\" name=\"finess_juridique\" value=\"590798378\"")
    );

    let before = app.audit_count().await;
    let fixed = fields(&app, mid, &[("finess_juridique", "590 798 377")]).await;
    let r = post(&coord, &path, &fixed).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(path.as_str())
    );
    assert_eq!(app.audit_count().await, before + 1, "one journal entry");
    let entry = last_entry(&app).await;
    assert_eq!(entry.action, "registre.membre_modifie");
    let summary: serde_json::Value = serde_json::from_str(&entry.summary).expect("json");
    assert_eq!(
        summary["modifications"],
        serde_json::json!([{"objet": "membre", "champ": "FINESS juridique", "avant": "590798378", "apres": "590798377"}]),
        "only the changed field, old and new"
    );
    let page = coord.get(&path).await.text().await.expect("html");
    assert!(page.contains("1 champ modifié."));
    assert!(!page.contains("590798378"), "the finding is gone");
    assert!(!page.contains("la clé de contrôle (dernier chiffre)"));
    let journal = coord
        .get(&format!("/g/{gid}/journal"))
        .await
        .text()
        .await
        .expect("html");
    assert!(journal.contains("Registre : membre modifié"));

    // The same values again: nothing written, no entry.
    let again = fields(&app, mid, &[]).await;
    let r = post(&coord, &path, &again).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 1);
    let page = coord.get(&path).await.text().await.expect("html");
    assert!(page.contains("Aucune modification"));
}

#[tokio::test]
async fn a_bad_siret_is_refused_with_its_french_message_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let mid = app.member_id(RONCHIN).await;
    let m = coordo::registry::service::member(&app.state.db, gid, mid)
        .await
        .expect("member")
        .expect("exists");
    let eid = m.establishments[0].id;
    let coord = app.login(&coord_email()).await;
    let path = format!("/g/{gid}/members/{mid}");
    let before = app.audit_count().await;
    let siret_key = format!("e{eid}_siret");
    let typed = fields(
        &app,
        mid,
        &[("name", "CCAS DE RONCHIN (renommé)"), (&siret_key, "123")],
    )
    .await;
    let r = post(&coord, &path, &typed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(html.contains("<main"), "in the layout");
    assert!(
        html.contains("SIRET « 123 » : 14 chiffres attendus (SIREN puis NIC), 3 saisis"),
        "{html}"
    );
    // The typed values are kept.
    assert!(html.contains("value=\"CCAS DE RONCHIN (renommé)\""));
    assert!(html.contains(&format!("name=\"{siret_key}\" rows=\"3\" aria-invalid=\"true\" aria-describedby=\"{siret_key}-erreur\">123</textarea>")));
    assert_eq!(app.audit_count().await, before);
    let after = coordo::registry::service::member(&app.state.db, gid, mid)
        .await
        .expect("member")
        .expect("exists");
    assert_eq!(after.member, m.member, "nothing written");
    assert_eq!(after.establishments, m.establishments);
}

#[tokio::test]
async fn a_referent_reads_the_member_page_but_cannot_post() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let mid = app.member_id(RONCHIN).await;
    let referent = app.login(&referent_email(RONCHIN)).await;
    let path = format!("/g/{gid}/members/{mid}");
    let page = referent.get(&path).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(!html.contains("Corriger les données du membre"));
    assert!(
        html.contains("<dt>Nature</dt><dd>CCAS</dd>"),
        "the kind in words"
    );
    let before = app.audit_count().await;
    let typed = fields(&app, mid, &[("name", "Autre nom")]).await;
    assert_eq!(post(&referent, &path, &typed).await.status(), 403);
    assert_eq!(app.audit_count().await, before);
}
