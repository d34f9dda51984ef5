//! Conflicts of interest, votes, the casting vote, bad input and the signatures.

use super::*;

/// A séance on Tue 8 Dec 2026 with `n_items` items on the software tender, convened on
/// 23 Nov, sitting with `present`; returns (séance id, item ids).
async fn sitting(
    app: &TestApp,
    coord: &Client,
    n_items: usize,
    present: &[String],
) -> (i32, Vec<String>) {
    let target = tender(app, coord).await;
    let decisions = [
        "Attribuer l'accord-cadre à LOGIDOM SANTÉ",
        "Déclarer le lot 2 sans suite pour motif d'intérêt général",
    ];
    let agenda: Vec<(&str, &str)> = decisions[..n_items]
        .iter()
        .map(|d| (target.as_str(), *d))
        .collect();
    let sid = new_seance(app, coord, "2026-12-08", &agenda).await;
    convene_and_sit(app, coord, sid, (2026, 11, 23), (2026, 12, 8), present).await;
    let ids = items(app, coord, sid).await;
    (sid, ids)
}

#[tokio::test]
async fn a_declared_conflict_takes_the_member_out_of_the_item() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let seven = titulaires(&app, 7).await;
    let (sid, ids) = sitting(&app, &coord, 2, &seven).await;
    let base = format!("/g/{gid}/cao/seances/{sid}");
    // SANTELYS's titulaire declares a conflict on its own account.
    let santelys = app.login(&cao_email("titulaire", SANTELYS)).await;
    let html = santelys.get(&base).await.text().await.expect("html");
    assert!(html.contains("Avez-vous un conflit"), "{html}");
    assert!(!html.contains("Enregistrer le vote"), "{html}");
    let html = coord.get(&base).await.text().await.expect("html");
    assert!(html.contains("Enregistrer la déclaration"), "{html}");
    step(
        &app,
        &santelys,
        &format!("{base}/declarations"),
        &[
            ("item_id", &ids[0]),
            ("conflict", "oui"),
            ("note", "ancien salarié de LOGIDOM SANTÉ"),
        ],
    )
    .await;
    no_conflicts(&app, &coord, sid, &ids[0], &seven[1..]).await;
    let body = refused(
        &app,
        &coord,
        &format!("{base}/votes"),
        &[
            ("item_id", &ids[0]),
            ("person", &seven[0]),
            ("choice", "pour"),
        ],
        422,
    )
    .await;
    assert!(body.contains("il ne peut pas voter"), "{body}");
    let v = &seven;
    votes(
        &app,
        &coord,
        sid,
        &ids[0],
        &[
            (&v[1], "pour"),
            (&v[2], "pour"),
            (&v[3], "pour"),
            (&v[4], "pour"),
            (&v[5], "contre"),
            (&v[6], "contre"),
        ],
    )
    .await;
    step(
        &app,
        &coord,
        &format!("{base}/deliberations"),
        &[("item_id", &ids[0])],
    )
    .await;
    let s = api_seance(&app, &coord, sid).await;
    let r = &s["items"][0]["result"];
    assert_eq!(r["result"], "adoptee");
    assert_eq!(
        (r["pour"].as_i64(), r["contre"].as_i64()),
        (Some(4), Some(2))
    );
    let why = r["explanation"].as_str().expect("text");
    assert!(why.contains("déportés"), "{why}");
    assert!(why.contains("CAO titulaire — SANTELYS"), "{why}");
    // Two conflicts on the second item leave 5 of 10: no quorum for it, no vote.
    for p in &seven[..2] {
        step(
            &app,
            &coord,
            &format!("{base}/declarations"),
            &[("item_id", &ids[1]), ("person", p), ("conflict", "oui")],
        )
        .await;
    }
    no_conflicts(&app, &coord, sid, &ids[1], &seven[2..]).await;
    let body = refused(
        &app,
        &coord,
        &format!("{base}/votes"),
        &[
            ("item_id", &ids[1]),
            ("person", &seven[2]),
            ("choice", "pour"),
        ],
        409,
    )
    .await;
    assert!(
        body.contains("aucun vote ne peut être enregistré"),
        "{body}"
    );
    step(
        &app,
        &coord,
        &format!("{base}/deliberations"),
        &[("item_id", &ids[1])],
    )
    .await;
    let s = api_seance(&app, &coord, sid).await;
    assert_eq!(s["items"][1]["result"]["result"], "quorum_non_atteint");
}

