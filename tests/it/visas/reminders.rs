//! The tick: tacit visas across a holiday, reminders sent once; the e-mails on a real SMTP server.

use super::*;
use crate::support::*;
use coordo::db::entities::{visa, visa_reminder};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

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
