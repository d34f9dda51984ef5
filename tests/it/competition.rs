//! Issue 15, item 4: the coordonnateur can no longer reshape a competition. Each attack is
//! replayed against the real server (and the real `coordo` binary for the journal) and refused.

use crate::offers::{
    S_ALPHA, S_BETA, S_GAMMA, add_pli, api, exam, offres, pli_id, plis, price, publish_fixture,
    receive_pli, set_grid, set_status_fixture, tender, utc,
};
use crate::support::*;
use coordo::db::entities::{audit_entry, mail_message, pli};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

async fn text(r: reqwest::Response) -> String {
    r.text().await.expect("body")
}

async fn entries(app: &TestApp, action: &str) -> Vec<audit_entry::Model> {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq(action))
        .all(&app.state.db)
        .await
        .expect("entries")
}

async fn pli_row(app: &TestApp, id: &str) -> pli::Model {
    pli::Entity::find_by_id(id.parse::<i32>().expect("id"))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("pli")
}

#[tokio::test]
async fn plis_only_on_a_published_consultation_and_at_the_systems_time() {
    let app = TestApp::spawn().await;
    let coord = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = crate::consultations::software_tender(&app, &coord).await;
    app.state.clock.set(utc(2027, 1, 14, 9, 0, 0));
    // Attack: a pli registered on a draft.
    let before = app.audit_count().await;
    let r = receive_pli(&coord, gid, cid, "ALPHA", S_ALPHA).await;
    assert_eq!(r.status(), 409);
    assert!(text(r).await.contains("R2132-2"));
    assert_eq!(app.audit_count().await, before, "nothing written");

    publish_fixture(&app, cid).await;
    assert_eq!(
        receive_pli(&coord, gid, cid, "ALPHA", S_ALPHA)
            .await
            .status(),
        303
    );
    // Attack: a reception time typed in the past, without the platform's receipt.
    let r = coord
        .post_form(
            &format!("{}/plis", offres(gid, cid)),
            &[
                ("bidder_name", "BETA"),
                ("siret", S_BETA),
                ("address", "1 rue de Lille, 59000 Lille"),
                ("contact_email", "beta@exemple.fr"),
                ("received_at", "2027-01-10T09:00"),
                ("channel", "papier"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("accusé de réception"));
    // A pli transcribed from the platform keeps the platform's time, with its receipt, and the
    // time of the transcription beside it.
    assert_eq!(
        add_pli(&coord, gid, cid, "BETA", S_BETA, "2027-01-13T16:00")
            .await
            .status(),
        303
    );
    let rows = coordo::offers::register::list(&app.state.db, cid)
        .await
        .expect("plis");
    assert_eq!(
        rows[0].received_at,
        utc(2027, 1, 13, 15, 0, 0),
        "platform time"
    );
    assert_eq!(
        rows[0].platform_receipt.as_deref(),
        Some("AR-BETA-2027-01-13T16:00")
    );
    assert_eq!(rows[0].entered_at, Some(utc(2027, 1, 14, 9, 0, 0)));
    assert_eq!(
        rows[1].received_at,
        utc(2027, 1, 14, 9, 0, 0),
        "system time"
    );
    assert_eq!(rows[1].platform_receipt, None);
    // After the deadline: registered, hors délai, at the system's time.
    app.state.clock.set(utc(2027, 1, 15, 11, 0, 1));
    assert_eq!(
        receive_pli(&coord, gid, cid, "GAMMA", S_GAMMA)
            .await
            .status(),
        303
    );
    let late = coordo::offers::register::list(&app.state.db, cid)
        .await
        .expect("plis")
        .into_iter()
        .find(|p| p.siret == S_GAMMA)
        .expect("gamma");
    assert!(late.hors_delai);
    // Attack: a pli registered on a sans-suite consultation.
    set_status_fixture(&app, cid, "sans_suite").await;
    let r = receive_pli(&coord, gid, cid, "DELTA", crate::offers::S_DELTA).await;
    assert_eq!(r.status(), 409);
    assert!(
        text(r)
            .await
            .contains("aucun pli ne peut plus être enregistré")
    );
}

#[tokio::test]
async fn the_deadline_moves_only_later_before_it_passes_with_a_reason() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = tender(&app).await;
    app.state.clock.set(utc(2027, 1, 14, 9, 0, 0));
    assert_eq!(
        receive_pli(&coord, gid, cid, "ALPHA", S_ALPHA)
            .await
            .status(),
        303
    );
    let ext = format!("/api/v1/groupements/{gid}/consultations/{cid}/prolongation");
    let why = "CCTP modifié : nouvelle annexe d'interopérabilité (R2151-4)";
    // Attack: the deadline moved back to unseal the prices.
    let r = coord
        .post_json(
            &ext,
            &json!({"date_limite": "2027-01-14T09:30", "motif": why}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(text(r).await.contains("jamais"));
    assert_eq!(
        coord.get(&api(gid, cid)).await.status(),
        409,
        "still sealed"
    );
    // The consultation's form no longer moves it after publication.
    let mut form = crate::consultations::software_form();
    form.retain(|(k, _)| *k != "offers_deadline_date");
    form.push(("offers_deadline_date", "2027-01-13"));
    let r = coord
        .post_form(&format!("/g/{gid}/consultations/{cid}"), &form)
        .await;
    assert_eq!(r.status(), 409);
    // Without a reason: refused.
    let r = coord
        .post_json(
            &ext,
            &json!({"date_limite": "2027-01-22T12:00", "motif": ""}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // A formal extension, later, before the deadline, with its reason: journaled.
    let r = coord
        .post_json(
            &ext,
            &json!({"date_limite": "2027-01-22T12:00", "motif": why}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", text(r).await);
    let e = entries(&app, "consultation.prolongation_delai").await;
    assert_eq!(e.len(), 1);
    assert!(e[0].summary.contains("R2151-4"));
    // Announced to the one candidate known (the tenderer ALPHA), by an email of its own.
    assert!(
        e[0].summary.contains("\"annonce_aux_candidats\":1"),
        "{}",
        e[0].summary
    );
    let mails = mail_message::Entity::find()
        .filter(mail_message::Column::Kind.eq("prolongation_delai"))
        .all(&app.state.db)
        .await
        .expect("mails");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to_addr, "offres@exemple.fr");
    assert!(
        mails[0].body_text.contains("22 janvier 2027 à 12 h 00"),
        "{}",
        mails[0].body_text
    );
    // The old deadline has passed but the new one not: still sealed.
    app.state.clock.set(utc(2027, 1, 16, 9, 0, 0));
    assert_eq!(coord.get(&api(gid, cid)).await.status(), 409);
    // Once passed, never again (the plis are opened).
    app.state.clock.set(utc(2027, 1, 22, 11, 0, 0));
    let r = coord
        .post_json(
            &ext,
            &json!({"date_limite": "2027-01-29T12:00", "motif": why}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(text(r).await.contains("R2143-2"));
}

/// ALPHA 100 000 €, BETA 120 000 € on a price-only grid, opened and admitted.
async fn priced(app: &TestApp) -> (Client, i32, i32, String, String) {
    let (coord, gid, cid) = tender(app).await;
    let grid = json!([{"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": "proportional"}]);
    assert_eq!(set_grid(app, &coord, gid, cid, grid).await.status(), 200);
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    for (n, s) in [("ALPHA", S_ALPHA), ("BETA", S_BETA)] {
        assert_eq!(receive_pli(&coord, gid, cid, n, s).await.status(), 303);
    }
    app.state.clock.set(utc(2027, 1, 18, 9, 0, 0));
    let list = plis(&coord, gid, cid).await;
    let (a, b) = (pli_id(&list, "ALPHA"), pli_id(&list, "BETA"));
    for (id, p) in [(&a, "100000"), (&b, "120000")] {
        assert_eq!(price(&coord, gid, cid, id, p).await, 303);
        assert_eq!(exam(&coord, gid, cid, id, "admissible", "").await, 303);
    }
    (coord, gid, cid, a, b)
}

#[tokio::test]
async fn a_price_is_locked_and_rectified_only_with_a_reason_journaled_and_notified() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid, alpha, _beta) = priced(&app).await;
    // Attack: the price changed after the opening record.
    let r = coord
        .post_form(
            &format!("{}/plis/{alpha}/prix", offres(gid, cid)),
            &[("price_ht", "150000")],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(text(r).await.contains("rectification d"));
    assert_eq!(
        pli_row(&app, &alpha).await.price_ht.as_deref(),
        Some("100000")
    );
    let rect = format!("{}/plis/{alpha}/rectification", api(gid, cid));
    let r = coord
        .post_json(&rect, &json!({"prix_ht": "150000", "motif": "erreur"}))
        .await;
    assert_eq!(r.status(), 422);
    let cao_accounts = coordo::db::entities::app_user::Entity::find()
        .filter(coordo::db::entities::app_user::Column::Role.eq("cao"))
        .count(&app.state.db)
        .await
        .expect("count");
    let why = "chiffres inversés à la saisie : l'acte d'engagement porte 105 000,00 € HT";
    let r = coord
        .post_json(&rect, &json!({"prix_ht": "105000", "motif": why}))
        .await;
    assert_eq!(r.status(), 200, "{}", text(r).await);
    let e = entries(&app, "offres.prix_rectifie").await;
    assert_eq!(e.len(), 1);
    assert!(
        e[0].summary.contains("chiffres inversés")
            && e[0].summary.contains("\"before\":\"100000\"")
    );
    let mails = mail_message::Entity::find()
        .filter(mail_message::Column::Kind.eq("offres_rectification_prix"))
        .count(&app.state.db)
        .await
        .expect("mails");
    assert_eq!(mails, cao_accounts, "every member of the CAO is told");
    let ok = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert!(ok.status.success(), "{}", stderr(&ok));

    // Attack: the price changed directly in its table (no journal entry).
    let raw = Database::connect(format!("sqlite://{}", app.db_path.display()))
        .await
        .expect("raw");
    raw.execute_unprepared(&format!(
        "UPDATE pli SET price_ht = '85000' WHERE id = {alpha}"
    ))
    .await
    .expect("tamper");
    let out = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(&format!("le prix du pli n° {alpha}")),
        "{}",
        stderr(&out)
    );
}

fn note_body(plis: &[(&str, [&str; 2])], who: &str) -> Value {
    let mut out = Vec::new();
    for (pli, [tech, env]) in plis {
        for (crit, n) in [("tech", tech), ("env", env)] {
            out.push(
                json!({"offre": pli.parse::<i32>().expect("id"), "critere": crit, "note": n,
                "justification": format!("{who} : {crit} de l'offre {pli}")}),
            );
        }
    }
    json!({ "notes": out })
}

#[tokio::test]
async fn only_seated_members_score_once_per_member_and_a_deport_skips_the_bidder() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = tender(&app).await;
    let grid = json!([
        {"id": "tech", "label": "Valeur technique", "weight": "60", "kind": "evaluated", "scale": "20"},
        {"id": "prix", "label": "Prix", "weight": "30", "kind": "price", "formula": "proportional"},
        {"id": "env", "label": "Environnement", "weight": "10", "kind": "evaluated", "scale": "10", "environmental": true}
    ]);
    assert_eq!(set_grid(&app, &coord, gid, cid, grid).await.status(), 200);
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    for (n, s) in [("ALPHA", S_ALPHA), ("BETA", S_BETA)] {
        assert_eq!(receive_pli(&coord, gid, cid, n, s).await.status(), 303);
    }
    app.state.clock.set(utc(2027, 1, 18, 9, 0, 0));
    let list = plis(&coord, gid, cid).await;
    let (a, b) = (pli_id(&list, "ALPHA"), pli_id(&list, "BETA"));
    for (id, p) in [(&a, "100000"), (&b, "120000")] {
        assert_eq!(price(&coord, gid, cid, id, p).await, 303);
        assert_eq!(exam(&coord, gid, cid, id, "admissible", "").await, 303);
    }
    let notes = format!("{}/notes", api(gid, cid));

    // Attack: a CAO account created without any mandate scores.
    let new = coordo::auth::users::NewUser {
        email: "cao.sans.mandat@exemple.fr".into(),
        display_name: "Sans mandat".into(),
        role: coordo::auth::Role::Cao,
        groupement_id: gid,
        member_id: Some(app.member_id(SANTELYS).await),
        cao_seat: Some(coordo::auth::CaoSeat::Titulaire),
        password: PASSWORD.into(),
    };
    coordo::auth::users::create(
        &app.state.db,
        app.state.clock.now(),
        &coordo::audit::Actor::cli(),
        &new,
    )
    .await
    .expect("account");
    let intruder = app.login("cao.sans.mandat@exemple.fr").await;
    let r = intruder
        .post_json(
            &notes,
            &note_body(&[(&a, ["2", "1"]), (&b, ["20", "10"])], "X"),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(text(r).await.contains("aucun siège"));

    // Attack: a second président.
    let second = coordo::auth::users::NewUser {
        email: "second.president@exemple.fr".into(),
        display_name: "Second président".into(),
        cao_seat: Some(coordo::auth::CaoSeat::President),
        ..new
    };
    let e = coordo::auth::users::create(
        &app.state.db,
        app.state.clock.now(),
        &coordo::audit::Actor::cli(),
        &second,
    )
    .await
    .expect_err("second président");
    assert!(e.message().contains("déjà un président"), "{}", e.message());

    // One voice per member: the suppléant does not score beside its titulaire.
    let e1 = app.login(&cao_email("titulaire", SANTELYS)).await;
    let r = e1
        .post_json(
            &notes,
            &note_body(&[(&a, ["15", "6"]), (&b, ["12", "5"])], "E1"),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", text(r).await);
    let sup = app.login(&cao_email("suppleant", SANTELYS)).await;
    let r = sup
        .post_json(
            &notes,
            &note_body(&[(&a, ["1", "1"]), (&b, ["20", "10"])], "S"),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(text(r).await.contains("qu'une voix"));

    // A member with a declared conflict with BETA does not score BETA (déport, journaled).
    let e2 = app.login(&cao_email("titulaire", RONCHIN)).await;
    let r = e2
        .post_json(
            &format!("{}/conflits", api(gid, cid)),
            &json!({"offre": b.parse::<i32>().expect("id"), "motif": "ancien salarié de BETA"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", text(r).await);
    assert_eq!(entries(&app, "offres.deport").await.len(), 1);
    let r = e2
        .post_json(&notes, &note_body(&[(&b, ["20", "10"])], "E2"))
        .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("déporté"));
    let r = e2
        .post_json(&notes, &note_body(&[(&a, ["14", "7"])], "E2"))
        .await;
    assert_eq!(r.status(), 200, "{}", text(r).await);
    // Before the ranking: the coordonnateur sees no individual note.
    let e1_id = app.user_row(&cao_email("titulaire", SANTELYS)).await.id;
    let v: Value = coord.get(&notes).await.json().await.expect("json");
    assert_eq!(v["notes"].as_array().map(Vec::len), Some(0), "{v}");
    assert_eq!(
        coord
            .get(&format!("{notes}?evaluateur={e1_id}"))
            .await
            .status(),
        403
    );
    let pres = app.login(&cao_email("titulaire", COORD_FINESS)).await;
    let r = pres
        .post_json(
            &notes,
            &note_body(&[(&a, ["16", "8"]), (&b, ["10", "4"])], "P"),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", text(r).await);
    for c in [&e1, &e2, &pres] {
        let r = c.post_json(&format!("{notes}/remise"), &json!({})).await;
        assert_eq!(r.status(), 200, "{}", text(r).await);
    }
    let ranking = format!("{}/classement", api(gid, cid));
    let r = coord.get(&ranking).await;
    assert_eq!(r.status(), 200, "the ranking opens: {}", text(r).await);
    // A member in conflict with both bidders declares it after the ranking opened: the
    // déports are recorded, the member cannot score, and the ranking is not re-locked.
    let others: Vec<String> = coordo::registry::service::members(&app.state.db, gid)
        .await
        .expect("members")
        .into_iter()
        .map(|m| m.member.finess_juridique)
        .filter(|f| ![SANTELYS, RONCHIN, COORD_FINESS].contains(&f.as_str()))
        .collect();
    let late = app.login(&cao_email("titulaire", &others[0])).await;
    for id in [&a, &b] {
        let r = late
            .post_json(
                &format!("{}/conflits", api(gid, cid)),
                &json!({"offre": id.parse::<i32>().expect("id"), "motif": "conjoint actionnaire"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", text(r).await);
    }
    let r = late
        .post_json(
            &notes,
            &note_body(&[(&a, ["1", "1"]), (&b, ["20", "10"])], "L"),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("déporté"));
    assert_eq!(coord.get(&ranking).await.status(), 200, "not re-locked");
    // The déport is shown; the journal still verifies (notes and déport hashed).
    let v: Value = coord.get(&notes).await.json().await.expect("json");
    assert_eq!(v["deports"].as_array().map(Vec::len), Some(3), "{v}");
    // Once the ranking is open, the coordonnateur sees each member's notes (decision: they
    // justify the choice in the rapport d'analyse and the NOTI3, R2181-3, R2184-2).
    assert!(v["notes"].as_array().is_some_and(|n| n.len() >= 6), "{v}");
    let ok = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert!(ok.status.success(), "{}", stderr(&ok));

    // Attack: a note changed directly in its table, to flip the ranking.
    let n = coordo::db::entities::evaluator_note::Entity::find()
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("a note");
    let raw = Database::connect(format!("sqlite://{}", app.db_path.display()))
        .await
        .expect("raw");
    raw.execute_unprepared(&format!(
        "UPDATE evaluator_note SET note = '0' WHERE id = {}",
        n.id
    ))
    .await
    .expect("tamper");
    let out = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("les notes de la feuille"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn bidders_stay_anonymous_in_the_journal_page_and_the_archive_while_sealed() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = tender(&app).await;
    app.state.clock.set(utc(2027, 1, 14, 9, 0, 0));
    assert_eq!(
        receive_pli(&coord, gid, cid, "ALPHA SANTÉ", S_ALPHA)
            .await
            .status(),
        303
    );
    let page = text(coord.get(&format!("/g/{gid}/journal")).await).await;
    assert!(page.contains("offres.pli_enregistre"), "{page}");
    // In people's words and Paris time.
    assert!(page.contains("Offres : pli enregistré"), "{page}");
    assert!(
        page.contains("Date (heure de Paris)") && page.contains("14 janvier 2027 à 10 h 00"),
        "{page}"
    );
    assert!(!page.contains("ALPHA") && !page.contains(S_ALPHA), "{page}");
    let r = coord
        .get(&format!("/g/{gid}/consultations/{cid}/archive.zip"))
        .await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("zip").to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut content).expect("read");
        let t = String::from_utf8_lossy(&content);
        assert!(
            !t.contains("ALPHA") && !t.contains(S_ALPHA),
            "{:?} names the bidder",
            f.name()
        );
    }
}
