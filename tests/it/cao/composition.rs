//! The composition of the seed's CAO, the L1414-3 panel, and mandates added and ended.

use super::*;

#[tokio::test]
async fn the_seed_has_ten_voting_seats_presided_by_the_coordonnateur_and_the_amoa() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let c = app.login(&referent_email(SANTELYS)).await;
    let v: serde_json::Value = c
        .get(&format!(
            "/api/v1/groupements/{gid}/cao/composition?date=2026-12-01"
        ))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["voting_seats"], 10);
    assert_eq!(v["president"], "CAO président — CCAS DE WATTRELOS");
    assert_eq!(v["error"], "");
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(0));
    let seats = v["seats"].as_array().expect("seats");
    assert_eq!(seats.len(), 10);
    for (s, f) in seats.iter().zip(MEMBERS) {
        assert_eq!(s["titulaire"]["email"], cao_email("titulaire", f));
        assert_eq!(s["suppleant"]["email"], cao_email("suppleant", f));
        assert_eq!(s["titulaire"]["has_account"], true);
        assert_eq!(s["titulaire"]["since"], "21 mars 2024");
        assert_eq!(s["presides"], f == COORD_FINESS);
    }
    // Members with their own CAO designate one of its voting members; the others per their rules.
    assert_eq!(
        seats[1]["titulaire"]["designation"],
        "CAO du CCAS DE RONCHIN, le 21 mars 2024 (membre à voix délibérative de sa propre CAO)"
    );
    assert_eq!(
        seats[0]["suppleant"]["designation"],
        "Conseil d'administration de SANTELYS, le 21 mars 2024"
    );
    let consultative = v["consultative"].as_array().expect("consultative");
    assert_eq!(consultative.len(), 1);
    assert_eq!(consultative[0]["kind"], "amoa");
    assert_eq!(consultative[0]["holder"]["email"], amoa_email());
    // 4 CCAS and 6 associations: not compulsory, set up by the convention anyway.
    assert_eq!(v["l1414_3"]["compulsory"], false);
    assert_eq!(v["l1414_3"]["counted"], 4);
    assert_eq!(v["l1414_3"]["total"], 10);
    let why = v["l1414_3"]["explanation_fr"].as_str().expect("text");
    assert!(why.contains("au moins 6 sur 10"), "{why}");
    assert!(why.contains("article 5.4"), "{why}");
    assert_eq!(v["history"].as_array().map(Vec::len), Some(21));
    // Every mandate of the seed is journaled.
    let entries = coordo::audit::latest(&app.state.db, gid, 500)
        .await
        .expect("journal");
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "cao.mandat_ajoute")
            .count(),
        21
    );
    // Before the convention, nobody sits.
    let before: serde_json::Value = c
        .get(&format!(
            "/api/v1/groupements/{gid}/cao/composition?date=2024-03-20"
        ))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(before["voting_seats"], 10);
    assert_eq!(before["president"], "");
    assert!(before["seats"][0]["titulaire"].is_null());
    // The page shows the panel and the link in the navigation.
    let page = c.get(&format!("/g/{gid}/cao")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains(&format!("href=\"/g/{gid}/cao\">CAO</a>")));
    assert!(html.contains("n&#x27;est pas") || html.contains("n'est pas"));
    assert!(html.contains("CAO président — CCAS DE WATTRELOS"));
    assert!(!html.contains("Nouveau mandat"));
    assert_eq!(
        c.get(&format!("/g/{gid}/cao?date=hier")).await.status(),
        400
    );
    let coord = app.login(&coord_email()).await;
    let html = coord
        .get(&format!("/g/{gid}/cao"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("Nouveau mandat"), "{html}");
    assert!(html.contains("Mettre fin"), "{html}");
    let html = coord
        .get(&format!("/g/{gid}/cao/seances"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("Nouvelle séance"), "{html}");
}

#[tokio::test]
async fn a_mandate_is_ended_and_replaced_with_its_history_kept() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let santelys = app.member_id(SANTELYS).await.to_string();
    let old = seat(&app, "titulaire", SANTELYS).await;
    step(
        &app,
        &coord,
        &format!("/g/{gid}/cao/assignments/{old}/end"),
        &[("valid_to", "2026-12-31")],
    )
    .await;
    step(
        &app,
        &coord,
        &format!("/g/{gid}/cao/assignments"),
        &[
            ("member_id", &santelys),
            ("role", "titulaire"),
            ("person_name", "Mme Claire Vasseur"),
            ("person_email", "c.vasseur@santelys.example"),
            ("designation_date", "2026-12-10"),
            ("designation_body", "Conseil d'administration de SANTELYS"),
            ("valid_from", "2027-01-01"),
        ],
    )
    .await;
    let at = |d: &'static str| {
        let c = &coord;
        async move {
            let v: serde_json::Value = c
                .get(&format!(
                    "/api/v1/groupements/{gid}/cao/composition?date={d}"
                ))
                .await
                .json()
                .await
                .expect("json");
            v["seats"][0]["titulaire"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    assert_eq!(at("2026-12-31").await, "CAO titulaire — SANTELYS");
    assert_eq!(at("2027-01-01").await, "Mme Claire Vasseur");
    // Ending it again, or earlier than it started: refused in French, nothing written.
    let body = refused(
        &app,
        &coord,
        &format!("/g/{gid}/cao/assignments/{old}/end"),
        &[("valid_to", "2027-06-30")],
        409,
    )
    .await;
    assert!(
        body.contains("a déjà pris fin le 31 décembre 2026"),
        "{body}"
    );
    let ronchin = app.member_id(RONCHIN).await.to_string();
    let mut second = vec![
        ("member_id", ronchin.as_str()),
        ("role", "titulaire"),
        ("person_name", "M. Olivier Delannoy"),
        ("designation_date", "2026-11-01"),
        ("designation_body", "CAO du CCAS de Ronchin"),
        ("voting_member_of_own_cao", "oui"),
        ("valid_from", "2026-12-01"),
    ];
    let body = refused(
        &app,
        &coord,
        &format!("/g/{gid}/cao/assignments"),
        &second,
        422,
    )
    .await;
    assert!(body.contains("plusieurs titulaires"), "{body}");
    second[5] = ("voting_member_of_own_cao", "non");
    let body = refused(
        &app,
        &coord,
        &format!("/g/{gid}/cao/assignments"),
        &second,
        422,
    )
    .await;
    assert!(body.contains("voix délibérative"), "{body}");
    // The same account cannot hold two seats.
    let amoa = app.user_row(&amoa_email()).await.id.to_string();
    let body = refused(
        &app,
        &coord,
        &format!("/g/{gid}/cao/assignments"),
        &[
            ("role", "consultatif"),
            ("consultative_kind", "expert"),
            ("person_name", "AMOA bis"),
            ("user_id", &amoa),
            ("designation_date", "2026-11-01"),
            ("designation_body", "Président de la CAO"),
            ("valid_from", "2026-12-01"),
        ],
        422,
    )
    .await;
    assert!(body.contains("occupe déjà un siège"), "{body}");
    // Only the coordonnateur composes the CAO.
    let cao = app.login(&cao_email("titulaire", COORD_FINESS)).await;
    refused(
        &app,
        &cao,
        &format!("/g/{gid}/cao/assignments/{old}/end"),
        &[("valid_to", "2026-12-31")],
        403,
    )
    .await;
}

#[tokio::test]
async fn the_cao_settings_are_journaled_and_checked() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    step(
        &app,
        &coord,
        &format!("/g/{gid}/cao/settings"),
        &[
            ("cao_casting_vote", "on"),
            ("convocation_jours_francs", "3"),
        ],
    )
    .await;
    let s = coordo::cao::store::settings(&app.state.db, gid)
        .await
        .expect("settings");
    assert!(s.cao_casting_vote);
    assert_eq!(s.convocation_jours_francs, 3);
    let body = refused(
        &app,
        &coord,
        &format!("/g/{gid}/cao/settings"),
        &[("convocation_jours_francs", "cinq")],
        422,
    )
    .await;
    assert!(body.contains("« cinq »"), "{body}");
}
