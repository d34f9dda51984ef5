//! Consultations: creation, lots and members' needs, the proposed procedure and legal calendar
//! on the page and the API, lifecycle transitions allowed and refused, bad input.

use crate::support::*;

/// The form of the software consultation (offers deadline 15 January 2027 at noon).
pub fn software_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("reference", "2026-DUI"),
        ("objet", "Acquisition d'un dossier usager informatisé"),
        ("nature", "services"),
        ("cpv", "48000000-8"),
        ("ccag", "tic"),
        ("vat_rate", "20"),
        ("launch_date", "2026-12-01"),
        ("offers_deadline_date", "2027-01-15"),
        ("offers_deadline_time", "12:00"),
    ]
}

/// Creates the software consultation with one lot and 35 000 € HT per member (350 000 € HT).
pub async fn software_tender(app: &TestApp, c: &Client) -> i32 {
    let gid = app.gid().await;
    let r = c
        .post_form(&format!("/g/{gid}/consultations"), &software_form())
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let loc = r.headers()["location"].to_str().expect("loc").to_owned();
    let cid: i32 = loc.rsplit('/').next().expect("id").parse().expect("int");
    add_lot_and_needs(app, c, cid).await;
    cid
}

/// Adds the lot « Solution DUI » and 35 000 € HT per member to consultation `cid`.
pub async fn add_lot_and_needs(app: &TestApp, c: &Client, cid: i32) {
    let gid = app.gid().await;
    assert_eq!(
        c.post_form(
            &format!("/g/{gid}/consultations/{cid}/lots"),
            &[("label", "Solution DUI")]
        )
        .await
        .status(),
        303
    );
    let lot_id = coordo::consultations::service::detail(
        &app.state.db,
        gid,
        cid,
        app.state.clock.today_paris(),
    )
    .await
    .expect("detail")
    .lots[0]
        .lot
        .id
        .to_string();
    for m in coordo::registry::service::members(&app.state.db, gid)
        .await
        .expect("members")
    {
        let mid = m.member.id.to_string();
        let r = c
            .post_form(
                &format!("/g/{gid}/consultations/{cid}/needs"),
                &[
                    ("lot_id", &lot_id),
                    ("member_id", &mid),
                    ("amount_ht", "35 000,00"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
    }
}

#[tokio::test]
async fn the_software_tender_gets_an_appel_d_offres_with_its_calendar() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let before = app.audit_count().await;
    let cid = software_tender(&app, &c).await;
    assert_eq!(
        app.audit_count().await,
        before + 12,
        "creation, lot, ten needs: each journaled"
    );
    let html = c
        .get(&format!("/g/{gid}/consultations/{cid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("Appel d&#x27;offres ouvert") || html.contains("Appel d'offres ouvert"),
        "{html}"
    );
    assert!(html.contains("350 000,00 €"));
    assert!(html.contains("420 000,00 €"), "TTC at 20 %");
    assert!(html.contains("15 janvier 2027"));
    assert!(html.contains("<svg"), "timeline picture");
    assert!(html.contains("L1414-2"), "the CAO attributes");
    // The dashboard lists it with its next legal deadline.
    let dash = c
        .get(&format!("/g/{gid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        dash.contains("2026-DUI") && dash.contains("1er décembre 2026"),
        "{dash}"
    );
}

#[tokio::test]
async fn a_too_short_offer_delay_is_warned_with_its_article() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = software_tender(&app, &c).await;
    let mut form = software_form();
    form.retain(|(k, _)| *k != "offers_deadline_date");
    form.push(("offers_deadline_date", "2026-12-20"));
    assert_eq!(
        c.post_form(&format!("/g/{gid}/consultations/{cid}"), &form)
            .await
            .status(),
        303
    );
    let html = c
        .get(&format!("/g/{gid}/consultations/{cid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("R2161"),
        "a 19-day delay breaks the 30-day minimum: {html}"
    );
}

#[tokio::test]
async fn bad_consultation_input_is_refused_in_french_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let before = app.audit_count().await;
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations"),
            &[
                ("reference", ""),
                ("objet", "<script>alert(1)</script>"),
                ("nature", "jardinage"),
                ("cpv", "12"),
                ("ccag", "tic"),
                ("launch_date", "2027-02-01"),
                ("offers_deadline_date", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(html.contains("la référence est obligatoire"));
    assert!(html.contains("code CPV"));
    assert!(html.contains("doit suivre la date de lancement"));
    assert!(!html.contains("<script>alert(1)</script>"));
    assert_eq!(app.audit_count().await, before);
    // A negative need is refused too.
    let cid = software_tender(&app, &c).await;
    let n = app.audit_count().await;
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/needs"),
            &[("lot_id", "1"), ("member_id", "1"), ("amount_ht", "-100")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.audit_count().await, n);
}

#[tokio::test]
async fn transitions_are_refused_with_their_reason_and_sans_suite_needs_a_motif() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = software_tender(&app, &c).await;
    let before = app.audit_count().await;
    let path = format!("/g/{gid}/consultations/{cid}/transition");
    let r = c.post_form(&path, &[("statut", "pieces_en_visa")]).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains("le DCE ne contient aucune pièce")
    );
    let r = c.post_form(&path, &[("statut", "publiee")]).await;
    assert_eq!(r.status(), 409, "no jump from brouillon to publiée");
    let r = c.post_form(&path, &[("statut", "sans_suite")]).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains("motif d&#x27;intérêt général")
    );
    assert_eq!(app.audit_count().await, before, "refusals write nothing");
    let r = c
        .post_form(
            &path,
            &[
                ("statut", "sans_suite"),
                (
                    "motif",
                    "Disparition du besoin après la fusion de deux membres",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 1);
    let api: serde_json::Value = c
        .get(&format!("/api/v1/groupements/{gid}/consultations/{cid}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(api["status"], "sans_suite");
    // A closed consultation cannot be edited any more.
    let r = c
        .post_form(&format!("/g/{gid}/consultations/{cid}"), &software_form())
        .await;
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn the_api_creates_lists_and_details_consultations() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let body = serde_json::json!({"reference": "2026-AMOA", "objet": "Assistance à maîtrise d'ouvrage", "nature": "services",
        "cpv": "72224000-1", "ccag": "pi", "launch_date": "2026-12-01"});
    let r = c
        .post_json(&format!("/api/v1/groupements/{gid}/consultations"), &body)
        .await;
    assert_eq!(r.status(), 201);
    let created: serde_json::Value = r.json().await.expect("json");
    assert_eq!(created["status"], "brouillon");
    let again = c
        .post_json(&format!("/api/v1/groupements/{gid}/consultations"), &body)
        .await;
    assert_eq!(
        again.status(),
        422,
        "the reference is unique in the groupement"
    );
    let list: serde_json::Value = c
        .get(&format!("/api/v1/groupements/{gid}/consultations"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let id = created["id"].as_i64().expect("id");
    let r = c
        .post_json(
            &format!("/api/v1/groupements/{gid}/consultations/{id}/transition"),
            &serde_json::json!({"statut": "publiee"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let e: serde_json::Value = r.json().await.expect("json");
    assert!(
        e["erreur"]
            .as_str()
            .expect("msg")
            .contains("Transition impossible")
    );
    // A référent reads but cannot create.
    let referent = app.login(&referent_email(SANTELYS)).await;
    assert_eq!(
        referent
            .get(&format!("/api/v1/groupements/{gid}/consultations/{id}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        referent
            .post_json(&format!("/api/v1/groupements/{gid}/consultations"), &body)
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn choosing_another_procedure_needs_a_written_justification() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = software_tender(&app, &c).await;
    let path = format!("/g/{gid}/consultations/{cid}/procedure");
    let r = c
        .post_form(
            &path,
            &[
                ("procedure", "procedure_adaptee"),
                ("justification", "trop court"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let before = app.audit_count().await;
    let r = c
        .post_form(
            &path,
            &[
                ("procedure", "appel_offres_ouvert"),
                (
                    "justification",
                    "identique à la proposition, aucun changement",
                ),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        422,
        "choosing the proposed procedure is not an override"
    );
    let just = "Deux unités fonctionnelles distinctes : le logiciel et la formation relèvent de besoins séparés.";
    let r = c
        .post_form(
            &path,
            &[("procedure", "procedure_adaptee"), ("justification", just)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 1);
    let html = c
        .get(&format!("/g/{gid}/consultations/{cid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("Deux unités fonctionnelles distinctes"));
}

/// Every `name`/`value` pair of the inputs of the needs grid (as the browser sends it; the
/// import form below it is another form).
fn inputs(html: &str) -> Vec<(String, String)> {
    let grid = html
        .split("Importer depuis un tableur")
        .next()
        .unwrap_or(html);
    grid.split("<input ")
        .skip(1)
        .filter_map(|tag| {
            let attr = |a: &str| {
                let i = tag.find(&format!("{a}=\""))? + a.len() + 2;
                Some(tag[i..i + tag[i..].find('"')?].to_owned())
            };
            Some((attr("name")?, attr("value").unwrap_or_default()))
        })
        .filter(|(n, _)| n != "csrf_token")
        .collect()
}

async fn send(c: &Client, url: &str, cells: &[(String, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = cells
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    c.post_form(url, &pairs).await
}

#[tokio::test]
async fn the_needs_of_every_member_are_entered_in_one_grid_all_or_nothing() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = software_tender(&app, &c).await;
    let url = format!("/g/{gid}/consultations/{cid}/besoins");
    let page = c.get(&url).await.text().await.expect("html");
    let mut cells = inputs(&page);
    assert_eq!(cells.len(), 10 * 5, "ten members, five cells each");
    let santelys = app.member_id(SANTELYS).await;
    let ronchin = app.member_id(RONCHIN).await;
    let amount = |cells: &mut Vec<(String, String)>, mid: i32, v: &str| {
        let key = format!("_{mid}_amount_ht");
        let cell = cells
            .iter_mut()
            .find(|(n, _)| n.ends_with(&key))
            .expect("cell");
        cell.1 = v.to_owned();
    };
    assert!(
        cells.iter().any(|(_, v)| v.starts_with("35000")),
        "stored needs shown: {cells:?}"
    );
    // One bad cell: refused, named by lot and member, nothing stored.
    amount(&mut cells, santelys, "40 000,00");
    amount(&mut cells, ronchin, "trente mille");
    let before = app.audit_count().await;
    let r = send(&c, &url, &cells).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Lot 1, CCAS DE RONCHIN : montant HT"),
        "{html}"
    );
    assert!(html.contains("trente mille"), "the typed value is kept");
    assert_eq!(app.audit_count().await, before);
    // Fixed: one submit records the one change; the same grid again changes nothing.
    amount(&mut cells, ronchin, "30 000");
    assert_eq!(send(&c, &url, &cells).await.status(), 303);
    assert_eq!(
        app.audit_count().await,
        before + 2,
        "two needs changed, two entries"
    );
    let page = c.get(&url).await.text().await.expect("html");
    assert!(page.contains("2 besoins enregistrés"), "{page}");
    assert!(
        page.contains("value=\"40000,00\"") || page.contains("value=\"40000\""),
        "{page}"
    );
    let cells = inputs(&page);
    assert_eq!(send(&c, &url, &cells).await.status(), 303);
    assert_eq!(app.audit_count().await, before + 2);
}
