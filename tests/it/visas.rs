//! Member visas on every piece, pinned to the exact version: unanimity opens publication, one
//! défavorable blocks it with the French reason, a new version needs a new round, tacit visas
//! count jours ouvrés across a holiday, proxies (art. 8.1), visas at the same instant, the
//! e-mails on a real SMTP server with the piece attached, reminders sent once, the bordereau.

use crate::support::docx_text;
use crate::support::*;
use chrono::{TimeZone, Utc};
use coordo::db::entities::{visa, visa_reminder};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Paris wall-clock time (summer time in May: UTC+2).
fn paris(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    chrono_tz::Europe::Paris
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("instant")
        .with_timezone(&Utc)
}

/// The software tender with its DCE data and the versions of `kinds` generated.
async fn tender(app: &TestApp, kinds: &[&str]) -> (Client, i32, i32) {
    let c = app.login(&coord_email()).await;
    let (gid, cid) = crate::pieces::ready_tender(app, &c).await;
    for k in kinds {
        let r = c
            .post_form(
                &format!("/g/{gid}/consultations/{cid}/pieces/{k}/generate"),
                &[],
            )
            .await;
        assert_eq!(
            r.status(),
            303,
            "{k}: {}",
            r.text().await.unwrap_or_default()
        );
    }
    (c, gid, cid)
}

/// Submits pieces for visa through the page; returns the response.
async fn submit(c: &Client, gid: i32, cid: i32, kinds: &[&str], due: &str) -> reqwest::Response {
    let mut f: Vec<(&str, &str)> = kinds.iter().map(|k| ("pieces", *k)).collect();
    f.push(("due_on", due));
    c.post_form(&format!("/g/{gid}/consultations/{cid}/visas/rounds"), &f)
        .await
}

