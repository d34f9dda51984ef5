//! The outbox against a real SMTP server over TCP (mailin-embedded on 127.0.0.1): attachments
//! round-trip byte for byte, an outage loses nothing and sends nothing twice, permanent
//! refusals wait for the coordonnateur, `.eml` files, and the outbox page.

use crate::support::*;
use chrono::Duration;
use coordo::audit::Actor;
use coordo::config::MailTransportConfig;
use coordo::db::entities::mail_message;
use coordo::mail::{
    DOCX_CONTENT_TYPE, Mailer, OutgoingAttachment, OutgoingEmail, Recipient, deliver_due,
};
use mail_parser::{MessageParser, MimeHeaders};
use mailin_embedded::{Handler, Response, Server, response};
use sea_orm::{EntityTrait, QueryOrder};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// An SMTP server in a thread; keeps every message it accepts.
#[derive(Clone)]
struct Capture {
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Reply to RCPT TO: 250 accepts, anything else refuses.
    rcpt_code: Arc<AtomicU16>,
    buf: Vec<u8>,
}

impl Handler for Capture {
    fn rcpt(&mut self, _to: &str) -> Response {
        match self.rcpt_code.load(Ordering::SeqCst) {
            250 => response::OK,
            code => Response::custom(code, "Refus pour le test".into()),
        }
    }
    fn data_start(&mut self, _domain: &str, _from: &str, _8bit: bool, _to: &[String]) -> Response {
        self.buf.clear();
        response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        let msg = std::mem::take(&mut self.buf);
        self.received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(msg);
        response::OK
    }
}

pub struct SmtpServer {
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    rcpt_code: Arc<AtomicU16>,
}

impl SmtpServer {
    /// Serves on `listener` forever (mailin-embedded has no shutdown: the thread ends with
    /// the test process).
    pub fn start(listener: TcpListener) -> Self {
        let capture = Capture {
            received: Arc::default(),
            rcpt_code: Arc::new(AtomicU16::new(250)),
            buf: Vec::new(),
        };
        let me = Self {
            received: capture.received.clone(),
            rcpt_code: capture.rcpt_code.clone(),
        };
        let mut server = Server::new(capture);
        server.with_name("smtp.test").with_num_threads(8);
        server.with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        me
    }

    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Message-IDs received, without angle brackets, in order.
    fn message_ids(&self) -> Vec<String> {
        self.messages()
            .iter()
            .map(|m| {
                MessageParser::default()
                    .parse(m)
                    .and_then(|p| p.message_id().map(str::to_owned))
                    .expect("a Message-ID")
            })
            .collect()
    }
}

/// A port on which nobody listens (bound then released).
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

pub fn smtp_mailer(port: u16) -> Mailer {
    Mailer::new(
        &MailTransportConfig::Smtp(format!("smtp://127.0.0.1:{port}")),
        "Coordo <coordo@localhost>",
    )
    .expect("mailer")
}

/// Bytes shaped like a DOCX (zip magic) with every byte value, CRLF and a lone dot line.
fn docx_like() -> Vec<u8> {
    let mut b = b"PK\x03\x04".to_vec();
    b.extend((0..=255u8).cycle().take(40_000));
    b.extend_from_slice(b"\r\n.\r\n..\r\nfin");
    b
}

fn email(subject: &str, attachments: Vec<OutgoingAttachment>) -> OutgoingEmail {
    OutgoingEmail {
        kind: "noti3".into(),
        to: Recipient::named("candidat@exemple.fr", "Société Candidate"),
        subject: subject.into(),
        text: "Madame, Monsieur,\n\nveuillez trouver ci-joint la notification.\n".into(),
        html: Some(
            "<p>Madame, Monsieur,</p><p>veuillez trouver ci-joint la notification.</p>".into(),
        ),
        attachments,
    }
}

async fn enqueue(app: &TestApp, gid: Option<i32>, e: OutgoingEmail) -> i32 {
    let tx = coordo::audit::begin(&app.state.db).await.expect("begin");
    let id = coordo::mail::enqueue(&tx, app.state.clock.now(), &Actor::system(), gid, e)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    id
}

async fn row(app: &TestApp, id: i32) -> mail_message::Model {
    mail_message::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("row")
}

async fn actions(app: &TestApp, gid: i32) -> Vec<String> {
    let mut a: Vec<String> = coordo::audit::latest(&app.state.db, gid, 500)
        .await
        .expect("journal")
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("courriel."))
        .collect();
    a.reverse();
    a
}

