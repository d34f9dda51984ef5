//! A published consultation lives (issue 17): the register of withdrawals, an extension of the
//! deadline announced to every candidate, and a modification of the DCE — refused on a frozen
//! DCE, opened with its reason and a later deadline, the pieces generated and visaed again by
//! every member, then announced to every candidate with the pieces changed and the deadline.

use crate::support::*;
use coordo::db::entities::{consultation, dce_modification, mail_message};
use coordo::demo::{Purchases, Stage};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn mails(app: &TestApp, kind: &str) -> Vec<mail_message::Model> {
    mail_message::Entity::find()
        .filter(mail_message::Column::Kind.eq(kind))
        .all(&app.state.db)
        .await
        .expect("mails")
}

async fn consultation(app: &TestApp, cid: i32) -> consultation::Model {
    consultation::Entity::find_by_id(cid)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("consultation")
}

/// The kinds whose newest version is above 1, from the pieces API.
async fn changed_kinds(c: &Client, gid: i32, cid: i32) -> Vec<coordo::docgen::DocKind> {
    let api: serde_json::Value = c
        .get(&format!(
            "/api/v1/groupements/{gid}/consultations/{cid}/pieces"
        ))
        .await
        .json()
        .await
        .expect("json");
    api.as_array()
        .expect("list")
        .iter()
        .filter(|p| p["versions"].as_array().is_some_and(|v| v.len() > 1))
        .map(|p| p["kind"].as_str().expect("kind").parse().expect("kind"))
        .collect()
}

