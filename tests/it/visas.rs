//! Member visas on every piece, pinned to the exact version: unanimity opens publication, one
//! défavorable blocks it with the French reason, a new version needs a new round, tacit visas
//! count jours ouvrés across a holiday, proxies (art. 8.1), visas at the same instant, the
//! e-mails on a real SMTP server with the piece attached, reminders sent once, the bordereau.

mod answers;
mod bordereau;
mod publication;
mod reminders;

use crate::support::*;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub(super) fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Paris wall-clock time (summer time in May: UTC+2).
pub(super) fn paris(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    chrono_tz::Europe::Paris
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("instant")
        .with_timezone(&Utc)
}

/// The software tender with its DCE data and the versions of `kinds` generated.
pub(super) async fn tender(app: &TestApp, kinds: &[&str]) -> (Client, i32, i32) {
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
pub(super) async fn submit(
    c: &Client,
    gid: i32,
    cid: i32,
    kinds: &[&str],
    due: &str,
) -> reqwest::Response {
    let mut f: Vec<(&str, &str)> = kinds.iter().map(|k| ("pieces", *k)).collect();
    f.push(("due_on", due));
    c.post_form(&format!("/g/{gid}/consultations/{cid}/visas/rounds"), &f)
        .await
}

pub(super) async fn state(c: &Client, gid: i32, cid: i32) -> Value {
    let r = c
        .get(&format!(
            "/api/v1/groupements/{gid}/consultations/{cid}/visas"
        ))
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

pub(super) async fn latest_round(c: &Client, gid: i32, cid: i32) -> i64 {
    state(c, gid, cid).await["rounds"][0]["id"]
        .as_i64()
        .expect("a round")
}

pub(super) async fn answer(
    c: &Client,
    gid: i32,
    cid: i32,
    rid: i64,
    body: Value,
) -> reqwest::Response {
    c.post_json(
        &format!("/api/v1/groupements/{gid}/consultations/{cid}/visas/rounds/{rid}/answer"),
        &body,
    )
    .await
}

/// Every member's FINESS juridique, in convention order.
pub(super) async fn finesses(app: &TestApp) -> Vec<String> {
    coordo::registry::service::members(&app.state.db, app.gid().await)
        .await
        .expect("members")
        .into_iter()
        .map(|m| m.member.finess_juridique)
        .collect()
}

/// Each référent answers `decision` on each piece of `kinds`, except those in `skip`.
pub(super) async fn all_answer(
    app: &TestApp,
    gid: i32,
    cid: i32,
    rid: i64,
    kinds: &[&str],
    skip: &[&str],
) {
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

pub(super) async fn transition(c: &Client, gid: i32, cid: i32, to: &str) -> reqwest::Response {
    c.post_form(
        &format!("/g/{gid}/consultations/{cid}/transition"),
        &[("statut", to)],
    )
    .await
}
