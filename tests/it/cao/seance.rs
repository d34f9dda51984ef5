//! Séances: convocation and its delay, attendance and quorum (suppléants), carence, second
//! convocation, and who may run them.

use super::*;

const SOFTWARE: &str = "Attribuer l'accord-cadre à LOGIDOM SANTÉ";

#[tokio::test]
async fn quorum_six_of_ten_reached_five_not_and_the_suppleants() {
    let app = TestApp::spawn().await;
    let coord = app.login(&coord_email()).await;
    let target = tender(&app, &coord).await;
    let sid = new_seance(&app, &coord, "2026-12-08", &[(&target, SOFTWARE)]).await;
    let five = titulaires(&app, 5).await;
    // Sent Mon 23 Nov: 5 jours francs end Sat 28 → Mon 30 Nov; the séance of 8 Dec is fine.
    convene_and_sit(&app, &coord, sid, (2026, 11, 23), (2026, 12, 8), &five).await;
    let v = api_seance(&app, &coord, sid).await;
    assert_eq!(v["convocation_warning"], "");
    assert_eq!(v["quorum"]["voting_present"], 5);
    assert_eq!(v["quorum"]["required"], 6);
    assert_eq!(v["quorum"]["seats"], 10);
    assert_eq!(v["quorum"]["reached"], false);
    assert_eq!(v["actions"]["carence"], true);
    // Six titulaires (the président among them): reached.
    let six = titulaires(&app, 6).await;
    attend(&app, &coord, sid, &six).await;
    let v = api_seance(&app, &coord, sid).await;
    assert_eq!(v["quorum"]["voting_present"], 6);
    assert_eq!(v["quorum"]["reached"], true);
    assert!(
        v["voters"]
            .as_array()
            .expect("voters")
            .iter()
            .any(|x| x["detail"].as_str().unwrap_or("").contains("président"))
    );
    // Five titulaires and the suppléant of an absent titulaire (Wattrelos): reached.
    let mut replacing = five.clone();
    replacing.push(seat(&app, "suppleant", COORD_FINESS).await);
    attend(&app, &coord, sid, &replacing).await;
    let v = api_seance(&app, &coord, sid).await;
    assert_eq!(v["quorum"]["voting_present"], 6);
    assert_eq!(v["quorum"]["reached"], true);
    assert!(
        v["voters"][5]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("suppléant remplaçant le titulaire absent")
    );
    // Five titulaires and the suppléant of one of them (Santelys), beside its titulaire: 5.
    let mut beside = five.clone();
    beside.push(seat(&app, "suppleant", SANTELYS).await);
    beside.push(seat(&app, "amoa", "").await);
    attend(&app, &coord, sid, &beside).await;
    let v = api_seance(&app, &coord, sid).await;
    assert_eq!(v["quorum"]["voting_present"], 5);
    assert_eq!(v["quorum"]["reached"], false);
    let non_voters: Vec<String> = v["non_voters"]
        .as_array()
        .expect("non voters")
        .iter()
        .map(|n| n["detail"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(non_voters.len(), 2);
    assert!(
        non_voters[0].contains("aux côtés de son titulaire"),
        "{non_voters:?}"
    );
    assert!(
        non_voters[1].contains("voix consultative"),
        "{non_voters:?}"
    );
    // The page shows it too.
    let gid = app.gid().await;
    let html = coord
        .get(&format!("/g/{gid}/cao/seances/{sid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("Quorum non atteint"), "{html}");
}

#[tokio::test]
async fn carence_then_pv_de_carence_then_a_second_seance_sits_without_quorum() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let target = tender(&app, &coord).await;
    let sid = new_seance(&app, &coord, "2026-12-08", &[(&target, SOFTWARE)]).await;
    let four = titulaires(&app, 4).await;
    convene_and_sit(&app, &coord, sid, (2026, 11, 23), (2026, 12, 8), &four).await;
    let base = format!("/g/{gid}/cao/seances/{sid}");
    // No quorum: no declaration, no vote, no closing.
    let item = items(&app, &coord, sid).await[0].clone();
    let body = refused(
        &app,
        &coord,
        &format!("{base}/declarations"),
        &[
            ("item_id", &item),
            ("person", &four[0]),
            ("conflict", "non"),
        ],
        409,
    )
    .await;
    assert!(body.contains("Quorum non atteint"), "{body}");
    refused(&app, &coord, &format!("{base}/close"), &[], 409).await;
    step(&app, &coord, &format!("{base}/carence"), &[]).await;
    assert_eq!(api_seance(&app, &coord, sid).await["status"], "carence");
    // The PV de carence names the new séance: it must exist first.
    assert_eq!(
        coord.get(&format!("{base}/pv-carence.docx")).await.status(),
        409
    );
    let body = refused(
        &app,
        &coord,
        &format!("{base}/second-convocation"),
        &[
            ("date", "2026-12-05"),
            ("time", "10:00"),
            ("place", "Mairie"),
        ],
        422,
    )
    .await;
    assert!(body.contains("après la séance en carence"), "{body}");
    step(
        &app,
        &coord,
        &format!("{base}/second-convocation"),
        &[
            ("date", "2026-12-15"),
            ("time", "10:00"),
            (
                "place",
                "salle du conseil d'administration du CCAS de Wattrelos",
            ),
        ],
    )
    .await;
    refused(
        &app,
        &coord,
        &format!("{base}/second-convocation"),
        &[
            ("date", "2026-12-16"),
            ("time", "10:00"),
            ("place", "Mairie"),
        ],
        409,
    )
    .await;
    let v = api_seance(&app, &coord, sid).await;
    let second: i32 = v["follow_up"][0].as_i64().expect("follow-up") as i32;
    let r = coord.get(&format!("{base}/pv-carence.docx")).await;
    assert_eq!(r.status(), 200);
    let text = docx_text::open(&r.bytes().await.expect("bytes")).document_text();
    assert!(text.contains("Constat de carence"), "{text}");
    assert!(text.contains("Le quorum n'étant pas atteint"), "{text}");
    assert!(text.contains("mardi 15 décembre 2026 à 10 h 00"), "{text}");
    assert!(text.contains("membres présents : 4"), "{text}");
    assert!(
        text.contains("quorum requis (plus de la moitié des membres ayant voix délibérative) : 6"),
        "{text}"
    );
    // The second séance: same agenda, sits with two members.
    let w = api_seance(&app, &coord, second).await;
    assert_eq!(w["second_convocation"], true);
    assert_eq!(w["items"].as_array().map(Vec::len), Some(1));
    let two = titulaires(&app, 2).await;
    convene_and_sit(&app, &coord, second, (2026, 12, 9), (2026, 12, 15), &two).await;
    let w = api_seance(&app, &coord, second).await;
    assert_eq!(w["quorum"]["voting_present"], 2);
    assert_eq!(w["quorum"]["reached"], true);
    assert!(
        w["quorum"]["explanation"]
            .as_str()
            .unwrap_or("")
            .contains("sans condition de quorum")
    );
    let item = items(&app, &coord, second).await[0].clone();
    no_conflicts(&app, &coord, second, &item, &two).await;
    votes(
        &app,
        &coord,
        second,
        &item,
        &[(&two[0], "pour"), (&two[1], "abstention")],
    )
    .await;
    let sbase = format!("/g/{gid}/cao/seances/{second}");
    step(
        &app,
        &coord,
        &format!("{sbase}/deliberations"),
        &[("item_id", &item)],
    )
    .await;
    step(&app, &coord, &format!("{sbase}/close"), &[]).await;
    let w = api_seance(&app, &coord, second).await;
    assert_eq!(w["status"], "tenue");
    assert_eq!(w["items"][0]["result"]["result"], "adoptee");
    let r = coord.get(&format!("{sbase}/pv.docx")).await;
    assert_eq!(r.status(), 200);
    let text = docx_text::open(&r.bytes().await.expect("bytes")).document_text();
    assert!(
        text.contains("n'avait pas atteint le quorum le 8 décembre 2026"),
        "{text}"
    );
}

#[tokio::test]
async fn convocation_delay_warnings_across_a_weekend_and_a_holiday() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let target = tender(&app, &coord).await;
    let item = [(target.as_str(), SOFTWARE)];
    // Sent Mon 30 Nov: 5 jours francs would end Sat 5 Dec, extended to Mon 7 Dec.
    let weekend = new_seance(&app, &coord, "2026-12-07", &item).await;
    // Sent Sun 20 Dec: the delay would end Fri 25 Dec (Noël), extended to Mon 28 Dec.
    let holiday = new_seance(&app, &coord, "2026-12-28", &item).await;
    // Sent Mon 30 Nov for Tue 8 Dec: respected.
    let fine = new_seance(&app, &coord, "2026-12-08", &item).await;
    set_day(&app, 2026, 11, 30);
    for (sid, flash) in [
        (weekend, "Attention"),
        (fine, "le délai de convocation est respecté"),
    ] {
        step(
            &app,
            &coord,
            &format!("/g/{gid}/cao/seances/{sid}/convocation"),
            &[("sent_on", "2026-11-30")],
        )
        .await;
        // The flash of the redirect says whether the delay is respected.
        let html = coord
            .get(&format!("/g/{gid}/cao/seances/{sid}"))
            .await
            .text()
            .await
            .expect("html");
        assert!(html.contains(flash), "{html}");
    }
    let w = api_seance(&app, &coord, weekend).await["convocation_warning"]
        .as_str()
        .expect("warning")
        .to_owned();
    assert!(
        w.contains("expirerait le samedi 5 décembre 2026, jour de fin de semaine"),
        "{w}"
    );
    assert!(w.contains("avant le mardi 8 décembre 2026"), "{w}");
    assert_eq!(
        api_seance(&app, &coord, fine).await["convocation_warning"],
        ""
    );
    // A convocation cannot be recorded before it is sent.
    let body = refused(
        &app,
        &coord,
        &format!("/g/{gid}/cao/seances/{holiday}/convocation"),
        &[("sent_on", "2026-12-20")],
        422,
    )
    .await;
    assert!(body.contains("dans le futur"), "{body}");
    set_day(&app, 2026, 12, 20);
    step(
        &app,
        &coord,
        &format!("/g/{gid}/cao/seances/{holiday}/convocation"),
        &[("sent_on", "2026-12-20")],
    )
    .await;
    let w = api_seance(&app, &coord, holiday).await["convocation_warning"]
        .as_str()
        .expect("warning")
        .to_owned();
    assert!(
        w.contains("vendredi 25 décembre 2026, jour férié (Noël)"),
        "{w}"
    );
    assert!(
        w.contains("prorogé jusqu'au lundi 28 décembre 2026 inclus"),
        "{w}"
    );
    // With a 3-jours-francs rule, the same convocation is in time.
    step(
        &app,
        &coord,
        &format!("/g/{gid}/cao/settings"),
        &[("convocation_jours_francs", "3")],
    )
    .await;
    assert_eq!(
        api_seance(&app, &coord, holiday).await["convocation_warning"],
        ""
    );
}

#[tokio::test]
async fn every_titulaire_and_suppleant_and_the_amoa_are_convened() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let target = tender(&app, &coord).await;
    let sid = new_seance(&app, &coord, "2026-12-08", &[(&target, SOFTWARE)]).await;
    let v = api_seance(&app, &coord, sid).await;
    let recipients: Vec<&str> = v["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .filter_map(|r| r.as_str())
        .collect();
    assert_eq!(recipients.len(), 21);
    for f in MEMBERS {
        for which in ["titulaire", "suppleant"] {
            let email = cao_email(which, f);
            assert!(recipients.iter().any(|r| r.contains(&email)), "{email}");
        }
    }
    assert!(recipients[20].contains(&amoa_email()));
    let cao = coordo::cao::store::stored_cao(&app.state.db, gid)
        .await
        .expect("cao");
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).expect("date");
    assert_eq!(
        coordo::cao::model::convocation_recipients(&cao, date).len(),
        21
    );
    // Convened today through Coordo: one email each, the convocation DOCX attached, delivered
    // by the outbox (here to .eml files).
    step(
        &app,
        &coord,
        &format!("/g/{gid}/cao/seances/{sid}/convocation"),
        &[("sent_on", "2026-11-23")],
    )
    .await;
    let report = coordo::mail::deliver_due(&app.state.db, &app.state.mailer, app.state.clock.now())
        .await
        .expect("deliver");
    assert_eq!(report.sent, 21);
    let emls: Vec<String> = std::fs::read_dir(&app.mail_dir)
        .expect("outbox folder")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    assert_eq!(emls.len(), 21);
    for f in MEMBERS {
        for which in ["titulaire", "suppleant"] {
            let email = cao_email(which, f);
            assert!(
                emls.iter()
                    .any(|m| m.contains(&email) && m.contains("convocation_cao_")),
                "{email}"
            );
        }
    }
}

#[tokio::test]
async fn only_the_coordonnateur_and_the_president_run_a_seance() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let target = tender(&app, &coord).await;
    let president = app.login(&cao_email("titulaire", COORD_FINESS)).await;
    // The président creates and convenes a séance on their own account.
    let sid = new_seance(&app, &president, "2026-12-08", &[(&target, SOFTWARE)]).await;
    let member = app.login(&cao_email("titulaire", SANTELYS)).await;
    let suppleant = app.login(&cao_email("suppleant", COORD_FINESS)).await;
    let base = format!("/g/{gid}/cao/seances/{sid}");
    for c in [&member, &suppleant] {
        let body = refused(
            &app,
            c,
            &format!("{base}/convocation"),
            &[("sent_on", "2026-11-23")],
            403,
        )
        .await;
        assert!(body.contains("président de la CAO"), "{body}");
    }
    let amoa = app.login(&amoa_email()).await;
    refused(&app, &amoa, &format!("{base}/declarations"), &[], 403).await;
    refused(&app, &coord, &format!("{base}/signoffs"), &[], 403).await;
    step(
        &app,
        &president,
        &format!("{base}/convocation"),
        &[("sent_on", "2026-11-23")],
    )
    .await;
    // Attendance is taken on the day of the séance, not before.
    let six = titulaires(&app, 6).await;
    let keys: Vec<String> = six.iter().map(|p| format!("present_{p}")).collect();
    let fields: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "on")).collect();
    let body = refused(
        &app,
        &president,
        &format!("{base}/attendance"),
        &fields,
        409,
    )
    .await;
    assert!(body.contains("pas encore eu lieu"), "{body}");
    set_day(&app, 2026, 12, 8);
    step(&app, &president, &format!("{base}/attendance"), &fields).await;
    // A référent and the AMOA read the séance.
    let referent = app.login(&referent_email(RONCHIN)).await;
    assert_eq!(referent.get(&base).await.status(), 200);
    assert_eq!(
        amoa.get(&format!("{base}/convocations.zip")).await.status(),
        200
    );
}