/// The demo's software tender, published (its deadline ahead), the service's clock at now,
/// and two candidates inscribed in the register of withdrawals: (gid, cid, coordonnateur).
async fn published_with_two_candidates(app: &TestApp) -> (i32, i32, Client) {
    let gid = app.gid().await;
    let settings = coordo::config::Settings::for_test(&app.db_path, &app.mail_dir);
    let built = coordo::demo::run_with(settings, Stage::Publiee, Purchases::Convention)
        .await
        .expect("demo");
    let cid = built.consultations[1].id;
    app.state.clock.set(chrono::Utc::now());
    let coord = app.login(&coord_email()).await;
    let today = app.state.clock.today_paris().to_string();
    for (name, email) in [
        ("ALPHA LOGICIELS", "ao@alpha.example.org"),
        ("BÊTA SANTÉ NUMÉRIQUE", "marches@beta.example.org"),
    ] {
        let r = coord
            .post_form(
                &format!("/g/{gid}/consultations/{cid}/retraits"),
                &[("name", name), ("email", email), ("withdrawn_on", &today)],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    }
    (gid, cid, coord)
}

#[tokio::test]
async fn a_modified_dce_is_visaed_again_and_announced_to_every_candidate_with_the_new_deadline() {
    let app = TestApp::spawn().await;
    let (gid, cid, coord) = published_with_two_candidates(&app).await;
    let page = format!("/g/{gid}/consultations/{cid}/publiee");
    let referent = app.login(&referent_email(SANTELYS)).await;
    assert_eq!(referent.get(&page).await.status(), 403);
    assert_eq!(coord.get(&page).await.status(), 200);

    // The register of withdrawals: each address once.
    let today = app.state.clock.today_paris().to_string();
    let retraits = format!("/g/{gid}/consultations/{cid}/retraits");
    let r = coord
        .post_form(
            &retraits,
            &[
                ("name", "ALPHA"),
                ("email", "AO@alpha.example.org"),
                ("withdrawn_on", &today),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("page").contains("déjà inscrite"));

    // The DCE is frozen while no modification is open.
    let generate = format!("/g/{gid}/consultations/{cid}/pieces/generate-all");
    assert_eq!(coord.post_form(&generate, &[]).await.status(), 409);

    // Opening: a reason and a later deadline; the extension goes to both candidates at once.
    let c = consultation(&app, cid).await;
    let old = chrono::NaiveDateTime::parse_from_str(
        c.offers_deadline.as_deref().expect("deadline"),
        "%Y-%m-%dT%H:%M",
    )
    .expect("deadline");
    let later = (old + chrono::Duration::days(7))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let earlier = (old - chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let open = format!("/g/{gid}/consultations/{cid}/modification-dce");
    let why = "CCTP : ajout de l'exigence d'identifiant national de santé (INS) qualifié";
    let before = app.audit_count().await;
    for (motif, date) in [("trop court", later.as_str()), (why, earlier.as_str())] {
        let r = coord
            .post_form(&open, &[("motif", motif), ("date_limite", date)])
            .await;
        assert_eq!(r.status(), 409, "{motif} {date}");
    }
    assert_eq!(app.audit_count().await, before, "a refusal writes nothing");
    let r = coord
        .post_form(&open, &[("motif", why), ("date_limite", &later)])
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(
        consultation(&app, cid).await.offers_deadline.as_deref(),
        Some(later.as_str())
    );
    let ext = mails(&app, "prolongation_delai").await;
    assert_eq!(ext.len(), 2);
    assert!(
        ext.iter().all(|m| m.body_text.contains(why)),
        "{}",
        ext[0].body_text
    );
    let todo = coord
        .get(&format!("/g/{gid}/a-faire"))
        .await
        .text()
        .await
        .expect("page");
    assert!(todo.contains("Publier la modification du DCE"), "{todo}");
    // A second one cannot open while this one runs.
    let r = coord
        .post_form(&open, &[("motif", why), ("date_limite", &later)])
        .await;
    assert_eq!(r.status(), 409);

    // Nothing generated yet: nothing to announce.
    let publish = format!("/g/{gid}/consultations/{cid}/modification-dce/publier");
    let r = coord.post_form(&publish, &[]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.expect("page").contains("Aucune pièce"));
    // Generated again (the RC and the AE carry the new deadline): not announced before the visas.
    let r = coord.post_form(&generate, &[]).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let kinds = changed_kinds(&coord, gid, cid).await;
    assert!(kinds.contains(&coordo::docgen::DocKind::Rc), "{kinds:?}");
    let r = coord.post_form(&publish, &[]).await;
    assert_eq!(r.status(), 409);
    let page = r.text().await.expect("page");
    assert!(page.contains("visées par chaque membre"), "{page}");
    assert!(mails(&app, "modification_dce").await.is_empty());

    // Every member visas the new versions (the services the visa pages call).
    let people = coordo::demo::People::load(&app.state, gid)
        .await
        .expect("people");
    let now = app.state.clock.now();
    let round = coordo::visas::service::submit(
        &app.state.db,
        now,
        &people.coordonnateur.actor(),
        gid,
        cid,
        &kinds,
        app.state.clock.today_paris() + chrono::Duration::days(3),
        "http://localhost",
    )
    .await
    .expect("round");
    for m in &people.members {
        for p in &round.pieces {
            let input = coordo::visas::service::AnswerInput {
                piece_version_id: p.piece_version_id,
                member_id: None,
                decision: coordo::visas::rules::VisaDecision::Favorable,
                comment: None,
            };
            coordo::visas::service::answer(
                &app.state.db,
                now,
                &m.referent,
                gid,
                cid,
                round.round.id,
                &input,
                "http://localhost",
            )
            .await
            .expect("visa");
        }
    }

    // Published: both candidates told which pieces changed and the deadline, once.
    let r = coord.post_form(&publish, &[]).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let announced = mails(&app, "modification_dce").await;
    assert_eq!(announced.len(), 2);
    let body = &announced[0].body_text;
    assert!(
        body.contains("Règlement de la consultation (version 2)"),
        "{body}"
    );
    assert!(body.contains(why), "{body}");
    let c = consultation(&app, cid).await;
    let deadline = coordo::consultations::deadline::deadline_label(&c);
    assert!(body.contains(&deadline), "{deadline} / {body}");
    assert!(!c.dce_modification_open);
    let m = dce_modification::Entity::find()
        .filter(dce_modification::Column::ConsultationId.eq(cid))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("modification");
    assert_eq!(m.announced_to, Some(2));
    assert!(m.pieces.as_deref().is_some_and(|p| p.contains("\"rc\"")));
    // Frozen again, and the same publication cannot be sent twice.
    assert_eq!(coord.post_form(&generate, &[]).await.status(), 409);
    assert_eq!(coord.post_form(&publish, &[]).await.status(), 409);
    assert_eq!(mails(&app, "modification_dce").await.len(), 2);
}

#[tokio::test]
async fn an_answer_goes_to_every_candidate_without_its_author_and_in_time() {
    let app = TestApp::spawn().await;
    let (gid, cid, coord) = published_with_two_candidates(&app).await;
    let questions = format!("/g/{gid}/consultations/{cid}/questions");
    let r = coord
        .post_form(
            &questions,
            &[("asked_by", "ALPHA LOGICIELS"), ("text", "?")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let q = "Le BPU doit-il chiffrer la reprise des dossiers papier ?";
    let r = coord
        .post_form(&questions, &[("asked_by", "ALPHA LOGICIELS"), ("text", q)])
        .await;
    assert_eq!(r.status(), 303);
    let qid = coordo::consultations::questions::list(&app.state.db, cid)
        .await
        .expect("questions")[0]
        .id;
    let reply = format!("/g/{gid}/consultations/{cid}/questions/{qid}/reponse");
    let a = "Oui : une ligne « Reprise des données » est prévue au BPU, au forfait.";
    let r = coord.post_form(&reply, &[("answer", a)]).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let sent = mails(&app, "reponse_question").await;
    assert_eq!(sent.len(), 2, "every candidate, the author included");
    for m in &sent {
        assert!(
            m.body_text.contains(q) && m.body_text.contains(a),
            "{}",
            m.body_text
        );
        assert!(
            !m.body_text.contains("ALPHA"),
            "the author is not named: {}",
            m.body_text
        );
    }
    let journal = coordo::db::entities::audit_entry::Entity::find()
        .filter(coordo::db::entities::audit_entry::Column::Action.like("consultation.question%"))
        .all(&app.state.db)
        .await
        .expect("journal");
    assert_eq!(journal.len(), 2);
    assert!(journal.iter().all(|e| !e.summary.contains("ALPHA")));
    // Answered once: a second answer is refused and nothing more is sent.
    assert_eq!(
        coord.post_form(&reply, &[("answer", a)]).await.status(),
        409
    );
    assert_eq!(mails(&app, "reponse_question").await.len(), 2);

    // Three days before the deadline, past the six days of R2132-6: refused until the
    // deadline is extended.
    let c = consultation(&app, cid).await;
    let deadline = coordo::consultations::deadline::deadline_utc(&c).expect("deadline");
    app.state.clock.set(deadline - chrono::Duration::days(3));
    let r = coord
        .post_form(
            &questions,
            &[
                ("asked_by", "BÊTA SANTÉ NUMÉRIQUE"),
                ("text", "Faut-il un DUME ?"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let late = coordo::consultations::questions::list(&app.state.db, cid)
        .await
        .expect("questions")[1]
        .id;
    let reply = format!("/g/{gid}/consultations/{cid}/questions/{late}/reponse");
    // The coordonnateur's to-do names it, with its basis.
    let todo = coord
        .get(&format!("/g/{gid}/a-faire"))
        .await
        .text()
        .await
        .expect("page");
    assert!(todo.contains("Répondre à la question n° 2"), "{todo}");
    let r = coord
        .post_form(&reply, &[("answer", "Le DUME est accepté.")])
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.expect("page").contains("R2132-6"));
    let later = (deadline + chrono::Duration::days(14))
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let r = coord
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/prolongation"),
            &[
                ("date_limite", &later),
                (
                    "motif",
                    "réponse tardive à une question d'un candidat (R2151-4 1°)",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = coord
        .post_form(&reply, &[("answer", "Le DUME est accepté.")])
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(mails(&app, "reponse_question").await.len(), 4);
}

#[tokio::test]
async fn the_platforms_register_of_withdrawals_is_imported_once_with_its_errors_by_line() {
    let app = TestApp::spawn().await;
    let (gid, cid, coord) = published_with_two_candidates(&app).await;
    let import = format!("/g/{gid}/consultations/{cid}/retraits/import");
    let today = app.state.clock.today_paris().format("%d/%m/%Y").to_string();
    let before = app.audit_count().await;
    let bad = "Entreprise;Adresse électronique;Date de retrait\nDELTA;pas-une-adresse;\n;epsilon@example.org;lundi\n";
    let r = coord
        .post_file(&import, "fichier", "retraits.csv", bad.as_bytes())
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("page");
    for m in [
        "Ligne 2, colonne « Courriel »",
        "Ligne 3, colonne « Raison sociale »",
        "Ligne 3, colonne « Date de retrait »",
    ] {
        assert!(body.contains(m), "{m}: {body}");
    }
    assert_eq!(app.audit_count().await, before, "nothing written");
    // One address already inscribed (another case), one new: one inscription, journaled.
    let good = format!(
        "Entreprise;Adresse électronique;Date de retrait\nALPHA LOGICIELS;AO@ALPHA.example.org;{today}\nDELTA SOINS;delta@example.org;{today}\n"
    );
    let r = coord
        .post_file(&import, "fichier", "retraits.csv", good.as_bytes())
        .await;
    assert_eq!(r.status(), 303);
    let rows = coordo::consultations::candidates::retraits(&app.state.db, cid)
        .await
        .expect("retraits");
    assert_eq!(rows.len(), 3);
    assert_eq!(app.audit_count().await, before + 1);
    // The same register again changes nothing.
    let r = coord
        .post_file(&import, "fichier", "retraits.csv", good.as_bytes())
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 1);
    let page = coord
        .get(&format!("/g/{gid}/consultations/{cid}/publiee"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Aucun nouveau retrait") && page.contains("DELTA SOINS"),
        "{page}"
    );
}
