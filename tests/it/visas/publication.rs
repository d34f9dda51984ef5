//! Publication waits for a complete round on every piece's current version: unanimity opens it,
//! one défavorable blocks it with the French reason, a new version needs a new round.

use super::*;
use crate::support::docx_text;
use crate::support::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

#[tokio::test]
async fn unanimity_on_the_whole_dce_opens_publication() {
    let app = TestApp::spawn().await;
    let kinds = ["rc", "ae", "ccap", "cctp", "bpu"];
    let (c, gid, cid) = tender(&app, &kinds).await;
    assert_eq!(
        transition(&c, gid, cid, "pieces_en_visa").await.status(),
        303
    );
    // Due date: at the earliest tomorrow.
    let r = submit(&c, gid, cid, &kinds, "2026-11-23").await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.expect("html");
    assert!(page.contains("doit être au plus tôt demain"), "{page}");
    let r = submit(&c, gid, cid, &kinds, "2026-12-04").await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    // The same versions cannot be submitted twice.
    assert_eq!(
        submit(&c, gid, cid, &["rc"], "2026-12-04").await.status(),
        409
    );
    let rid = latest_round(&c, gid, cid).await;
    let r = transition(&c, gid, cid, "prete_publier").await;
    assert_eq!(r.status(), 409);
    let page = r.text().await.expect("html");
    assert!(page.contains("visas en cours (0/10)"), "{page}");
    all_answer(&app, gid, cid, rid, &kinds, &[]).await;
    let s = state(&c, gid, cid).await;
    assert_eq!(s["publication"]["ok"], true, "{s}");
    assert_eq!(s["rounds"][0]["status"], "complet");
    let r = transition(&c, gid, cid, "prete_publier").await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let d = coordo::consultations::service::detail(
        &app.state.db,
        gid,
        cid,
        app.state.clock.today_paris(),
    )
    .await
    .expect("detail");
    assert_eq!(d.c.status, "prete_publier");
    // The matrix shows the progress; the summary e-mail went to the coordonnateur.
    let page = c
        .get(&format!("/g/{gid}/consultations/{cid}/visas"))
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains("10/10"), "{page}");
    assert!(page.contains("Publication possible"), "{page}");
    let summaries = coordo::db::entities::mail_message::Entity::find()
        .filter(coordo::db::entities::mail_message::Column::Kind.eq("visa_synthese"))
        .all(&app.state.db)
        .await
        .expect("mails");
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].to_addr, coord_email());
    assert!(
        summaries[0].subject.contains("complet"),
        "{}",
        summaries[0].subject
    );
}