#[tokio::test]
async fn a_docx_attachment_reaches_the_smtp_server_byte_for_byte() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = SmtpServer::start(listener);
    let mailer = smtp_mailer(port);
    let bytes = docx_like();
    let id = enqueue(
        &app,
        Some(gid),
        email(
            "Notification d'attribution — lot 1 « DUI »",
            vec![OutgoingAttachment {
                filename: "NOTI3 lot 1 Santélys.docx".into(),
                content_type: DOCX_CONTENT_TYPE.into(),
                bytes: bytes.clone(),
            }],
        ),
    )
    .await;
    let stored = row(&app, id).await;
    assert_eq!(stored.status, "en_attente");

    let report = deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("deliver");
    assert_eq!(report.sent, 1, "{report:?}");

    let received = server.messages();
    assert_eq!(received.len(), 1);
    let parsed = MessageParser::default()
        .parse(&received[0])
        .expect("parsable message");
    assert_eq!(
        parsed.message_id().map(|m| format!("<{m}>")),
        Some(stored.message_id.clone())
    );
    assert_eq!(
        parsed.subject(),
        Some("Notification d'attribution — lot 1 « DUI »")
    );
    let from = parsed.from().and_then(|a| a.first()).expect("from");
    assert_eq!(from.address(), Some("coordo@localhost"));
    let to = parsed.to().and_then(|a| a.first()).expect("to");
    assert_eq!(to.address(), Some("candidat@exemple.fr"));
    assert_eq!(to.name(), Some("Société Candidate"));
    assert!(
        parsed
            .body_text(0)
            .is_some_and(|t| t.contains("veuillez trouver ci-joint")),
        "text part"
    );
    assert!(
        parsed
            .body_html(0)
            .is_some_and(|t| t.contains("<p>veuillez trouver ci-joint")),
        "html part"
    );
    assert_eq!(parsed.attachment_count(), 1);
    let att = parsed.attachments().next().expect("attachment");
    assert_eq!(att.attachment_name(), Some("NOTI3 lot 1 Santélys.docx"));
    let ct = att.content_type().expect("content type");
    assert_eq!(
        format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()),
        DOCX_CONTENT_TYPE
    );
    assert_eq!(att.contents(), bytes.as_slice(), "bytes round-trip exactly");

    let sent = row(&app, id).await;
    assert_eq!(sent.status, "envoye");
    assert_eq!(sent.attempts, 1);
    assert_eq!(sent.sent_at, Some(app.state.clock.now()));
    assert_eq!(sent.last_error, None);
    assert_eq!(
        actions(&app, gid).await,
        vec!["courriel.mise_en_file", "courriel.envoye"]
    );
    assert!(
        coordo::audit::verify(&app.state.db)
            .await
            .expect("verify")
            .is_none()
    );

    // Nothing left: a second pass sends nothing.
    let again = deliver_due(
        &app.state.db,
        &mailer,
        app.state.clock.now() + Duration::hours(2),
    )
    .await
    .expect("deliver");
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn server_down_loses_nothing_then_each_email_goes_exactly_once() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let port = free_port();
    let mailer = smtp_mailer(port);
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(enqueue(&app, Some(gid), email(&format!("Courriel {n}"), vec![])).await);
    }
    let t0 = app.state.clock.now();

    let report = deliver_due(&app.state.db, &mailer, t0)
        .await
        .expect("deliver");
    assert_eq!(report.retried, 3, "{report:?}");
    let mut message_ids = Vec::new();
    for id in &ids {
        let r = row(&app, *id).await;
        assert_eq!(r.status, "en_attente");
        assert_eq!(r.attempts, 1);
        assert_eq!(r.next_attempt_at, t0 + Duration::minutes(1));
        let err = r.last_error.clone().expect("last_error");
        assert!(
            err.contains(&format!(
                "Serveur de courriel smtp://127.0.0.1:{port} injoignable (connexion refusée)"
            )),
            "{err}"
        );
        message_ids.push(r.message_id.trim_matches(['<', '>']).to_owned());
    }
    // Not due yet: nothing is attempted.
    let report = deliver_due(&app.state.db, &mailer, t0 + Duration::seconds(59))
        .await
        .expect("deliver");
    assert!(report.is_empty(), "{report:?}");

    // The outbox page shows the retry time in Paris (UTC+1 in November).
    let coord = app.login(&coord_email()).await;
    let page = coord
        .get(&format!("/g/{gid}/courriels"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("nouvel essai à 11 h 01"), "{page}");
    assert!(page.contains("injoignable (connexion refusée)"), "{page}");

    // The server comes up on the same port; the clock reaches the retry time.
    let server = SmtpServer::start(TcpListener::bind(("127.0.0.1", port)).expect("rebind"));
    app.state.clock.advance(Duration::minutes(1));
    let report = deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("deliver");
    assert_eq!(report.sent, 3, "{report:?}");
    assert_eq!(
        server.message_ids(),
        message_ids,
        "same Message-IDs, once each"
    );
    for id in &ids {
        let r = row(&app, *id).await;
        assert_eq!(r.status, "envoye");
        assert_eq!(r.attempts, 2);
    }
    // Later passes send nothing more.
    app.state.clock.advance(Duration::hours(3));
    let report = deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("deliver");
    assert!(report.is_empty(), "{report:?}");
    assert_eq!(server.messages().len(), 3);
    let journal = actions(&app, gid).await;
    assert_eq!(
        journal
            .iter()
            .filter(|a| *a == "courriel.nouvel_essai")
            .count(),
        3
    );
    assert_eq!(
        journal.iter().filter(|a| *a == "courriel.envoye").count(),
        3
    );
}