#[tokio::test]
async fn a_tie_without_then_with_the_casting_vote_of_the_president() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let six = titulaires(&app, 6).await; // the 6th is the président
    let (sid, ids) = sitting(&app, &coord, 2, &six).await;
    let base = format!("/g/{gid}/cao/seances/{sid}");
    let tie = |s: &[String]| -> Vec<(String, &'static str)> {
        vec![
            (s[5].clone(), "pour"),
            (s[0].clone(), "pour"),
            (s[1].clone(), "pour"),
            (s[2].clone(), "contre"),
            (s[3].clone(), "contre"),
            (s[4].clone(), "contre"),
        ]
    };
    let ballots = tie(&six);
    let refs: Vec<(&String, &str)> = ballots.iter().map(|(p, c)| (p, *c)).collect();
    // The président records the votes: they manage the séance too.
    let president = app.login(&cao_email("titulaire", COORD_FINESS)).await;
    for item in &ids {
        no_conflicts(&app, &president, sid, item, &six).await;
        votes(&app, &president, sid, item, &refs).await;
    }
    step(
        &app,
        &president,
        &format!("{base}/deliberations"),
        &[("item_id", &ids[0])],
    )
    .await;
    let s = api_seance(&app, &coord, sid).await;
    assert_eq!(s["items"][0]["result"]["result"], "partage_sans_decision");
    assert_eq!(s["casting_vote"], false);
    step(
        &app,
        &coord,
        &format!("/g/{gid}/cao/settings"),
        &[
            ("cao_casting_vote", "on"),
            ("convocation_jours_francs", "5"),
        ],
    )
    .await;
    step(
        &app,
        &president,
        &format!("{base}/deliberations"),
        &[("item_id", &ids[1])],
    )
    .await;
    let s = api_seance(&app, &coord, sid).await;
    assert_eq!(
        s["items"][1]["result"]["result"],
        "adoptee_voix_preponderante"
    );
    assert_eq!(s["items"][1]["result"]["pour"], 3);
    assert_eq!(s["items"][1]["result"]["contre"], 3);
    // An item is deliberated once.
    refused(
        &app,
        &president,
        &format!("{base}/deliberations"),
        &[("item_id", &ids[1])],
        409,
    )
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_in_french_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let mut present = titulaires(&app, 6).await;
    let beside = seat(&app, "suppleant", SANTELYS).await;
    present.push(beside.clone());
    let (sid, ids) = sitting(&app, &coord, 1, &present).await;
    let base = format!("/g/{gid}/cao/seances/{sid}");
    let item = ids[0].as_str();
    // Unknown person in the attendance.
    let body = refused(
        &app,
        &coord,
        &format!("{base}/attendance"),
        &[("present_99999", "on")],
        422,
    )
    .await;
    assert!(body.contains("ne siège pas à la CAO"), "{body}");
    // A suppléant beside its titulaire neither declares nor votes.
    let body = refused(
        &app,
        &coord,
        &format!("{base}/declarations"),
        &[("item_id", item), ("person", &beside), ("conflict", "non")],
        422,
    )
    .await;
    assert!(body.contains("sans voix délibérative"), "{body}");
    let voters = &present[..6];
    no_conflicts(&app, &coord, sid, item, voters).await;
    let body = refused(
        &app,
        &coord,
        &format!("{base}/declarations"),
        &[
            ("item_id", item),
            ("person", &voters[0]),
            ("conflict", "oui"),
        ],
        409,
    )
    .await;
    assert!(body.contains("déjà fait sa déclaration"), "{body}");
    let vote = |p: &str, c: &str| {
        vec![
            ("item_id".to_owned(), item.to_owned()),
            ("person".to_owned(), p.to_owned()),
            ("choice".to_owned(), c.to_owned()),
        ]
    };
    let post = |f: Vec<(String, String)>, status: u16| {
        let (app, coord, base) = (&app, &coord, &base);
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            refused(app, coord, &format!("{base}/votes"), &refs, status).await
        }
    };
    let body = post(vote(&beside, "pour"), 422).await;
    assert!(body.contains("ne peut pas voter"), "{body}");
    let body = post(vote("99999", "pour"), 422).await;
    assert!(body.contains("ne siège pas à la CAO"), "{body}");
    let body = post(vote(&voters[0], "peut-être"), 422).await;
    assert!(body.contains("« peut-être »"), "{body}");
    let body = post(vec![("item_id".into(), "abc".into())], 422).await;
    assert!(body.contains("« abc »"), "{body}");
    votes(&app, &coord, sid, item, &[(&voters[0], "pour")]).await;
    let body = post(vote(&voters[0], "contre"), 409).await;
    assert!(body.contains("a voté deux fois"), "{body}");
    let body = refused(
        &app,
        &coord,
        &format!("{base}/deliberations"),
        &[("item_id", item)],
        422,
    )
    .await;
    assert!(body.contains("manque"), "{body}");
    let body = refused(
        &app,
        &coord,
        &format!("{base}/observations"),
        &[("person", &voters[0]), ("text", "  ")],
        422,
    )
    .await;
    assert!(body.contains("observation est obligatoire"), "{body}");
    refused(&app, &coord, &format!("{base}/close"), &[], 409).await;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let n = coordo::db::entities::cao_vote::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(n, 1, "only the valid vote is stored");
}