async fn state(c: &Client, gid: i32, cid: i32) -> Value {
    let r = c
        .get(&format!(
            "/api/v1/groupements/{gid}/consultations/{cid}/visas"
        ))
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

async fn latest_round(c: &Client, gid: i32, cid: i32) -> i64 {
    state(c, gid, cid).await["rounds"][0]["id"]
        .as_i64()
        .expect("a round")
}

async fn answer(c: &Client, gid: i32, cid: i32, rid: i64, body: Value) -> reqwest::Response {
    c.post_json(
        &format!("/api/v1/groupements/{gid}/consultations/{cid}/visas/rounds/{rid}/answer"),
        &body,
    )
    .await
}

/// Every member's FINESS juridique, in convention order.
async fn finesses(app: &TestApp) -> Vec<String> {
    coordo::registry::service::members(&app.state.db, app.gid().await)
        .await
        .expect("members")
        .into_iter()
        .map(|m| m.member.finess_juridique)
        .collect()
}

/// Each référent answers `decision` on each piece of `kinds`, except those in `skip`.
async fn all_answer(app: &TestApp, gid: i32, cid: i32, rid: i64, kinds: &[&str], skip: &[&str]) {
    for f in finesses(app).await {
        if skip.contains(&f.as_str()) {
            continue;
        }
        let r = app.login(&referent_email(&f)).await;
        for k in kinds {
            let resp = answer(
                &r,
                gid,
                cid,
                rid,
                json!({"piece": k, "decision": "favorable"}),
            )
            .await;
            assert_eq!(
                resp.status(),
                201,
                "{f} {k}: {}",
                resp.text().await.unwrap_or_default()
            );
        }
    }
}

async fn transition(c: &Client, gid: i32, cid: i32, to: &str) -> reqwest::Response {
    c.post_form(
        &format!("/g/{gid}/consultations/{cid}/transition"),
        &[("statut", to)],
    )
    .await
}

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
    assert!(text.contains("9 visas favorables sur 10"), "{text}");
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

#[tokio::test]
async fn tacit_visa_counts_jours_ouvres_across_ascension() {
    let app = TestApp::spawn().await;
    app.state.clock.set(paris(2026, 5, 12, 9));
    let (c, gid, cid) = tender(&app, &["rc", "ae"]).await;
    let r = c
        .post_form(
            &format!("/g/{gid}/visas/settings"),
            &[("tacit_visa_jours_ouvres", "7")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        transition(&c, gid, cid, "pieces_en_visa").await.status(),
        303
    );
    assert_eq!(
        submit(&c, gid, cid, &["rc", "ae"], "2026-05-29")
            .await
            .status(),
        303
    );
    let rid = latest_round(&c, gid, cid).await;
    all_answer(&app, gid, cid, rid, &["rc", "ae"], &[RONCHIN]).await;
    let base = app.state.settings.base_url.clone();
    // 7 jours ouvrés after Tuesday 12 May, Ascension (Thursday 14) excluded: Friday 22 May.
    // Without the holiday it would be Thursday 21: on Friday evening nothing is acquired yet.
    app.state.clock.set(paris(2026, 5, 22, 20));
    let rep =
        coordo::visas::tick::enqueue_due_reminders(&app.state.db, app.state.clock.now(), &base)
            .await
            .expect("tick");
    assert_eq!(rep.tacit, 0);
    assert_eq!(state(&c, gid, cid).await["publication"]["ok"], false);
    app.state.clock.set(paris(2026, 5, 23, 8));
    let rep =
        coordo::visas::tick::enqueue_due_reminders(&app.state.db, app.state.clock.now(), &base)
            .await
            .expect("tick");
    assert_eq!(rep.tacit, 2, "RONCHIN on the RC and on the AE");
    let again =
        coordo::visas::tick::enqueue_due_reminders(&app.state.db, app.state.clock.now(), &base)
            .await
            .expect("tick");
    assert_eq!(again.tacit, 0, "recorded once");
    let tacit = visa::Entity::find()
        .filter(visa::Column::Decision.eq("tacite"))
        .all(&app.state.db)
        .await
        .expect("visas");
    assert_eq!(tacit.len(), 2);
    let ronchin = app.member_id(RONCHIN).await;
    for v in &tacit {
        assert_eq!(v.member_id, ronchin);
        assert_eq!(
            v.given_at
                .with_timezone(&chrono_tz::Europe::Paris)
                .date_naive()
                .to_string(),
            "2026-05-22"
        );
    }
    let journal = coordo::audit::latest(&app.state.db, gid, 50)
        .await
        .expect("journal");
    assert!(journal.iter().any(|e| e.action == "visa.tacite"));
    let s = state(&c, gid, cid).await;
    assert_eq!(s["publication"]["ok"], true, "{s}");
    assert_eq!(
        transition(&c, gid, cid, "prete_publier").await.status(),
        303
    );
}

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
async fn emails_reach_a_real_smtp_server_with_the_piece_and_reminders_are_sent_once() {
    use mail_parser::{MessageParser, MimeHeaders};
    let app = TestApp::spawn().await;
    app.state.clock.set(paris(2026, 5, 12, 9));
    let (c, gid, cid) = tender(&app, &["rc"]).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = crate::mail::SmtpServer::start(listener);
    let mailer = crate::mail::smtp_mailer(port);
    let deliver = || coordo::mail::deliver_due(&app.state.db, &mailer, app.state.clock.now());
    deliver().await.expect("drain");
    let before = server.messages().len();
    assert_eq!(
        submit(&c, gid, cid, &["rc"], "2026-05-29").await.status(),
        303
    );
    let rep = deliver().await.expect("deliver");
    let referents = finesses(&app).await.len();
    assert_eq!(rep.sent, referents, "{rep:?}");
    let msgs = server.messages();
    let new: Vec<_> = msgs[before..].to_vec();
    assert_eq!(new.len(), referents);
    let rc = c
        .get(&format!(
            "/g/{gid}/consultations/{cid}/pieces/rc/versions/1/docx"
        ))
        .await
        .bytes()
        .await
        .expect("docx")
        .to_vec();
    let parsed = MessageParser::default().parse(&new[0]).expect("mail");
    let subject = parsed.subject().unwrap_or_default().to_owned();
    assert!(
        subject.starts_with("Visa demandé — 2026-DUI : RC v1"),
        "{subject}"
    );
    let body = parsed.body_text(0).unwrap_or_default().to_string();
    assert!(body.contains(&sha(&rc)), "{body}");
    assert!(body.contains("/visas/rounds/"), "{body}");
    let att = parsed.attachments().next().expect("attachment");
    assert_eq!(att.attachment_name(), Some("2026-DUI_RC_v1.docx"));
    assert_eq!(
        sha(att.contents()),
        sha(&rc),
        "the exact version is attached"
    );
    // Reminders: 2 jours ouvrés before Friday 29 May (Wednesday 27), and on the 29th.
    let rid = latest_round(&c, gid, cid).await;
    let santelys = app.login(&referent_email(SANTELYS)).await;
    assert_eq!(
        answer(
            &santelys,
            gid,
            cid,
            rid,
            json!({"piece": "rc", "decision": "favorable"})
        )
        .await
        .status(),
        201
    );
    let base = app.state.settings.base_url.clone();
    let tick = |at| {
        app.state.clock.set(at);
        coordo::visas::tick::enqueue_due_reminders(&app.state.db, at, &base)
    };
    assert_eq!(tick(paris(2026, 5, 26, 9)).await.expect("t").reminders, 0);
    assert_eq!(
        tick(paris(2026, 5, 27, 9)).await.expect("t").reminders,
        referents - 1
    );
    assert_eq!(
        tick(paris(2026, 5, 27, 15)).await.expect("t").reminders,
        0,
        "never twice"
    );
    assert_eq!(tick(paris(2026, 5, 28, 9)).await.expect("t").reminders, 0);
    assert_eq!(
        tick(paris(2026, 5, 29, 9)).await.expect("t").reminders,
        referents - 1
    );
    assert_eq!(tick(paris(2026, 5, 30, 9)).await.expect("t").reminders, 0);
    let rows = visa_reminder::Entity::find()
        .all(&app.state.db)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 2);
    let before = server.messages().len();
    let rep = deliver().await.expect("deliver");
    assert_eq!(rep.sent, 2 * (referents - 1));
    let reminder = MessageParser::default()
        .parse(&server.messages()[before])
        .expect("mail")
        .subject()
        .unwrap_or_default()
        .to_owned();
    assert!(
        reminder.starts_with("Rappel : visa attendu avant le 29 mai 2026"),
        "{reminder}"
    );
}