#[tokio::test]
async fn two_workers_at_once_never_send_an_email_twice() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = SmtpServer::start(listener);
    let (a, b) = (smtp_mailer(port), smtp_mailer(port));
    for n in 1..=8 {
        enqueue(&app, Some(gid), email(&format!("Parallèle {n}"), vec![])).await;
    }
    let now = app.state.clock.now();
    let (ra, rb) = tokio::join!(
        deliver_due(&app.state.db, &a, now),
        deliver_due(&app.state.db, &b, now)
    );
    let (ra, rb) = (ra.expect("worker a"), rb.expect("worker b"));
    assert_eq!(ra.sent + rb.sent, 8, "{ra:?} {rb:?}");
    let mut ids = server.message_ids();
    assert_eq!(ids.len(), 8);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "no email received twice");
}

#[tokio::test]
async fn temporary_refusals_are_retried_eight_times_then_fail() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = SmtpServer::start(listener);
    server.rcpt_code.store(451, Ordering::SeqCst);
    let mailer = smtp_mailer(port);
    let id = enqueue(&app, Some(gid), email("Grisé", vec![])).await;
    let mut waits = Vec::new();
    for attempt in 1..=8 {
        let now = app.state.clock.now();
        let report = deliver_due(&app.state.db, &mailer, now)
            .await
            .expect("deliver");
        let r = row(&app, id).await;
        assert_eq!(r.attempts, attempt);
        if attempt < 8 {
            assert_eq!(report.retried, 1, "attempt {attempt}: {report:?}");
            assert_eq!(r.status, "en_attente");
            waits.push((r.next_attempt_at - now).num_minutes());
            app.state.clock.set(r.next_attempt_at);
        } else {
            assert_eq!(report.failed, 1, "{report:?}");
            assert_eq!(r.status, "en_echec");
            let err = r.last_error.expect("error");
            assert!(err.contains("refusé temporairement"), "{err}");
            assert!(err.contains("(code 451)"), "{err}");
        }
    }
    assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 60]);
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn a_permanent_refusal_waits_for_the_coordonnateur_who_resends() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = SmtpServer::start(listener);
    server.rcpt_code.store(550, Ordering::SeqCst);
    let mailer = smtp_mailer(port);
    let id = enqueue(&app, Some(gid), email("Adresse morte", vec![])).await;
    let report = deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("deliver");
    assert_eq!(report.failed, 1, "{report:?}");
    let failed = row(&app, id).await;
    assert_eq!(failed.status, "en_echec");
    assert_eq!(failed.attempts, 1, "a 5xx is not retried");
    let err = failed.last_error.clone().expect("error");
    assert!(err.contains("refusé définitivement"), "{err}");
    assert!(err.contains("(code 550)"), "{err}");

    // The coordonnateur sees it and resends it (the mailbox has been fixed meanwhile).
    let coord = app.login(&coord_email()).await;
    let page = coord
        .get(&format!("/g/{gid}/courriels"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("en échec"), "{page}");
    assert!(page.contains("Adresse morte"), "{page}");
    let action = format!("/g/{gid}/courriels/{id}/renvoyer");
    assert!(page.contains(&format!("action=\"{action}\"")), "{page}");
    // Without the CSRF token: refused.
    let r = coord.post_form_raw(&action, &[]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(row(&app, id).await.status, "en_echec");

    let r = coord.post_form(&action, &[]).await;
    assert_eq!(r.status(), 303);
    let again = row(&app, id).await;
    assert_eq!(again.status, "en_attente");
    assert_eq!(again.attempts, 0);
    assert_eq!(
        again.message_id, failed.message_id,
        "same email, same Message-ID"
    );
    let page = coord
        .get(&format!("/g/{gid}/courriels"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("est remis en file"), "{page}");

    // Resending something that is not en échec is a conflict.
    let r = coord.post_form(&action, &[]).await;
    assert_eq!(r.status(), 409);
    // An email of no groupement is not reachable through this groupement.
    let other = enqueue(&app, None, email("Système", vec![])).await;
    let r = coord
        .post_form(&format!("/g/{gid}/courriels/{other}/renvoyer"), &[])
        .await;
    assert_eq!(r.status(), 404);

    server.rcpt_code.store(250, Ordering::SeqCst);
    let report = deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("deliver");
    assert_eq!(report.sent, 2, "{report:?}");
    assert_eq!(row(&app, id).await.status, "envoye");
    assert!(
        server
            .message_ids()
            .contains(&failed.message_id.trim_matches(['<', '>']).to_owned())
    );
    let journal = actions(&app, gid).await;
    assert_eq!(
        journal,
        vec![
            "courriel.mise_en_file",
            "courriel.en_echec",
            "courriel.renvoi",
            "courriel.envoye"
        ]
    );
    let renvoi = coordo::audit::latest(&app.state.db, gid, 50)
        .await
        .expect("journal")
        .into_iter()
        .find(|e| e.action == "courriel.renvoi")
        .expect("renvoi");
    assert_eq!(renvoi.actor, coord_email());
}

#[tokio::test]
async fn without_smtp_the_email_is_written_as_an_eml_file() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let bytes = docx_like();
    let id = enqueue(
        &app,
        Some(gid),
        email(
            "Demande de visa",
            vec![OutgoingAttachment {
                filename: "DCE.docx".into(),
                content_type: DOCX_CONTENT_TYPE.into(),
                bytes: bytes.clone(),
            }],
        ),
    )
    .await;
    let report = deliver_due(&app.state.db, &app.state.mailer, app.state.clock.now())
        .await
        .expect("deliver");
    assert_eq!(report.sent, 1, "{report:?}");
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&app.mail_dir)
        .expect("mail dir created")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read(&files[0]).expect("eml");
    let parsed = MessageParser::default().parse(&raw).expect("parsable");
    let stored = row(&app, id).await;
    assert_eq!(
        parsed.message_id().map(|m| format!("<{m}>")),
        Some(stored.message_id)
    );
    assert_eq!(parsed.subject(), Some("Demande de visa"));
    let att = parsed.attachments().next().expect("attachment");
    assert_eq!(att.contents(), bytes.as_slice());
    assert_eq!(stored.status, "envoye");
}

