//! The auditor's mail attacks: a bidder named `"Evil\r\nBcc: x@y"` stopped every email for
//! good (the sender panicked on it, and again after each restart); a connection cut after
//! DATA put the email « en échec ». Against a real SMTP server on 127.0.0.1.

use crate::mail::{SmtpServer, smtp_mailer};
use crate::support::*;
use coordo::audit::Actor;
use coordo::db::entities::mail_message;
use coordo::mail::{OutgoingEmail, Recipient, deliver_due};
use mail_parser::MessageParser;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

fn email(to: Recipient, subject: &str) -> OutgoingEmail {
    OutgoingEmail {
        kind: "noti3".into(),
        to,
        subject: subject.into(),
        text: "Madame, Monsieur,\n\nveuillez trouver la lettre.\n".into(),
        html: None,
        attachments: vec![],
    }
}

async fn enqueue(
    app: &TestApp,
    gid: i32,
    e: OutgoingEmail,
) -> Result<i32, coordo::mail::MailError> {
    let tx = coordo::audit::begin(&app.state.db).await.expect("begin");
    let r = coordo::mail::enqueue(&tx, app.state.clock.now(), &Actor::system(), Some(gid), e).await;
    tx.commit().await.expect("commit");
    r
}

async fn row(app: &TestApp, id: i32) -> mail_message::Model {
    mail_message::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("row")
}

#[tokio::test]
async fn a_poisoned_bidder_name_no_longer_stops_the_other_emails() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = SmtpServer::start(listener);
    let mailer = smtp_mailer(port);
    // Queued now: the name is cleaned at enqueue.
    let cleaned = enqueue(
        &app,
        gid,
        email(
            Recipient::named("evil@exemple.fr", "Evil\r\nBcc: x@y"),
            "Lettre\r\nBcc: z@y",
        ),
    )
    .await
    .expect("enqueue");
    let stored = row(&app, cleaned).await;
    assert_eq!(stored.to_name.as_deref(), Some("Evil Bcc: x@y"));
    assert_eq!(stored.subject, "Lettre Bcc: z@y");
    // Queued before the fix (or written by anything else): raw in the table, first in line.
    let legacy = enqueue(
        &app,
        gid,
        email(Recipient::named("legacy@exemple.fr", "x"), "Ancien"),
    )
    .await
    .expect("enqueue");
    let mut m: mail_message::ActiveModel = row(&app, legacy).await.into();
    m.to_name = Set(Some("Evil\r\nBcc: x@y".into()));
    m.next_attempt_at = Set(app.state.clock.now() - chrono::Duration::minutes(1));
    m.update(&app.state.db).await.expect("poison");
    let after = enqueue(
        &app,
        gid,
        email(
            Recipient::named("sain@exemple.fr", "Société Saine"),
            "Après",
        ),
    )
    .await
    .expect("enqueue");

    let report = deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("the pass completes");
    assert_eq!(report.sent, 3, "{report:?}");
    for id in [legacy, cleaned, after] {
        assert_eq!(row(&app, id).await.status, "envoye", "email {id}");
    }
    let messages = server.messages();
    assert_eq!(messages.len(), 3);
    for raw in &messages {
        let text = String::from_utf8_lossy(raw);
        assert!(
            !text
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "no injected header: {text}"
        );
        let parsed = MessageParser::default().parse(raw).expect("parsable");
        assert!(parsed.bcc().is_none());
    }
    // An address with a line break is refused at enqueue, in French.
    let e = enqueue(
        &app,
        gid,
        email(Recipient::named("a@b.fr\r\nBcc: x@y", "X"), "S"),
    )
    .await
    .expect_err("refused");
    assert!(e.to_string().contains("invalide"), "{e}");
}

/// An SMTP server that takes the whole message after DATA, then hangs up without the final
/// reply: the client cannot know whether it was delivered.
fn hang_up_after_data(listener: TcpListener) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut out = stream.try_clone().expect("clone");
            let mut lines = BufReader::new(stream);
            let _ = out.write_all(b"220 coupure.test ESMTP\r\n");
            let mut line = String::new();
            let mut in_data = false;
            loop {
                line.clear();
                if lines.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if in_data {
                    if line == ".\r\n" {
                        break; // hang up: no "250 OK"
                    }
                    continue;
                }
                let cmd = line.to_ascii_uppercase();
                let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                    b"250 coupure.test\r\n"
                } else if cmd.starts_with("DATA") {
                    in_data = true;
                    b"354 go ahead\r\n"
                } else if cmd.starts_with("QUIT") {
                    b"221 bye\r\n"
                } else {
                    b"250 OK\r\n"
                };
                if out.write_all(reply).is_err() {
                    break;
                }
            }
        }
    });
}

#[tokio::test]
async fn a_connection_cut_after_data_is_retried_not_failed() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    hang_up_after_data(listener);
    let mailer = smtp_mailer(port);
    let id = enqueue(
        &app,
        gid,
        email(Recipient::named("a@exemple.fr", "A"), "Coupure"),
    )
    .await
    .expect("enqueue");
    let report = deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("deliver");
    assert_eq!(report.retried, 1, "{report:?}");
    let r = row(&app, id).await;
    assert_eq!(r.status, "en_attente", "retryable, not « en échec »");
    let err = r.last_error.expect("reason");
    assert!(err.contains("coupé la connexion"), "{err}");
    assert!(
        !err.contains("détail"),
        "French only, the raw detail is in the log: {err}"
    );
    // The Courriels page says so in French.
    let c = app.login(&coord_email()).await;
    let page = c
        .get(&format!("/g/{gid}/courriels"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("coupé la connexion"), "{page}");
    assert!(page.contains("nouvel essai"), "{page}");
}
