//! Kill -9 of the real `coordo serve` in the middle of a scripted workload, three times: after
//! each restart every operation that was answered as done is there, and the audit chain verifies
//! (nothing half-written).

use crate::support::*;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn start(db: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_coordo"))
        .arg("serve")
        .env("COORDO_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("COORDO_ADDR", format!("127.0.0.1:{port}"))
        .env("COORDO_MAIL_DIR", db.with_file_name("outbox"))
        .env_remove("COORDO_SMTP_URL")
        .env("COORDO_LOG", "error")
        // The groupement and its accounts only: this test writes its own workload.
        .env("COORDO_DEMO", "groupement")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start coordo")
}

async fn wait_up(base: &str) {
    for _ in 0..300 {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("coordo did not start");
}

async fn login(base: &str) -> (reqwest::Client, String) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = http
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    let csrf = extract_csrf(&page).expect("csrf");
    let r = http
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", &coord_email()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303);
    // The CSRF token changes at login: take the session's.
    let page = http
        .get(format!("{base}/compte"))
        .send()
        .await
        .expect("account page")
        .text()
        .await
        .expect("html");
    let csrf = extract_csrf(&page).expect("session csrf");
    (http, csrf)
}

#[tokio::test]
async fn answered_operations_survive_kill_9_and_the_journal_verifies() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("coordo.db");
    let mut answered: Vec<String> = Vec::new();
    // The logged-in clients of every round: their sessions must outlive the crashes.
    let mut sessions: Vec<reqwest::Client> = Vec::new();
    for round in 0..3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("a")
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = start(&db, port);
        wait_up(&base).await;
        let conn = sea_orm::Database::connect(format!("sqlite://{}", db.display()))
            .await
            .expect("db");
        clear_forced_password_change(&conn).await;
        conn.close().await.expect("close");
        let (http, csrf) = login(&base).await;
        sessions.push(http.clone());
        // Everything answered before the crash must still be there.
        let list: serde_json::Value = http
            .get(format!("{base}/api/v1/groupements/1/consultations"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let refs: Vec<&str> = list
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|c| c["reference"].as_str())
            .collect();
        for r in &answered {
            assert!(
                refs.contains(&r.as_str()),
                "round {round}: {r} was answered as created but is missing"
            );
        }
        // A workload of concurrent writers, killed in the middle.
        let mut tasks = Vec::new();
        for w in 0..4 {
            let http = http.clone();
            let csrf = csrf.clone();
            let base = base.clone();
            tasks.push(tokio::spawn(async move {
                let mut done = Vec::new();
                for i in 0..1000 {
                    let reference = format!("R{round}-W{w}-{i}");
                    let body = serde_json::json!({"reference": reference, "objet": "Charge", "nature": "services", "cpv": "48000000-8", "ccag": "tic"});
                    match http.post(format!("{base}/api/v1/groupements/1/consultations")).header("x-csrf-token", &csrf).json(&body).send().await {
                        Ok(r) if r.status() == 201 => done.push(reference),
                        _ => break,
                    }
                }
                done
            }));
        }
        tokio::time::sleep(Duration::from_millis(700 + 300 * round)).await;
        child.kill().expect("kill -9");
        child.wait().expect("reaped");
        for t in tasks {
            answered.extend(t.await.expect("join"));
        }
        let verify = coordo_cmd(&db, &["audit", "verify"]);
        assert!(
            verify.status.success(),
            "round {round}: {}",
            stderr(&verify)
        );
    }
    assert!(
        answered.len() > 10,
        "the workload did run ({} operations)",
        answered.len()
    );
    // Final restart: all of them, and no half-written consultation (each has its journal entry).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("a")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start(&db, port);
    wait_up(&base).await;
    for (round, old) in sessions.iter().enumerate() {
        let r = old.get(format!("{base}/g/1")).send().await.expect("page");
        assert_eq!(
            r.status(),
            200,
            "the session opened in round {round} did not survive kill -9 and restart"
        );
    }
    let (http, _) = login(&base).await;
    let list: serde_json::Value = http
        .get(format!("{base}/api/v1/groupements/1/consultations"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let n_consultations = list.as_array().expect("array").len();
    assert!(n_consultations >= answered.len());
    let conn = sea_orm::Database::connect(format!("sqlite://{}", db.display()))
        .await
        .expect("db");
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let created = coordo::db::entities::audit_entry::Entity::find()
        .filter(coordo::db::entities::audit_entry::Column::Action.eq("consultation.creation"))
        .count(&conn)
        .await
        .expect("count");
    assert_eq!(
        created as usize, n_consultations,
        "every stored consultation has its journal entry, and only those"
    );
    child.kill().expect("kill");
    child.wait().expect("reaped");
}
