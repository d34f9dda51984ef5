//! From the decision to the notification through HTTP, with a real SMTP server: the CAO's
//! deliberation, the NOTI1 and the cascade after a failure (R2144-7), the NOTI3 with its
//! mentions read back from the DOCX, the standstill (signature refused on its last day,
//! accepted the day after), the members' validations, the NOTI5 and its one-time link, the
//! avis, the contractual pieces to every member; an SMTP server down during the batch.

use crate::cao::MEMBERS;
use crate::mail::{SmtpServer, smtp_mailer};
use crate::offers::{S_ALPHA, S_BETA, S_GAMMA, offres, set_criteria, utc};
use crate::support::*;
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::json;
use std::net::TcpListener;

struct Scene {
    app: TestApp,
    coord: Client,
    gid: i32,
    cid: i32,
    alpha: String,
    beta: String,
}

fn page(gid: i32, cid: i32) -> String {
    format!("/g/{gid}/consultations/{cid}/attribution")
}

async fn add(c: &Client, gid: i32, cid: i32, name: &str, siret: &str, email: &str) {
    let r = c
        .post_form(
            &format!("{}/plis", offres(gid, cid)),
            &[
                ("bidder_name", name),
                ("siret", siret),
                ("address", "12 rue Nationale, 59000 Lille"),
                ("contact_email", email),
                ("received_at", "2027-01-14T16:00"),
                ("channel", "profil_acheteur"),
                ("platform_receipt", &format!("AR-{name}")),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
}

/// The software tender with its DCE, a price-only grid, three plis (GAMMA irregular), in
/// analysis, and the CAO's adopted deliberation on it.
async fn scene() -> Scene {
    scene_with(None, true).await
}

/// As [`scene`], with every member's need set to `need` (a smaller amount makes a MAPA) and
/// with or without the CAO's deliberation.
async fn scene_with(need: Option<&str>, cao: bool) -> Scene {
    let app = TestApp::spawn().await;
    let coord = app.login(&coord_email()).await;
    let (gid, cid) = crate::pieces::ready_tender(&app, &coord).await;
    if let Some(amount) = need {
        let lot = lot_id(&app).await;
        for m in coordo::registry::service::members(&app.state.db, gid)
            .await
            .expect("members")
        {
            let mid = m.member.id.to_string();
            let r = coord
                .post_form(
                    &format!("/g/{gid}/consultations/{cid}/needs"),
                    &[("lot_id", &lot), ("member_id", &mid), ("amount_ht", amount)],
                )
                .await;
            assert_eq!(r.status(), 303);
        }
    }
    if need.is_none() {
        // The RC template is written for the appel d'offres ouvert: a MAPA goes without DCE here.
        let r = coord
            .post_form(
                &format!("/g/{gid}/consultations/{cid}/pieces/generate-all"),
                &[],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    }
    let r = set_criteria(&coord, gid, cid, json!([
        {"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": "proportional"}
    ]))
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    // Fixture: published (see below; plis are registered only on a published consultation).
    crate::offers::publish_fixture(&app, cid).await;
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    add(&coord, gid, cid, "ALPHA", S_ALPHA, "alpha@exemple.fr").await;
    add(&coord, gid, cid, "BETA", S_BETA, "beta@exemple.fr").await;
    add(&coord, gid, cid, "GAMMA", S_GAMMA, "gamma@exemple.fr").await;
    app.state.clock.set(utc(2027, 1, 18, 9, 0, 0));
    let (alpha, beta, _gamma) = crate::offers::price_and_examine(
        &coord,
        gid,
        cid,
        "le bordereau des prix n'est pas rempli",
    )
    .await;
    // Fixture: the publication path (visas, publication, closing of the remise) is driven
    // through the pages by the browser journey; here the consultation is put in analysis.
    {
        use coordo::db::entities::consultation;
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let c = consultation::Entity::find_by_id(cid)
            .one(&app.state.db)
            .await
            .expect("q")
            .expect("c");
        let mut a: consultation::ActiveModel = c.into();
        a.status = Set("analyse".into());
        a.update(&app.state.db).await.expect("update");
    }
    if cao {
        // The CAO meets on 26 January 2027 (convened on the 20th) and adopts the proposal.
        crate::cao::adopts_the_award(&app, &coord, cid).await;
    }
    Scene {
        app,
        coord,
        gid,
        cid,
        alpha,
        beta,
    }
}

async fn lot_id(app: &TestApp) -> String {
    use coordo::db::entities::lot;
    use sea_orm::EntityTrait;
    lot::Entity::find().all(&app.state.db).await.expect("lots")[0]
        .id
        .to_string()
}

async fn text(r: reqwest::Response) -> String {
    r.text().await.expect("body")
}

async fn letters(app: &TestApp, kind: &str) -> Vec<coordo::db::entities::letter::Model> {
    use coordo::db::entities::letter;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    letter::Entity::find()
        .filter(letter::Column::Kind.eq(kind))
        .all(&app.state.db)
        .await
        .expect("letters")
}

async fn status(app: &TestApp, cid: i32) -> String {
    use coordo::db::entities::consultation;
    use sea_orm::EntityTrait;
    consultation::Entity::find_by_id(cid)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("c")
        .status
}

#[tokio::test]
#[allow(clippy::too_many_lines)]
async fn from_the_decision_to_the_acknowledged_notification() {
    let Scene {
        app,
        coord,
        gid,
        cid,
        alpha,
        beta,
    } = scene().await;
    let url = page(gid, cid);
    let lot = lot_id(&app).await;
    app.state.clock.set(utc(2027, 1, 27, 9, 0, 0));
    let decide = |pli: String, deadline: &'static str| {
        let lot = lot.clone();
        let coord = &coord;
        let url = url.clone();
        async move {
            coord
                .post_form(
                    &format!("{url}/decider"),
                    &[
                        ("lot_id", &lot),
                        ("pli_id", &pli),
                        (
                            "reasons",
                            "offre économiquement la plus avantageuse, la moins disante",
                        ),
                        ("deadline", deadline),
                    ],
                )
                .await
        }
    };
    // Not the best-ranked: refused in French, nothing written.
    let before = app.audit_count().await;
    let r = decide(beta.clone(), "2027-02-03T12:00").await;
    assert_eq!(r.status(), 409);
    assert!(
        text(r)
            .await
            .contains("offre économiquement la plus avantageuse")
    );
    assert_eq!(app.audit_count().await, before);
    // A deadline in the past is refused.
    assert_eq!(
        decide(alpha.clone(), "2027-01-20T12:00").await.status(),
        422
    );
    // ALPHA, ranked first: NOTI1 sent, the consultation moves on.
    let r = decide(alpha.clone(), "2027-02-03T12:00").await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    assert_eq!(status(&app, cid).await, "attribution_decidee");
    let noti1 = letters(&app, "noti1").await;
    assert_eq!(noti1.len(), 1);
    assert_eq!(noti1[0].recipient_email, "alpha@exemple.fr");
    let t = docx_text::open(&noti1[0].docx).document_text();
    assert!(
        t.contains("ALPHA") && t.contains("attestation de vigilance"),
        "{t}"
    );
    // ALPHA does not produce its certificates: failure refused before the deadline, then
    // accepted; the lot goes to BETA, ranked second (R2144-7).
    let aid = {
        use coordo::db::entities::attribution;
        use sea_orm::EntityTrait;
        attribution::Entity::find()
            .all(&app.state.db)
            .await
            .expect("a")[0]
            .id
    };
    let r = coord
        .post_form(&format!("{url}/{aid}/defaillance"), &[])
        .await;
    assert_eq!(r.status(), 409);
    assert!(text(r).await.contains("R2144-7"));
    app.state.clock.set(utc(2027, 2, 3, 12, 30, 0));
    assert_eq!(
        coord
            .post_form(&format!("{url}/{aid}/defaillance"), &[])
            .await
            .status(),
        303
    );
    let r = decide(beta.clone(), "2027-02-08T12:00").await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    let beta_attempt = {
        use coordo::db::entities::attribution;
        use sea_orm::EntityTrait;
        attribution::Entity::find()
            .all(&app.state.db)
            .await
            .expect("a")[1]
            .clone()
    };
    assert_eq!(beta_attempt.attempt, 2);
    // Rejections are refused while BETA's certificates are missing.
    let r = coord
        .post_form(&format!("{url}/rejets"), &[("mode", "electronique")])
        .await;
    assert_eq!(r.status(), 409);
    let r = coord
        .post_form(
            &format!("{url}/{}/pieces", beta_attempt.id),
            &[("index", "toutes"), ("received_on", "2027-02-03")],
        )
        .await;
    assert_eq!(r.status(), 303);
    // NOTI3 to ALPHA (failed) and GAMMA (irregular), electronic: 11 days from 3 February.
    let r = coord
        .post_form(&format!("{url}/rejets"), &[("mode", "electronique")])
        .await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    assert_eq!(status(&app, cid).await, "suspension");
    let noti3 = letters(&app, "noti3").await;
    let mut names: Vec<&str> = noti3.iter().map(|l| l.recipient_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["ALPHA", "GAMMA"]);
    for l in &noti3 {
        let t = docx_text::open(&l.docx).document_text();
        assert!(t.contains("Nom de l'attributaire : BETA"), "{t}");
        assert!(t.contains("13 février 2027"), "standstill end: {t}");
        assert!(t.contains("14 février 2027"), "signature from: {t}");
        assert!(
            t.contains("voies de recours") || t.contains("Voies de recours"),
            "{t}"
        );
    }
    // Each letter names the channel actually used (e-mail to its address), the remedies with
    // their articles, and, for a ranked offer only (R2181-4), whom to ask for the
    // characteristics and relative advantages of the chosen offer.
    for l in &noti3 {
        let t = docx_text::open(&l.docx).document_text();
        let to = format!("par courriel à l'adresse {}", l.recipient_email);
        assert!(t.contains(&to), "{to}: {t}");
        assert!(!t.contains("profil d'acheteur"), "{t}");
        for m in [
            "L551-1",
            "L551-13",
            "R551-7",
            "n° 358994",
            "Tribunal administratif",
        ] {
            assert!(t.contains(m), "{m}: {t}");
        }
        assert!(
            !t.contains("actes détachables"),
            "no REP for a concurrent évincé: {t}"
        );
    }
    let advantages = |name: &str| {
        let l = noti3
            .iter()
            .find(|l| l.recipient_name == name)
            .expect("letter");
        docx_text::open(&l.docx).document_text()
    };
    let alpha_text = advantages("ALPHA");
    assert!(
        alpha_text.contains("avantages relatifs de l'offre retenue"),
        "{alpha_text}"
    );
    assert!(alpha_text.contains("R2181-4"), "{alpha_text}");
    assert!(
        alpha_text.contains("Adressez votre demande au service des marchés du")
            && alpha_text
                .contains("courriel marches@ccas-wattrelos.example, téléphone 03 20 00 00 00"),
        "the buyer's contact: {alpha_text}"
    );
    let gamma_text = advantages("GAMMA");
    assert!(
        !gamma_text.contains("R2181-4"),
        "an irregular offer has no R2181-4 request: {gamma_text}"
    );
    assert!(
        gamma_text.contains("courriel marches@ccas-wattrelos.example"),
        "{gamma_text}"
    );
    // The PV d'ouverture des plis: every pli, its lot, its time of receipt, in time, and who
    // opened it and when (the first examination in the journal, 18 January 10 h 00 Paris).
    let r = coord
        .get(&format!(
            "/g/{gid}/consultations/{cid}/offres/pv-ouverture.docx"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let pv = docx_text::open(&r.bytes().await.expect("docx"));
    let register = pv
        .tables()
        .into_iter()
        .find(|t| t.rows[0].iter().any(|c| c == "Ouverture"))
        .expect("register of the plis");
    assert_eq!(
        register.rows.len(),
        4,
        "header + 3 plis: {:?}",
        register.rows
    );
    for (row, name) in register.rows[1..].iter().zip(["ALPHA", "BETA", "GAMMA"]) {
        assert!(row[1].starts_with(&format!("{name}, SIRET ")), "{row:?}");
        assert!(row[3].contains("14 janvier 2027 à 16 h 00"), "{row:?}");
        assert_eq!(row[4], "dans le délai");
        assert!(
            row[5].starts_with("ouvert le 18 janvier 2027 à 10 h 00 par ")
                && row[5].contains(&coord_email()),
            "{row:?}"
        );
    }
    let pv_text = pv.document_text();
    assert!(
        pv_text.contains("15 janvier 2027 à 12 h 00"),
        "deadline: {pv_text}"
    );
    assert!(
        pv_text.contains("R2151-5") && pv_text.contains("R2151-6"),
        "{pv_text}"
    );
    // The rapport de présentation (R2184-2): the attributaire and why, the offers rejected and
    // why, the candidates admitted.
    let r = coord
        .get(&format!(
            "/g/{gid}/consultations/{cid}/attribution/rapport-presentation.docx"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let rp = docx_text::open(&r.bytes().await.expect("docx")).document_text();
    for needle in [
        "R2184-1 à R2184-3",
        "R2184-2 1°",
        "appel d'offres ouvert",
        "Attributaire et motifs du choix de son offre (R2184-2 5°) : BETA",
        "ALPHA : attributaire pressenti défaillant (article R2144-7)",
        "GAMMA : offre irrégulière (L2152-2)",
        "bordereau des prix n'est pas rempli",
        "choisi par la commission d'appel d'offres du groupement",
        "R2184-3 6°",
    ] {
        assert!(rp.contains(needle), "« {needle} » missing: {rp}");
    }
    assert_eq!(
        app.login(&referent_email(SANTELYS))
            .await
            .get(&format!(
                "/g/{gid}/consultations/{cid}/attribution/rapport-presentation.docx"
            ))
            .await
            .status(),
        403
    );
    let gamma = noti3
        .iter()
        .find(|l| l.recipient_name == "GAMMA")
        .expect("gamma");
    assert!(
        docx_text::open(&gamma.docx)
            .document_text()
            .contains("bordereau des prix n'est pas rempli")
    );
    let alpha_letter = noti3
        .iter()
        .find(|l| l.recipient_name == "ALPHA")
        .expect("alpha");
    assert!(
        docx_text::open(&alpha_letter.docx)
            .document_text()
            .contains("pièces non produites")
    );
    // Every member validates in writing: two référents themselves, the others recorded by the
    // coordonnateur with the written proof.
    for f in &MEMBERS[..2] {
        let r = app.login(&referent_email(f)).await;
        let mid = app.member_id(f).await.to_string();
        assert_eq!(
            r.post_form(&format!("{url}/validation"), &[("member_id", &mid)])
                .await
                .status(),
            303
        );
        // Not for another member.
        let other = app.member_id(MEMBERS[5]).await.to_string();
        assert_eq!(
            r.post_form(&format!("{url}/validation"), &[("member_id", &other)])
                .await
                .status(),
            403
        );
    }
    // The signature is refused one day before the end of the standstill, on its last day, and
    // while a member's validation is missing; accepted the day after the end.
    app.state.clock.set(utc(2027, 2, 12, 10, 0, 0));
    let sign_url = format!("{url}/signature");
    let sign = || {
        coord.post_form(
            &sign_url,
            &[
                ("signatory_name", "Dominique BAERT"),
                ("signatory_quality", "Président du CCAS de Wattrelos"),
            ],
        )
    };
    let r = sign().await;
    assert_eq!(r.status(), 409);
    assert!(text(r).await.contains("14 février 2027"));
    let validate_by_coord = |f: &'static str| {
        let url = url.clone();
        let coord = &coord;
        let app = &app;
        async move {
            let mid = app.member_id(f).await.to_string();
            coord
                .post_form(
                    &format!("{url}/validation"),
                    &[
                        ("member_id", &mid),
                        ("comment", "courriel du directeur du 4 février 2027"),
                    ],
                )
                .await
        }
    };
    for f in &MEMBERS[2..9] {
        assert_eq!(validate_by_coord(f).await.status(), 303, "{f}");
    }
    app.state.clock.set(utc(2027, 2, 13, 10, 0, 0));
    let r = sign().await;
    assert_eq!(r.status(), 409, "last day of the standstill");
    assert!(text(r).await.contains("délai de suspension"));
    app.state.clock.set(utc(2027, 2, 14, 9, 0, 0));
    let r = sign().await;
    assert_eq!(r.status(), 409, "a member has not validated");
    assert!(text(r).await.contains("convention art. 6.2"));
    for f in &MEMBERS[9..] {
        let mid = app.member_id(f).await.to_string();
        let r = coord
            .post_form(
                &format!("{url}/validation"),
                &[
                    ("member_id", &mid),
                    ("comment", "courriel du directeur du 4 février 2027"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{f}");
    }
    let r = sign().await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    assert_eq!(status(&app, cid).await, "signee");
    // NOTI5 with the signed AE and the one-time link: refused until the signed acte is there.
    let r = coord.post_form(&format!("{url}/notification"), &[]).await;
    assert_eq!(r.status(), 409);
    assert!(
        text(r)
            .await
            .contains("signé de BETA (lot 1) avant la notification")
    );
    let signed_attempt = {
        use coordo::db::entities::attribution;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        attribution::Entity::find()
            .filter(attribution::Column::ConsultationId.eq(cid))
            .filter(attribution::Column::Status.eq("signee"))
            .one(&app.state.db)
            .await
            .expect("query")
            .expect("the signed attempt")
            .id
    };
    // The AE filled for the attributaire: its name, SIRET and amount, not the DCE's blank AE.
    let r = coord.get(&format!("{url}/{signed_attempt}/ae.docx")).await;
    assert_eq!(r.status(), 200);
    let filled = r.bytes().await.expect("bytes").to_vec();
    let ae = crate::support::docx_text::open(&filled).document_text();
    assert!(ae.contains("BETA") && ae.contains(S_BETA), "{ae}");
    let money = |v: i64| coordo::docgen::format::money_fr(rust_decimal::Decimal::from(v));
    assert!(ae.contains(&money(120_000)), "{ae}");
    assert!(ae.contains(&money(144_000)), "TTC at 20 %: {ae}");
    let dce_ae = coord
        .get(&format!(
            "/g/{gid}/consultations/{cid}/pieces/ae/versions/1/docx"
        ))
        .await
        .bytes()
        .await
        .expect("dce ae")
        .to_vec();
    assert_ne!(filled, dce_ae);
    // A file that is not what it claims is refused and nothing is stored.
    let upload = format!("{url}/{signed_attempt}/acte-signe");
    let r = coord
        .post_file(
            &upload,
            "fichier",
            "AE_signe.pdf",
            b"<html>pas un PDF</html>",
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("pas un PDF"));
    assert!(
        coordo::attribution::signed::latest(&app.state.db, signed_attempt)
            .await
            .expect("q")
            .is_none()
    );
    let signed_pdf = b"%PDF-1.4\n% acte d'engagement signe par BETA et le CCAS\n%%EOF\n".to_vec();
    let r = coord
        .post_file(&upload, "fichier", "AE_BETA_signe.pdf", &signed_pdf)
        .await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    let r = coord.post_form(&format!("{url}/notification"), &[]).await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    assert_eq!(status(&app, cid).await, "notifiee");
    // The données essentielles validate against the official schema v2.0.3; OCDS names every
    // member as a buyer and the coordonnateur as procuring entity.
    let r = coord
        .get(&format!("/g/{gid}/consultations/{cid}/decp.json"))
        .await;
    assert_eq!(r.status(), 200);
    let decp: serde_json::Value = r.json().await.expect("json");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../data/decp/schema_decp_v2.0.3.json"))
            .expect("schema");
    let validator = jsonschema::draft7::new(&schema).expect("validator");
    let errors: Vec<String> = validator
        .iter_errors(&decp)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{decp}");
    let m = &decp["marches"]["marche"][0];
    assert_eq!(m["procedure"], "Appel d'offres ouvert");
    assert_eq!(m["titulaires"][0]["titulaire"]["id"], S_BETA);
    assert_eq!(m["offresRecues"], 3);
    let mut broken = decp.clone();
    broken["marches"]["marche"][0]["procedure"] = json!("Procédure inventée");
    assert!(
        !validator.is_valid(&broken),
        "the validator must catch a wrong value"
    );
    let ocds: serde_json::Value = coord
        .get(&format!("/g/{gid}/consultations/{cid}/ocds.json"))
        .await
        .json()
        .await
        .expect("json");
    let parties = ocds["releases"][0]["parties"].as_array().expect("parties");
    let buyers = parties
        .iter()
        .filter(|p| {
            p["roles"]
                .as_array()
                .is_some_and(|r| r.contains(&json!("buyer")))
        })
        .count();
    assert_eq!(buyers, MEMBERS.len());
    // Avis d'attribution and the contractual pieces to every member.
    assert_eq!(
        coord
            .post_form(&format!("{url}/avis"), &[("avis_on", "2027-02-14")])
            .await
            .status(),
        303
    );
    assert_eq!(
        coord
            .post_form(&format!("{url}/pieces-contractuelles"), &[])
            .await
            .status(),
        303
    );
    let html = text(coord.get(&url).await).await;
    assert!(
        html.contains("envoyé à la publication le 14 février 2027"),
        "{html}"
    );

    // Delivery through a real SMTP server that is down for the first pass.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mailer = smtp_mailer(port);
    let down = coordo::mail::deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("pass");
    assert_eq!(down.sent, 0, "{down:?}");
    let queued = {
        use coordo::db::entities::mail_message;
        use sea_orm::EntityTrait;
        mail_message::Entity::find()
            .all(&app.state.db)
            .await
            .expect("mails")
    };
    assert!(queued.iter().all(|m| m.status != "envoye"));
    let server = SmtpServer::start(TcpListener::bind(("127.0.0.1", port)).expect("rebind"));
    app.state.clock.set(utc(2027, 2, 14, 12, 0, 0));
    let up = coordo::mail::deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("pass");
    assert_eq!(up.sent, queued.len(), "{up:?}");
    let again = coordo::mail::deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("pass");
    assert_eq!(again.sent, 0);
    let received = server.messages();
    assert_eq!(received.len(), queued.len(), "no duplicate");
    let parsed: Vec<_> = received
        .iter()
        .map(|m| MessageParser::default().parse(m).expect("mail"))
        .collect();
    let mut ids: Vec<String> = parsed
        .iter()
        .map(|p| p.message_id().expect("id").to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), received.len(), "one Message-ID per email");
    // Every letter reached its recipient with its DOCX attached, byte for byte.
    for l in letters(&app, "noti1")
        .await
        .iter()
        .chain(&letters(&app, "noti3").await)
        .chain(&letters(&app, "noti5").await)
    {
        let m = parsed
            .iter()
            .find(|p| {
                p.to().and_then(|t| t.first()).and_then(|a| a.address())
                    == Some(l.recipient_email.as_str())
                    && p.attachments()
                        .any(|a| a.attachment_name() == Some(l.filename.as_str()))
            })
            .unwrap_or_else(|| panic!("no email for {} {}", l.kind, l.recipient_name));
        let att = m
            .attachments()
            .find(|a| a.attachment_name() == Some(l.filename.as_str()))
            .expect("att");
        assert_eq!(att.contents(), l.docx.as_slice());
    }
    let to_referents = parsed
        .iter()
        .filter(|p| {
            p.subject()
                .is_some_and(|s| s.contains("pièces contractuelles"))
        })
        .count();
    assert!(to_referents >= MEMBERS.len(), "{to_referents}");
    // The members receive the AE signed by both parties, not the blank AE of the DCE.
    let to_a_referent = parsed
        .iter()
        .find(|p| {
            p.subject()
                .is_some_and(|s| s.contains("pièces contractuelles"))
        })
        .expect("contract pieces email");
    assert!(
        to_a_referent
            .attachments()
            .any(|a| a.contents() == signed_pdf.as_slice()),
        "the signed AE goes to the members"
    );
    assert!(
        !to_a_referent
            .attachments()
            .any(|a| a.attachment_name().is_some_and(|n| n.contains("_AE_v"))),
        "never the DCE's blank AE"
    );
    // The NOTI5 email carries the link; it works once.
    let noti5 = parsed
        .iter()
        .find(|p| p.subject().is_some_and(|s| s.contains("NOTI5")))
        .expect("noti5 email");
    assert_eq!(
        noti5.to().and_then(|t| t.first()).and_then(|a| a.address()),
        Some("beta@exemple.fr")
    );
    assert_eq!(noti5.attachments().count(), 2, "NOTI5 and the signed AE");
    let acte = noti5
        .attachments()
        .find(|a| a.attachment_name().is_some_and(|n| n.contains("AE_SIGNE")))
        .expect("the signed AE attached");
    assert_eq!(
        acte.contents(),
        signed_pdf.as_slice(),
        "the uploaded file itself"
    );
    assert!(acte.attachment_name().is_some_and(|n| n.ends_with(".pdf")));
    let body = noti5.body_text(0).expect("text").to_string();
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/accuse-reception/"))
        .expect("link")
        .to_owned();
    let path = &link[link.find("/accuse-reception/").expect("path")..];
    let titulaire = app.anonymous().await;
    let r = titulaire.get(path).await;
    assert_eq!(r.status(), 200);
    assert!(text(r).await.contains("J'accuse réception"));
    let r = titulaire.post_form(path, &[]).await;
    assert_eq!(r.status(), 200);
    assert!(
        text(r)
            .await
            .contains("prend effet à compter du 14 février 2027")
    );
    let r = titulaire.post_form(path, &[]).await;
    assert_eq!(r.status(), 410);
    assert!(text(r).await.contains("déjà été utilisé"));
    assert_eq!(titulaire.get(path).await.status(), 410);
    assert_eq!(titulaire.get("/accuse-reception/0000").await.status(), 404);
    let a = {
        use coordo::db::entities::attribution;
        use sea_orm::EntityTrait;
        attribution::Entity::find_by_id(beta_attempt.id)
            .one(&app.state.db)
            .await
            .expect("q")
            .expect("a")
    };
    assert_eq!(a.status, "en_vigueur");
    assert!(a.acknowledged_at.is_some());
    let o = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[tokio::test]
async fn referents_never_see_the_ranking_and_cannot_decide() {
    let Scene {
        app,
        gid,
        cid,
        alpha,
        ..
    } = scene().await;
    let referent = app.login(&referent_email(MEMBERS[0])).await;
    let r = referent.get(&page(gid, cid)).await;
    assert_eq!(r.status(), 200);
    let html = text(r).await;
    assert!(
        !html.contains("ALPHA"),
        "a référent must not see the offers"
    );
    let lot = lot_id(&app).await;
    let r = referent
        .post_form(
            &format!("{}/decider", page(gid, cid)),
            &[
                ("lot_id", &lot),
                ("pli_id", &alpha),
                ("reasons", "x".repeat(30).as_str()),
                ("deadline", "2027-02-03T12:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn sans_suite_sends_a_letter_to_every_candidate() {
    let Scene {
        app,
        coord,
        gid,
        cid,
        ..
    } = scene().await;
    let r = coord
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/transition"),
            &[
                ("statut", "sans_suite"),
                (
                    "motif",
                    "disparition du besoin après la reprise du service par le département",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    let l = letters(&app, "sans_suite").await;
    assert_eq!(l.len(), 3);
    for x in &l {
        let t = docx_text::open(&x.docx).document_text();
        assert!(t.contains("disparition du besoin"), "{t}");
        assert!(t.contains(&x.recipient_name));
        // The channel stated is the one used: an e-mail to the candidate's address.
        assert!(x.electronic);
        assert!(
            t.contains(&format!("par courriel à l'adresse {}", x.recipient_email)),
            "{t}"
        );
    }
    // The rapport de présentation states why the procedure ended without award (R2184-3 7°).
    let r = coord
        .get(&format!(
            "/g/{gid}/consultations/{cid}/attribution/rapport-presentation.docx"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let rp = docx_text::open(&r.bytes().await.expect("docx")).document_text();
    assert!(rp.contains("R2184-3 7°"), "{rp}");
    assert!(rp.contains("disparition du besoin"), "{rp}");
    // Each letter names only its own candidate.
    let alpha = l
        .iter()
        .find(|x| x.recipient_name == "ALPHA")
        .expect("alpha");
    assert!(
        !docx_text::open(&alpha.docx)
            .document_text()
            .contains("GAMMA")
    );
}

async fn decide_alpha(s: &Scene) -> reqwest::Response {
    let lot = lot_id(&s.app).await;
    s.coord
        .post_form(
            &format!("{}/decider", page(s.gid, s.cid)),
            &[
                ("lot_id", &lot),
                ("pli_id", &s.alpha),
                (
                    "reasons",
                    "offre économiquement la plus avantageuse, la moins disante",
                ),
                ("deadline", "2027-02-03T12:00"),
            ],
        )
        .await
}

#[tokio::test]
async fn a_formalised_procedure_waits_for_the_cao_a_mapa_is_decided_by_the_coordonnateur() {
    // Appel d'offres ouvert (350 000 € HT): no award before the CAO's deliberation (L1414-2).
    let s = scene_with(None, false).await;
    s.app.state.clock.set(utc(2027, 1, 27, 9, 0, 0));
    let before = s.app.audit_count().await;
    let r = decide_alpha(&s).await;
    assert_eq!(r.status(), 409);
    assert!(text(r).await.contains("CGCT L1414-2"));
    assert_eq!(s.app.audit_count().await, before, "nothing written");

    // Procédure adaptée (10 × 10 000 € HT): the coordonnateur decides, the NOTI3 carries the
    // same (voluntary) delay and the consultation waits for it.
    let s = scene_with(Some("10 000,00"), false).await;
    let d = coordo::consultations::service::detail(
        &s.app.state.db,
        s.gid,
        s.cid,
        s.app.state.clock.today_paris(),
    )
    .await
    .expect("detail");
    assert_eq!(
        d.procedure,
        Some(coordo::consultations::rules::procedure::ProcedureKind::ProcedureAdaptee)
    );
    s.app.state.clock.set(utc(2027, 1, 27, 9, 0, 0));
    let r = decide_alpha(&s).await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    let a = {
        use coordo::db::entities::attribution;
        use sea_orm::EntityTrait;
        attribution::Entity::find()
            .all(&s.app.state.db)
            .await
            .expect("a")[0]
            .clone()
    };
    assert_eq!(a.basis, "coordonnateur");
    assert_eq!(a.deliberation_id, None);
    let url = page(s.gid, s.cid);
    let r = s
        .coord
        .post_form(
            &format!("{url}/{}/pieces", a.id),
            &[("index", "toutes"), ("received_on", "2027-01-27")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = s
        .coord
        .post_form(&format!("{url}/rejets"), &[("mode", "postal")])
        .await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    let noti3 = letters(&s.app, "noti3").await;
    assert_eq!(noti3.len(), 2, "BETA and GAMMA");
    assert!(
        noti3
            .iter()
            .all(|l| !l.electronic && l.mail_message_id.is_none()),
        "by post: no email"
    );
    // By post: 16 days from 27 January, signature from 12 February.
    let t = docx_text::open(&noti3[0].docx).document_text();
    assert!(t.contains("12 février 2027"), "{t}");
    assert!(
        t.contains("par lettre recommandée avec demande d'avis de réception à l'adresse 12 rue Nationale, 59000 Lille"),
        "{t}"
    );
    assert!(!t.contains("par courriel à l'adresse"), "{t}");
}
