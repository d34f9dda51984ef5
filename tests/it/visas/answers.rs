//! Who answers: a référent for its member, or under a written proxy in force (art. 8.1); every
//! visa is kept, even two at the same instant; the pages a référent uses.

use super::*;
use crate::support::*;
use coordo::db::entities::visa;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

#[tokio::test]
async fn a_referent_answers_for_another_member_only_under_its_written_proxy() {
    let app = TestApp::spawn().await;
    let (c, gid, cid) = tender(&app, &["rc"]).await;
    assert_eq!(
        submit(&c, gid, cid, &["rc"], "2026-12-04").await.status(),
        303
    );
    let rid = latest_round(&c, gid, cid).await;
    let ronchin = app.member_id(RONCHIN).await;
    let santelys = app.member_id(SANTELYS).await;
    let r = app.login(&referent_email(SANTELYS)).await;
    let for_ronchin = json!({"piece": "rc", "member_id": ronchin, "decision": "favorable"});
    let resp = answer(&r, gid, cid, rid, for_ronchin.clone()).await;
    assert_eq!(resp.status(), 403);
    let e: Value = resp.json().await.expect("json");
    assert!(
        e["erreur"]
            .as_str()
            .unwrap_or_default()
            .contains("pouvoir écrit"),
        "{e}"
    );
    // The page form refuses it too.
    let page = r
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/visas/rounds/{rid}/answer"),
            &[
                ("piece", "rc"),
                ("member_id", &ronchin.to_string()),
                ("decision", "favorable"),
            ],
        )
        .await;
    assert_eq!(page.status(), 403);
    // The coordonnateur records RONCHIN's written proxy to SANTELYS.
    let resp = c
        .post_form(
            &format!("/g/{gid}/procurations"),
            &[
                ("grantor_member_id", &ronchin.to_string()),
                ("holder_member_id", &santelys.to_string()),
                ("given_on", "2026-11-20"),
                (
                    "document_reference",
                    "Courrier du directeur du CCAS de Ronchin du 20 novembre 2026",
                ),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let resp = answer(&r, gid, cid, rid, for_ronchin.clone()).await;
    assert_eq!(
        resp.status(),
        201,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let v: Value = resp.json().await.unwrap_or_default();
    let stored = visa::Entity::find()
        .order_by_desc(visa::Column::Id)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("visa");
    assert_eq!(
        (stored.member_id, stored.actor_member_id),
        (ronchin, santelys),
        "{v}"
    );
    // The other way round needs SANTELYS's own proxy.
    let back = json!({"piece": "rc", "member_id": santelys, "decision": "favorable"});
    let resp = answer(
        &app.login(&referent_email(RONCHIN)).await,
        gid,
        cid,
        rid,
        back,
    )
    .await;
    assert_eq!(resp.status(), 403);
    // Revoked today: no longer in force.
    let pid = coordo::visas::store::proxy_rows(&app.state.db, gid)
        .await
        .expect("p")[0]
        .id;
    let resp = c
        .post_form(&format!("/g/{gid}/procurations/{pid}/revoke"), &[])
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(answer(&r, gid, cid, rid, for_ronchin).await.status(), 403);
    let actions: Vec<String> = coordo::audit::latest(&app.state.db, gid, 50)
        .await
        .expect("journal")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "visa.procuration_ajoutee",
        "visa.procuration_revoquee",
        "visa.donne",
        "visa.tour_ouvert",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} not journaled: {actions:?}"
        );
    }
}