#[tokio::test]
async fn an_email_exists_only_if_its_transaction_commits() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let before = app.audit_count().await;
    let tx = coordo::audit::begin(&app.state.db).await.expect("begin");
    coordo::mail::enqueue(
        &tx,
        app.state.clock.now(),
        &Actor::system(),
        Some(gid),
        email("Annulé", vec![]),
    )
    .await
    .expect("enqueue");
    tx.rollback().await.expect("rollback");
    let rows = mail_message::Entity::find()
        .order_by_asc(mail_message::Column::Id)
        .all(&app.state.db)
        .await
        .expect("rows");
    assert!(rows.is_empty());
    assert_eq!(app.audit_count().await, before);
    // A bad recipient is refused at enqueue, naming it.
    let tx = coordo::audit::begin(&app.state.db).await.expect("begin");
    let mut bad = email("x", vec![]);
    bad.to = Recipient {
        address: "candidat@".into(),
        name: None,
    };
    let e = coordo::mail::enqueue(&tx, app.state.clock.now(), &Actor::system(), None, bad)
        .await
        .expect_err("bad address");
    assert_eq!(
        e.to_string(),
        "Adresse électronique du destinataire « candidat@ » invalide."
    );
}

#[tokio::test]
async fn the_outbox_page_is_the_coordonnateurs_only() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    enqueue(&app, Some(gid), email("Convocation CAO", vec![])).await;
    let coord = app.login(&coord_email()).await;
    let r = coord.get(&format!("/g/{gid}/courriels")).await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.expect("page");
    assert!(page.contains("Convocation CAO"), "{page}");
    assert!(page.contains("en attente"), "{page}");
    assert!(
        page.contains("Société Candidate &lt;candidat@exemple.fr&gt;"),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/g/{gid}/courriels\"")),
        "nav link"
    );
    let referent = app.login(&referent_email(SANTELYS)).await;
    let r = referent.get(&format!("/g/{gid}/courriels")).await;
    assert_eq!(r.status(), 403);
    let home = referent
        .get(&format!("/g/{gid}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(!home.contains("/courriels"), "no nav link for a référent");
}

#[tokio::test]
async fn the_background_worker_delivers_without_being_asked() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let id = enqueue(&app, Some(gid), email("En tâche de fond", vec![])).await;
    let worker = coordo::mail::worker::spawn(app.state.clone());
    let mut status = String::new();
    for _ in 0..50 {
        status = row(&app, id).await.status;
        if status == "envoye" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    assert_eq!(status, "envoye");
    assert_eq!(std::fs::read_dir(&app.mail_dir).expect("dir").count(), 1);
}