#[tokio::test]
async fn a_member_signs_and_declares_only_for_its_own_seat() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let six = titulaires(&app, 6).await;
    let (sid, ids) = sitting(&app, &coord, 1, &six).await;
    let base = format!("/g/{gid}/cao/seances/{sid}");
    let santelys = app.login(&cao_email("titulaire", SANTELYS)).await;
    let ronchin = app.login(&cao_email("titulaire", RONCHIN)).await;
    // SANTELYS's member cannot declare for RONCHIN's seat, nor record a vote.
    let body = refused(
        &app,
        &santelys,
        &format!("{base}/declarations"),
        &[
            ("item_id", &ids[0]),
            ("person", &six[1]),
            ("conflict", "non"),
        ],
        403,
    )
    .await;
    assert!(body.contains("propre siège"), "{body}");
    refused(
        &app,
        &santelys,
        &format!("{base}/votes"),
        &[
            ("item_id", &ids[0]),
            ("person", &six[0]),
            ("choice", "pour"),
        ],
        403,
    )
    .await;
    // Nobody signs before the séance is closed.
    refused(&app, &santelys, &format!("{base}/signoffs"), &[], 409).await;
    no_conflicts(&app, &coord, sid, &ids[0], &six).await;
    let ballots: Vec<(&String, &str)> = six.iter().map(|p| (p, "pour")).collect();
    votes(&app, &coord, sid, &ids[0], &ballots).await;
    step(
        &app,
        &coord,
        &format!("{base}/deliberations"),
        &[("item_id", &ids[0])],
    )
    .await;
    step(&app, &coord, &format!("{base}/close"), &[]).await;
    let body = refused(
        &app,
        &santelys,
        &format!("{base}/signoffs"),
        &[("person", &six[1])],
        403,
    )
    .await;
    assert!(body.contains("votre propre siège"), "{body}");
    step(&app, &santelys, &format!("{base}/signoffs"), &[]).await;
    refused(&app, &santelys, &format!("{base}/signoffs"), &[], 409).await;
    step(
        &app,
        &ronchin,
        &format!("{base}/signoffs"),
        &[("person", &six[1])],
    )
    .await;
    let absent = app.login(&cao_email("titulaire", MEMBERS[6])).await;
    let body = refused(&app, &absent, &format!("{base}/signoffs"), &[], 409).await;
    assert!(body.contains("pas présent"), "{body}");
    let s = api_seance(&app, &coord, sid).await;
    let signed: Vec<&str> = s["signoffs"]
        .as_array()
        .expect("signoffs")
        .iter()
        .filter_map(|x| x["name"].as_str())
        .collect();
    assert_eq!(
        signed,
        [
            "CAO titulaire — SANTELYS",
            "CAO titulaire — CCAS DE RONCHIN"
        ]
    );
    // Nothing changes once closed.
    refused(&app, &coord, &format!("{base}/attendance"), &[], 409).await;
}