#[tokio::test]
async fn two_visas_at_the_same_instant_are_both_kept_and_the_later_counts() {
    let app = TestApp::spawn().await;
    let (c, gid, cid) = tender(&app, &["rc"]).await;
    assert_eq!(
        submit(&c, gid, cid, &["rc"], "2026-12-04").await.status(),
        303
    );
    let rid = latest_round(&c, gid, cid).await;
    let r = app.login(&referent_email(SANTELYS)).await;
    // The clock does not move between the two answers.
    let first = answer(
        &r,
        gid,
        cid,
        rid,
        json!({"piece": "rc", "decision": "favorable"}),
    )
    .await;
    assert_eq!(first.status(), 201);
    let second = answer(&r, gid, cid, rid, json!({"piece": "rc", "decision": "defavorable", "comment": "Erreur sur le tribunal compétent."})).await;
    assert_eq!(second.status(), 201);
    let santelys = app.member_id(SANTELYS).await;
    let rows = visa::Entity::find()
        .filter(visa::Column::MemberId.eq(santelys))
        .order_by_asc(visa::Column::Id)
        .all(&app.state.db)
        .await
        .expect("visas");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].given_at, rows[1].given_at);
    let s = state(&c, gid, cid).await;
    let key = santelys.to_string();
    let me = s["rounds"][0]["pieces"][0]["state"]["per_member"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["member_key"] == key.as_str())
        .cloned()
        .expect("santelys");
    assert_eq!(me["status"], "defavorable", "{me}");
    assert_eq!(s["rounds"][0]["visas"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_referent_sees_its_pending_work_first_and_answers_through_the_pages() {
    let app = TestApp::spawn().await;
    let (c, gid, cid) = tender(&app, &["rc"]).await;
    let show = c
        .get(&format!("/g/{gid}/consultations/{cid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        show.contains(&format!("/g/{gid}/consultations/{cid}/visas")),
        "the consultation links to its visas"
    );
    assert_eq!(
        submit(&c, gid, cid, &["rc"], "2026-12-04").await.status(),
        303
    );
    let rid = latest_round(&c, gid, cid).await;
    let (ronchin, santelys) = (app.member_id(RONCHIN).await, app.member_id(SANTELYS).await);
    let r = c
        .post_form(
            &format!("/g/{gid}/procurations"),
            &[
                ("grantor_member_id", &ronchin.to_string()),
                ("holder_member_id", &santelys.to_string()),
                ("given_on", "2026-11-23"),
                (
                    "document_reference",
                    "Courriel du directeur du 23 novembre 2026",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app.login(&referent_email(SANTELYS)).await;
    let matrix = format!("/g/{gid}/consultations/{cid}/visas");
    let page = r.get(&matrix).await.text().await.expect("html");
    let pending = page.find("À viser").expect("pending section");
    let table = page.find("Matrice des visas").expect("matrix");
    assert!(pending < table, "pending work comes first");
    assert!(page.contains("pour <strong>SANTELYS</strong>"), "{page}");
    assert!(
        page.contains("pour <strong>CCAS DE RONCHIN</strong> (par procuration)"),
        "{page}"
    );
    assert!(page.contains("/pieces/rc/versions/1/docx"), "{page}");
    let body = &page[table..];
    let first_row = body
        .find("<tr class=\"mine\"><td>SANTELYS</td>")
        .expect("own row");
    let other_row = body.find("<td>CCAS DE RONCHIN</td>").expect("other row");
    assert!(first_row < other_row, "own row first");
    assert!(body.contains("0/10"), "{body}");
    // Through the page form: reserves need a comment (422, French), then 303 to the round.
    let version = state(&c, gid, cid).await["pieces"][0]["piece_version_id"].to_string();
    let answer_path = format!("/g/{gid}/consultations/{cid}/visas/rounds/{rid}/answer");
    let resp = r
        .post_form(
            &answer_path,
            &[
                ("piece_version_id", version.as_str()),
                ("member_id", &ronchin.to_string()),
                ("decision", "favorable_avec_reserves"),
                ("comment", " "),
            ],
        )
        .await;
    assert_eq!(resp.status(), 422);
    let page = resp.text().await.expect("html");
    assert!(page.contains("le commentaire est obligatoire"), "{page}");
    let resp = r
        .post_form(
            &answer_path,
            &[
                ("piece_version_id", version.as_str()),
                ("member_id", &ronchin.to_string()),
                ("decision", "favorable_avec_reserves"),
                ("comment", "Ajouter la reprise des plans d'aide."),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let round = r
        .get(&format!("/g/{gid}/consultations/{cid}/visas/rounds/{rid}"))
        .await;
    assert_eq!(round.status(), 200);
    let page = round.text().await.expect("html");
    assert!(
        page.contains("Visa enregistré : visa favorable avec réserves."),
        "{page}"
    );
    assert!(
        page.contains("Ajouter la reprise des plans d&#x27;aide.")
            || page.contains("Ajouter la reprise des plans d'aide."),
        "{page}"
    );
    assert!(page.contains("/rc/bordereau.docx"), "{page}");
    assert!(page.contains("1/10"), "{page}");
    // RONCHIN answered (by proxy): only SANTELYS's own visa is still pending.
    let page = r.get(&matrix).await.text().await.expect("html");
    assert!(!page.contains("(par procuration) — avant"), "{page}");
    assert!(page.contains("pour <strong>SANTELYS</strong>"), "{page}");
    // The proxies page: read-only for a référent.
    let page = r
        .get(&format!("/g/{gid}/procurations"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("Courriel du directeur du 23 novembre 2026"),
        "{page}"
    );
    assert!(page.contains("en vigueur"), "{page}");
    assert!(!page.contains("Enregistrer la procuration"), "{page}");
    // A CAO member follows the visas but has nothing to answer.
    let cao = app.login(&cao_email("titulaire", SANTELYS)).await;
    let page = cao.get(&matrix).await.text().await.expect("html");
    assert!(!page.contains("À viser"), "{page}");
    assert!(page.contains("Matrice des visas"), "{page}");
}

#[tokio::test]
async fn the_same_answer_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let (c, gid, cid) = tender(&app, &["rc"]).await;
    assert_eq!(
        submit(&c, gid, cid, &["rc"], "2026-12-04").await.status(),
        303
    );
    let rid = latest_round(&c, gid, cid).await;
    let r = app.login(&referent_email(SANTELYS)).await;
    let body = json!({"piece": "rc", "decision": "favorable_avec_reserves", "comment": "Préciser le tribunal."});
    let before = app.audit_count().await;
    assert_eq!(answer(&r, gid, cid, rid, body.clone()).await.status(), 201);
    let after_first = app.audit_count().await;
    assert!(after_first > before);
    // A re-sent form: no second row, no journal entry.
    assert!(answer(&r, gid, cid, rid, body).await.status().is_success());
    assert_eq!(app.audit_count().await, after_first);
    let santelys = app.member_id(SANTELYS).await;
    let rows = visa::Entity::find()
        .filter(visa::Column::MemberId.eq(santelys))
        .all(&app.state.db)
        .await
        .expect("visas");
    assert_eq!(rows.len(), 1);
    // Another answer is a new visa, which counts.
    let other = json!({"piece": "rc", "decision": "favorable"});
    assert_eq!(answer(&r, gid, cid, rid, other).await.status(), 201);
    let rows = visa::Entity::find()
        .filter(visa::Column::MemberId.eq(santelys))
        .all(&app.state.db)
        .await
        .expect("visas");
    assert_eq!(rows.len(), 2);
}

/// The `decision_…` field names of the référent's one form.
fn decision_fields(page: &str) -> Vec<String> {
    let mut out: Vec<String> = page
        .split("name=\"decision_")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|k| format!("decision_{k}"))
        .collect();
    out.dedup();
    out
}

#[tokio::test]
async fn one_form_answers_every_piece_all_or_nothing() {
    let app = TestApp::spawn().await;
    let (c, gid, cid) = tender(&app, &["rc", "ae"]).await;
    assert_eq!(
        submit(&c, gid, cid, &["rc", "ae"], "2026-12-04")
            .await
            .status(),
        303
    );
    let r = app.login(&referent_email(SANTELYS)).await;
    let page_url = format!("/g/{gid}/consultations/{cid}/visas");
    let page = r.get(&page_url).await.text().await.expect("html");
    let fields = decision_fields(&page);
    assert_eq!(fields.len(), 2, "{page}");
    let comment = |f: &str| f.replacen("decision_", "comment_", 1);
    let url = format!("/g/{gid}/consultations/{cid}/visas/reponses");
    // Reserves without a comment on the second piece: refused in French, nothing stored.
    let (c0, c1) = (comment(&fields[0]), comment(&fields[1]));
    let bad = r
        .post_form(
            &url,
            &[
                (fields[0].as_str(), "favorable"),
                (c0.as_str(), ""),
                (fields[1].as_str(), "favorable_avec_reserves"),
                (c1.as_str(), " "),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let visas = || async {
        visa::Entity::find()
            .count(&app.state.db)
            .await
            .expect("count")
    };
    use sea_orm::PaginatorTrait;
    assert_eq!(visas().await, 0, "all or nothing");
    let good = [
        (fields[0].as_str(), "favorable"),
        (c0.as_str(), ""),
        (fields[1].as_str(), "favorable_avec_reserves"),
        (c1.as_str(), "Préciser le tribunal."),
    ];
    let ok = r.post_form(&url, &good).await;
    assert_eq!(ok.status(), 303);
    assert_eq!(visas().await, 2);
    let page = r.get(&page_url).await.text().await.expect("html");
    assert!(page.contains("2 visas enregistrés"), "{page}");
    assert!(
        page.contains("Aucun visa en attente de votre part"),
        "{page}"
    );
    // The same form sent again changes nothing.
    let again = r.post_form(&url, &good).await;
    assert_eq!(again.status(), 303);
    assert_eq!(visas().await, 2);
    let page = r.get(&page_url).await.text().await.expect("html");
    assert!(page.contains("rien n&#x27;a changé"), "{page}");
}
