//! The CAO of the groupement: composition of the seed, séances, quorum, conflicts of interest,
//! deliberations, the documents read back independently, authorisation and the journal.

mod composition;
mod deliberation;
mod documents;
mod pv;
mod seance;

use crate::support::*;
use chrono::{TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The members' FINESS juridique, in the convention's order (CCAS de Wattrelos is 6th).
pub const MEMBERS: [&str; 10] = [
    "590036745", // SANTELYS
    "590798377", // CCAS DE RONCHIN
    "590000329", // TEMPLEUVE
    "590057857", // INEA
    "020011078", // CCAS DE BOHAIN
    COORD_FINESS,
    "620001735", // AMB ASSAD
    "590797528", // CCAS D'ARMENTIERES
    "620023713", // ADOMLYS
    "620002378", // MARQUISE
];

/// Puts the service's clock on `y-m-d` at 13:00 UTC (14:00 or 15:00 in Paris).
pub fn set_day(app: &TestApp, y: i32, m: u32, d: u32) {
    app.state.clock.set(
        Utc.with_ymd_and_hms(y, m, d, 13, 0, 0)
            .single()
            .expect("date"),
    );
}

/// The mandate id (person key) of the demo account of a seat (`titulaire`/`suppleant`) or of
/// the AMOA (`amoa`).
pub async fn seat(app: &TestApp, which: &str, finess: &str) -> String {
    use coordo::db::entities::cao_seat_assignment as a;
    let email = if which == "amoa" {
        amoa_email()
    } else {
        cao_email(which, finess)
    };
    a::Entity::find()
        .filter(a::Column::PersonEmail.eq(&email))
        .one(&app.state.db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no mandate for {email}"))
        .id
        .to_string()
}

/// The titulaires of the first `n` members (CCAS de Wattrelos, the président, is 6th).
pub async fn titulaires(app: &TestApp, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for f in &MEMBERS[..n] {
        out.push(seat(app, "titulaire", f).await);
    }
    out
}

/// POSTs a form that must succeed (303) and journal exactly one entry (emails queued by the
/// action are journaled on their own and not counted here).
pub async fn step(app: &TestApp, c: &Client, path: &str, fields: &[(&str, &str)]) {
    let before = app.audit_count_except_mail().await;
    let r = c.post_form(path, fields).await;
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    assert_eq!(status, 303, "{path} {fields:?}: {body}");
    assert_eq!(
        app.audit_count_except_mail().await,
        before + 1,
        "{path}: one journal entry"
    );
}

/// POSTs a form that must be refused with `status`, writing nothing; returns the page.
pub async fn refused(
    app: &TestApp,
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
    status: u16,
) -> String {
    let before = app.audit_count().await;
    let r = c.post_form(path, fields).await;
    let got = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    assert_eq!(got, status, "{path} {fields:?}: {body}");
    assert_eq!(app.audit_count().await, before, "{path}: nothing journaled");
    body
}

/// Creates a séance on `date` at 14:00 with the given agenda items (target, decision), each the
/// choice of an attributaire; the bidders come from the register of plis, never from the form.
pub async fn new_seance(app: &TestApp, c: &Client, date: &str, items: &[(&str, &str)]) -> i32 {
    let kinds: Vec<(&str, &str, &str)> = items.iter().map(|(t, d)| (*t, "", *d)).collect();
    new_seance_with(app, c, date, &kinds).await
}

/// As [`new_seance`], with each item's nature (`attribution`, `autre`; empty for the default):
/// (target, kind, decision).
pub async fn new_seance_with(
    app: &TestApp,
    c: &Client,
    date: &str,
    items: &[(&str, &str, &str)],
) -> i32 {
    let gid = app.gid().await;
    let mut fields: Vec<(String, String)> = vec![
        ("date".into(), date.into()),
        ("time".into(), "14:00".into()),
        (
            "place".into(),
            "salle du conseil d'administration du CCAS de Wattrelos".into(),
        ),
        ("secretary".into(), "Mme Duhamel, service marchés".into()),
    ];
    for (i, (t, k, d)) in items.iter().enumerate() {
        let n = i + 1;
        fields.push((format!("item{n}_target"), (*t).into()));
        if !k.is_empty() {
            fields.push((format!("item{n}_kind"), (*k).into()));
        }
        fields.push((format!("item{n}_decision"), (*d).into()));
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let before = app.audit_count().await;
    let r = c.post_form(&format!("/g/{gid}/cao/seances"), &refs).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(app.audit_count().await, before + 1);
    let loc = r.headers()["location"].to_str().expect("loc").to_owned();
    loc.rsplit('/').next().expect("id").parse().expect("int")
}

/// The software consultation of the consultations tests, as agenda target `C<id>`.
pub async fn tender(app: &TestApp, coord: &Client) -> String {
    format!(
        "C{}",
        crate::consultations::software_tender(app, coord).await
    )
}

/// Records the convocation sent on `sent` (clock moved there), then moves the clock to the
/// séance's day and records who is present.
pub async fn convene_and_sit(
    app: &TestApp,
    c: &Client,
    sid: i32,
    sent: (i32, u32, u32),
    day: (i32, u32, u32),
    present: &[String],
) {
    let gid = app.gid().await;
    set_day(app, sent.0, sent.1, sent.2);
    let sent_on = format!("{}-{:02}-{:02}", sent.0, sent.1, sent.2);
    step(
        app,
        c,
        &format!("/g/{gid}/cao/seances/{sid}/convocation"),
        &[("sent_on", &sent_on)],
    )
    .await;
    set_day(app, day.0, day.1, day.2);
    attend(app, c, sid, present).await;
}

/// Records the attendance (one journal entry).
pub async fn attend(app: &TestApp, c: &Client, sid: i32, present: &[String]) {
    let gid = app.gid().await;
    let keys: Vec<String> = present.iter().map(|p| format!("present_{p}")).collect();
    let fields: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "on")).collect();
    step(
        app,
        c,
        &format!("/g/{gid}/cao/seances/{sid}/attendance"),
        &fields,
    )
    .await;
}

/// The séance as the API returns it.
pub async fn api_seance(app: &TestApp, c: &Client, sid: i32) -> serde_json::Value {
    let gid = app.gid().await;
    let r = c
        .get(&format!("/api/v1/groupements/{gid}/cao/seances/{sid}"))
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

/// The agenda item ids of a séance.
pub async fn items(app: &TestApp, c: &Client, sid: i32) -> Vec<String> {
    api_seance(app, c, sid).await["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].to_string())
        .collect()
}

/// Each of `who` declares no conflict on `item` (recorded by the manager `c`).
pub async fn no_conflicts(app: &TestApp, c: &Client, sid: i32, item: &str, who: &[String]) {
    let gid = app.gid().await;
    for p in who {
        step(
            app,
            c,
            &format!("/g/{gid}/cao/seances/{sid}/declarations"),
            &[("item_id", item), ("person", p), ("conflict", "non")],
        )
        .await;
    }
}

/// Records each (person, choice) vote on `item`.
pub async fn votes(app: &TestApp, c: &Client, sid: i32, item: &str, vs: &[(&String, &str)]) {
    let gid = app.gid().await;
    for (p, choice) in vs {
        step(
            app,
            c,
            &format!("/g/{gid}/cao/seances/{sid}/votes"),
            &[
                ("item_id", item),
                ("person", p.as_str()),
                ("choice", choice),
            ],
        )
        .await;
    }
}

/// The CAO meets on 26 January 2027 (convened on the 20th) with six titulaires, the président
/// among them, and unanimously adopts the award of consultation `cid` to ALPHA; returns the
/// séance id.
pub async fn adopts_the_award(app: &TestApp, coord: &Client, cid: i32) -> i32 {
    let gid = app.gid().await;
    let six = titulaires(app, 6).await;
    let target = format!("C{cid}");
    let agenda = [(target.as_str(), "Attribuer l'accord-cadre à ALPHA")];
    let sid = new_seance(app, coord, "2027-01-26", &agenda).await;
    convene_and_sit(app, coord, sid, (2027, 1, 20), (2027, 1, 26), &six).await;
    let ids = items(app, coord, sid).await;
    let president = app.login(&cao_email("titulaire", COORD_FINESS)).await;
    no_conflicts(app, &president, sid, &ids[0], &six).await;
    let ballots: Vec<(&String, &str)> = six.iter().map(|p| (p, "pour")).collect();
    votes(app, &president, sid, &ids[0], &ballots).await;
    step(
        app,
        &president,
        &format!("/g/{gid}/cao/seances/{sid}/deliberations"),
        &[("item_id", &ids[0])],
    )
    .await;
    sid
}