#[tokio::test]
async fn one_defavorable_blocks_publication_and_the_bordereau_names_everyone() {
    let app = TestApp::spawn().await;
    let (c, gid, cid) = tender(&app, &["rc", "ae"]).await;
    assert_eq!(
        transition(&c, gid, cid, "pieces_en_visa").await.status(),
        303
    );
    assert_eq!(
        submit(&c, gid, cid, &["rc", "ae"], "2026-12-04")
            .await
            .status(),
        303
    );
    let rid = latest_round(&c, gid, cid).await;
    all_answer(&app, gid, cid, rid, &["rc", "ae"], &[RONCHIN, SANTELYS]).await;
    let ronchin = app.login(&referent_email(RONCHIN)).await;
    // A défavorable must be motivated.
    let r = answer(
        &ronchin,
        gid,
        cid,
        rid,
        json!({"piece": "rc", "decision": "defavorable"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.expect("json");
    assert!(e.to_string().contains("commentaire est obligatoire"), "{e}");
    let why = "Le délai de reprise des données est trop court.";
    let r = answer(
        &ronchin,
        gid,
        cid,
        rid,
        json!({"piece": "rc", "decision": "defavorable", "comment": why}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = answer(
        &ronchin,
        gid,
        cid,
        rid,
        json!({"piece": "ae", "decision": "favorable"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let santelys = app.login(&referent_email(SANTELYS)).await;
    for k in ["rc", "ae"] {
        let r = answer(&santelys, gid, cid, rid, json!({"piece": k, "decision": "favorable_avec_reserves", "comment": "Préciser la formation."})).await;
        assert_eq!(r.status(), 201);
    }
    let r = transition(&c, gid, cid, "prete_publier").await;
    assert_eq!(r.status(), 409);
    let page = r.text().await.expect("html");
    assert!(
        page.contains("visa défavorable de CCAS DE RONCHIN"),
        "{page}"
    );
    let api = c
        .post_json(
            &format!("/api/v1/groupements/{gid}/consultations/{cid}/transition"),
            &json!({"statut": "prete_publier"}),
        )
        .await;
    assert_eq!(api.status(), 409);
    let e: Value = api.json().await.expect("json");
    assert!(
        e["erreur"].as_str().unwrap_or_default().contains("RONCHIN"),
        "{e}"
    );
    let s = state(&c, gid, cid).await;
    assert_eq!(s["rounds"][0]["status"], "bloque");
    let blocked = coordo::db::entities::mail_message::Entity::find()
        .filter(coordo::db::entities::mail_message::Column::Kind.eq("visa_synthese"))
        .all(&app.state.db)
        .await
        .expect("mails");
    assert_eq!(blocked.len(), 1);
    assert!(
        blocked[0].subject.contains("bloqué"),
        "{}",
        blocked[0].subject
    );
    assert!(
        blocked[0].body_text.contains(why),
        "{}",
        blocked[0].body_text
    );
    // The bordereau of the RC: every member, its decision, the hash of the version.
    let r = c
        .get(&format!(
            "/g/{gid}/consultations/{cid}/visas/rounds/{rid}/rc/bordereau.docx"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let text = docx_text::open(&r.bytes().await.expect("bytes")).document_text();
    let rc_hash = s["rounds"][0]["pieces"][0]["sha256"]
        .as_str()
        .expect("hash")
        .to_owned();
    assert_eq!(s["rounds"][0]["pieces"][0]["piece"], "rc");
    assert!(text.contains(&rc_hash), "{text}");
    for m in coordo::registry::service::members(&app.state.db, gid)
        .await
        .expect("m")
    {
        assert!(
            text.contains(&m.member.name),
            "{} missing from {text}",
            m.member.name
        );
    }
    assert!(text.contains("visa défavorable"), "{text}");
    assert!(text.contains("visa favorable avec réserves"), "{text}");
    assert!(text.contains(why), "{text}");
    assert!(
        text.contains("8 visas favorables, 1 visa favorable avec réserves et 1 visa défavorable, sur 10 membres appelés à viser"),
        "{text}"
    );
}

#[tokio::test]
async fn a_new_version_needs_a_new_round_and_old_visas_do_not_count() {
    let app = TestApp::spawn().await;
    let (c, gid, cid) = tender(&app, &["rc", "ae"]).await;
    assert_eq!(
        transition(&c, gid, cid, "pieces_en_visa").await.status(),
        303
    );
    assert_eq!(
        submit(&c, gid, cid, &["rc", "ae"], "2026-12-04")
            .await
            .status(),
        303
    );
    let first = latest_round(&c, gid, cid).await;
    all_answer(&app, gid, cid, first, &["rc", "ae"], &[]).await;
    assert_eq!(state(&c, gid, cid).await["publication"]["ok"], true);
    // A clause of the RC changes: version 2, new hash.
    let source = format!(
        "{}\nClause ajoutée après les visas.\n",
        coordo::docgen::default_clause("voies_recours").expect("clause")
    );
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/clauses/voies_recours"),
            &[("source", source.as_str())],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/pieces/rc/generate"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let s = state(&c, gid, cid).await;
    assert_eq!(s["publication"]["ok"], false);
    let motif = s["publication"]["motif"].as_str().expect("motif");
    assert!(
        motif.contains("les visas d'une version antérieure ne comptent pas"),
        "{motif}"
    );
    let r = transition(&c, gid, cid, "prete_publier").await;
    assert_eq!(r.status(), 409);
    let page = c
        .get(&format!("/g/{gid}/consultations/{cid}/visas"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("les visas d&#x27;une version antérieure ne comptent pas")
            || page.contains("les visas d'une version antérieure ne comptent pas"),
        "{page}"
    );
    // Answering on the replaced version is refused.
    let r = answer(
        &app.login(&referent_email(SANTELYS)).await,
        gid,
        cid,
        first,
        json!({"piece": "rc", "decision": "favorable"}),
    )
    .await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.expect("json");
    assert!(
        e["erreur"]
            .as_str()
            .unwrap_or_default()
            .contains("n'est plus la version actuelle"),
        "{e}"
    );
    // Only the RC v2 can be submitted; the new round starts from zero.
    assert_eq!(
        submit(&c, gid, cid, &["ae"], "2026-12-04").await.status(),
        409
    );
    assert_eq!(
        submit(&c, gid, cid, &["rc"], "2026-12-04").await.status(),
        303
    );
    let s = state(&c, gid, cid).await;
    let second = &s["rounds"][0];
    assert_ne!(second["id"].as_i64(), Some(first));
    assert_eq!(second["pieces"][0]["version"], 2);
    assert_eq!(second["pieces"][0]["state"]["approved"], 0);
    assert_eq!(second["pieces"][0]["state"]["status"], "en_cours");
    all_answer(
        &app,
        gid,
        cid,
        second["id"].as_i64().expect("id"),
        &["rc"],
        &[],
    )
    .await;
    assert_eq!(state(&c, gid, cid).await["publication"]["ok"], true);
    assert_eq!(
        transition(&c, gid, cid, "prete_publier").await.status(),
        303
    );
}

/// The RC announces the grid the CAO will score with: without an environmental criterion (a
/// consultation launched after 21 August 2026) neither the RC nor the publication goes through,
/// a grid changed after the RC needs a new RC, and a published grid is frozen (R2152-11,
/// L2152-7).
#[tokio::test]
async fn publication_needs_the_environmental_criterion_and_the_grid_the_rc_announces() {
    let app = TestApp::spawn().await;
    let kinds = ["rc", "ae", "ccap", "cctp", "bpu"];
    let (c, gid, cid) = tender(&app, &kinds).await;
    let price_only = json!([
        {"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": "proportional"}
    ]);
    // The RC is refused without an environmental criterion, and nothing is versioned.
    assert_eq!(
        crate::offers::set_criteria(&c, gid, cid, price_only.clone())
            .await
            .status(),
        200
    );
    let r = c
        .post_json(
            &format!("/api/v1/groupements/{gid}/consultations/{cid}/pieces/rc/generate"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("body");
    assert!(
        body.contains("L2152-7") && body.contains("21 août 2026"),
        "{body}"
    );
    // Back to the announced grid; visas of every member on the whole DCE.
    let grid = crate::pieces::grid();
    assert_eq!(
        crate::offers::set_criteria(&c, gid, cid, grid.clone())
            .await
            .status(),
        200
    );
    assert_eq!(
        transition(&c, gid, cid, "pieces_en_visa").await.status(),
        303
    );
    assert_eq!(
        submit(&c, gid, cid, &kinds, "2026-12-04").await.status(),
        303
    );
    let rid = latest_round(&c, gid, cid).await;
    all_answer(&app, gid, cid, rid, &kinds, &[]).await;
    // The grid loses its environmental criterion after the visas: publication refused.
    crate::offers::set_criteria(&c, gid, cid, price_only).await;
    let r = transition(&c, gid, cid, "prete_publier").await;
    assert_eq!(r.status(), 409);
    let page = r.text().await.expect("html");
    assert!(page.contains("L2152-7"), "{page}");
    // Another grid with an environmental criterion: the visaed RC does not announce it.
    let mut other = grid.clone();
    other[0]["weight"] = json!("70");
    other[0]["sub_criteria"][0]["weight"] = json!("60");
    other[1]["weight"] = json!("30");
    assert_eq!(
        crate::offers::set_criteria(&c, gid, cid, other)
            .await
            .status(),
        200
    );
    let r = transition(&c, gid, cid, "prete_publier").await;
    assert_eq!(r.status(), 409);
    let page = r.text().await.expect("html");
    assert!(page.contains("générez à nouveau le RC"), "{page}");
    // The grid the RC announces: publication, then the grid is frozen.
    assert_eq!(
        crate::offers::set_criteria(&c, gid, cid, grid)
            .await
            .status(),
        200
    );
    assert_eq!(
        transition(&c, gid, cid, "prete_publier").await.status(),
        303
    );
    assert_eq!(transition(&c, gid, cid, "publiee").await.status(), 303);
    let r = crate::offers::set_criteria(
        &c,
        gid,
        cid,
        json!([{"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": "min_max"}]),
    )
    .await;
    assert_eq!(r.status(), 409);
    let body = r.text().await.expect("body");
    assert!(body.contains("R2152-11"), "{body}");
}
