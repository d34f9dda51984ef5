//! Offers: the seal until the deadline (pages and API, by role), late and replaced plis, the
//! criteria grid validation, every price formula and a tie through HTTP; the CAO's blind scoring,
//! the ranking, the rapport d'analyse and the CSV are in `src/scoring/`.

mod admissibility;
mod platform_register;
mod scoring;

use crate::support::*;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

pub const S_ALPHA: &str = "73282932000074";
pub const S_BETA: &str = "44306184100047";
pub const S_GAMMA: &str = "55203253400646";
pub const S_DELTA: &str = "40483304800022";

pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("date")
}

/// 15 January 2027 at 12:00 in Paris.
pub fn deadline() -> DateTime<Utc> {
    utc(2027, 1, 15, 11, 0, 0)
}

/// The software tender (deadline 15 January 2027 12:00 Paris), published, and its
/// coordonnateur.
pub async fn tender(app: &TestApp) -> (Client, i32, i32) {
    let coord = app.login(&coord_email()).await;
    let cid = crate::consultations::software_tender(app, &coord).await;
    publish_fixture(app, cid).await;
    (coord, app.gid().await, cid)
}

/// Fixture: puts consultation `cid` in `publiee` (plis are registered only on a published
/// consultation). The publication path itself (DCE, visas of the ten members, publication) is
/// driven through the pages by the browser journey and by `visas/publication.rs`.
pub async fn publish_fixture(app: &TestApp, cid: i32) {
    set_status_fixture(app, cid, "publiee").await;
}

/// Fixture: sets the status of consultation `cid` directly.
pub async fn set_status_fixture(app: &TestApp, cid: i32, status: &str) {
    use coordo::db::entities::consultation;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let c = consultation::Entity::find_by_id(cid)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("c");
    let mut a: consultation::ActiveModel = c.into();
    a.status = Set(status.into());
    a.update(&app.state.db).await.expect("update");
}

pub fn offres(gid: i32, cid: i32) -> String {
    format!("/g/{gid}/consultations/{cid}/offres")
}

pub fn api(gid: i32, cid: i32) -> String {
    format!("/api/v1/groupements/{gid}/consultations/{cid}/offres")
}

/// Registers a pli transcribed from the buyer's platform: its reception time `at` is the
/// platform's, with the reference of its receipt.
pub async fn add_pli(
    c: &Client,
    gid: i32,
    cid: i32,
    name: &str,
    siret: &str,
    at: &str,
) -> reqwest::Response {
    let receipt = format!("AR-{name}-{at}");
    c.post_form(
        &format!("{}/plis", offres(gid, cid)),
        &[
            ("bidder_name", name),
            ("siret", siret),
            ("address", "12 rue Nationale, 59000 Lille"),
            ("contact_email", "offres@exemple.fr"),
            ("received_at", at),
            ("channel", "profil_acheteur"),
            ("platform_receipt", &receipt),
        ],
    )
    .await
}

/// Registers a pli received in Coordo: the reception time is the system's clock.
pub async fn receive_pli(
    c: &Client,
    gid: i32,
    cid: i32,
    name: &str,
    siret: &str,
) -> reqwest::Response {
    c.post_form(
        &format!("{}/plis", offres(gid, cid)),
        &[
            ("bidder_name", name),
            ("siret", siret),
            ("address", "12 rue Nationale, 59000 Lille"),
            ("contact_email", "offres@exemple.fr"),
            ("channel", "papier"),
        ],
    )
    .await
}

pub async fn plis(c: &Client, gid: i32, cid: i32) -> Value {
    let r = c.get(&api(gid, cid)).await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.expect("json")["plis"].clone()
}

/// The id of the pli of `name` that counts (neither late nor replaced).
pub fn pli_id(list: &Value, name: &str) -> String {
    list.as_array()
        .expect("array")
        .iter()
        .find(|p| {
            p["soumissionnaire"] == name && p["remplace"] == false && p["hors_delai"] == false
        })
        .unwrap_or_else(|| panic!("no pli of {name}: {list}"))["id"]
        .to_string()
}

pub async fn price(c: &Client, gid: i32, cid: i32, pid: &str, amount: &str) -> u16 {
    c.post_form(
        &format!("{}/plis/{pid}/prix", offres(gid, cid)),
        &[("price_ht", amount)],
    )
    .await
    .status()
    .as_u16()
}

pub async fn exam(c: &Client, gid: i32, cid: i32, pid: &str, status: &str, reason: &str) -> u16 {
    c.post_form(
        &format!("{}/plis/{pid}/examen", offres(gid, cid)),
        &[("status", status), ("reason", reason)],
    )
    .await
    .status()
    .as_u16()
}

pub async fn set_criteria(c: &Client, gid: i32, cid: i32, criteria: Value) -> reqwest::Response {
    c.post_json(
        &format!("{}/criteres", api(gid, cid)),
        &json!({ "criteres": criteria }),
    )
    .await
}

/// Fixture: sets the grid of a consultation that `publish_fixture` published without its DCE,
/// as the coordonnateur does before publication (the grid is frozen once the RC is published,
/// `visas/publication.rs`): the status goes back to `brouillon` for the call, then is restored.
pub async fn set_grid(
    app: &TestApp,
    c: &Client,
    gid: i32,
    cid: i32,
    criteria: Value,
) -> reqwest::Response {
    use coordo::db::entities::consultation;
    use sea_orm::EntityTrait;
    let status = consultation::Entity::find_by_id(cid)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("c")
        .status;
    set_status_fixture(app, cid, "brouillon").await;
    let r = set_criteria(c, gid, cid, criteria).await;
    set_status_fixture(app, cid, &status).await;
    r
}

/// Prices ALPHA 100 000 €, BETA 120 000 € and GAMMA 60 000 € (after the deadline), admits ALPHA
/// and BETA and declares GAMMA irregular for `why`; returns their pli ids.
pub async fn price_and_examine(
    c: &Client,
    gid: i32,
    cid: i32,
    why: &str,
) -> (String, String, String) {
    let list = plis(c, gid, cid).await;
    let (alpha, beta, gamma) = (
        pli_id(&list, "ALPHA"),
        pli_id(&list, "BETA"),
        pli_id(&list, "GAMMA"),
    );
    for (id, p) in [(&alpha, "100000"), (&beta, "120000"), (&gamma, "60000")] {
        assert_eq!(price(c, gid, cid, id, p).await, 303);
    }
    assert_eq!(exam(c, gid, cid, &alpha, "admissible", "").await, 303);
    assert_eq!(exam(c, gid, cid, &beta, "admissible", "").await, 303);
    assert_eq!(exam(c, gid, cid, &gamma, "irreguliere", why).await, 303);
    (alpha, beta, gamma)
}

async fn body(r: reqwest::Response) -> String {
    r.text().await.expect("body")
}

#[tokio::test]
async fn nobody_sees_or_prices_a_pli_before_the_deadline_and_referents_never_do() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = tender(&app).await;
    app.state.clock.set(utc(2027, 1, 10, 9, 0, 0));
    assert_eq!(
        add_pli(&coord, gid, cid, "ALPHA SANTÉ", S_ALPHA, "2027-01-09T10:15")
            .await
            .status(),
        303
    );
    assert_eq!(
        add_pli(
            &coord,
            gid,
            cid,
            "BETA DOMICILE",
            S_BETA,
            "2027-01-10T09:30"
        )
        .await
        .status(),
        303
    );
    let page = body(coord.get(&offres(gid, cid)).await).await;
    assert!(
        page.contains("Plis scellés") && page.contains("2 pli(s) reçu(s)"),
        "{page}"
    );
    assert!(
        page.contains("9 janvier 2027 à 10 h 15"),
        "only the instants: {page}"
    );
    assert!(
        !page.contains("ALPHA") && !page.contains(S_ALPHA),
        "no content before the deadline: {}",
        page.find("ALPHA")
            .or_else(|| page.find(S_ALPHA))
            .map(|i| &page[i.saturating_sub(300)..(i + 100).min(page.len())])
            .unwrap_or_default()
    );

    let r = coord.get(&api(gid, cid)).await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.expect("json");
    assert!(
        e["erreur"]
            .as_str()
            .expect("msg")
            .contains("scellés jusqu'à la date limite"),
        "{e}"
    );

    // No price before the deadline, by page or API, and nothing written.
    let before = app.audit_count().await;
    let id = coordo::offers::register::list(&app.state.db, cid)
        .await
        .expect("plis")[0]
        .id
        .to_string();
    assert_eq!(price(&coord, gid, cid, &id, "100000").await, 409);
    let r = coord
        .post_json(
            &format!("{}/plis/{id}/prix", api(gid, cid)),
            &json!({"prix_ht": "100000"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(app.audit_count().await, before);

    let cao = app.login(&cao_email("titulaire", SANTELYS)).await;
    let amoa = app.login(&amoa_email()).await;
    let referent = app.login(&referent_email(SANTELYS)).await;
    for c in [&cao, &amoa] {
        let p = body(c.get(&offres(gid, cid)).await).await;
        assert!(p.contains("Plis scellés") && !p.contains("ALPHA"));
        assert_eq!(c.get(&api(gid, cid)).await.status(), 409);
    }
    assert_eq!(referent.get(&offres(gid, cid)).await.status(), 403);
    assert_eq!(referent.get(&api(gid, cid)).await.status(), 403);
    // The consultation page links to the offers, except for a référent.
    let show = format!("/g/{gid}/consultations/{cid}");
    assert!(
        body(coord.get(&show).await)
            .await
            .contains("Offres et analyse")
    );
    assert!(
        !body(referent.get(&show).await)
            .await
            .contains("Offres et analyse")
    );

    // At the deadline exactly, the plis are opened for the coordonnateur, the AMOA and the CAO.
    app.state.clock.set(deadline());
    for c in [&coord, &cao, &amoa] {
        let list = plis(c, gid, cid).await;
        assert_eq!(list.as_array().map(Vec::len), Some(2));
        assert!(list.to_string().contains("ALPHA SANTÉ"));
    }
    assert_eq!(referent.get(&offres(gid, cid)).await.status(), 403);
    assert_eq!(referent.get(&api(gid, cid)).await.status(), 403);
    let before = app.audit_count().await;
    assert_eq!(price(&coord, gid, cid, &id, "100 000,00").await, 303);
    let list = plis(&coord, gid, cid).await;
    assert!(
        list.to_string().contains("\"prix_ht\":\"100000.00\""),
        "{list}"
    );
    assert_eq!(
        app.audit_count().await,
        before + 1,
        "one journal entry for the price"
    );
}

#[tokio::test]
async fn a_late_pli_is_never_opened_and_only_the_last_pli_of_a_bidder_counts() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = tender(&app).await;
    app.state.clock.set(utc(2027, 1, 15, 10, 50, 0));
    let before = app.audit_count().await;
    for (name, siret, at) in [
        ("ALPHA SANTÉ", S_ALPHA, "2027-01-14T16:12"),
        ("ALPHA SANTÉ", S_ALPHA, "2027-01-15T09:00"),
        ("BETA DOMICILE", S_BETA, "2027-01-15T11:50"),
    ] {
        assert_eq!(
            add_pli(&coord, gid, cid, name, siret, at).await.status(),
            303
        );
    }
    // A pli received in the future cannot be registered.
    let r = add_pli(&coord, gid, cid, "X", S_GAMMA, "2027-01-15T12:30").await;
    assert_eq!(r.status(), 422);
    assert!(body(r).await.contains("dans le futur"));
    app.state.clock.set(utc(2027, 1, 15, 12, 0, 0));
    let r = add_pli(&coord, gid, cid, "GAMMA", S_GAMMA, "2027-01-15T12:00:29").await;
    assert_eq!(r.status(), 303);
    let page = body(coord.get(&offres(gid, cid)).await).await;
    assert!(
        page.contains("hors délai et ne sera pas ouvert"),
        "flash: {page}"
    );
    // Received at 12:00:00 exactly: in time.
    assert_eq!(
        add_pli(&coord, gid, cid, "DELTA", S_DELTA, "2027-01-15T12:00:00")
            .await
            .status(),
        303
    );
    assert_eq!(
        app.audit_count().await,
        before + 5,
        "one entry per registration"
    );

    let list = plis(&coord, gid, cid).await;
    let find = |name: &str, at: &str| {
        list.as_array()
            .expect("array")
            .iter()
            .find(|p| {
                p["soumissionnaire"] == name
                    && p["recu_le"].as_str().is_some_and(|r| r.starts_with(at))
            })
            .unwrap_or_else(|| panic!("{name} {at}: {list}"))
            .clone()
    };
    let first = find("ALPHA SANTÉ", "2027-01-14T16:12");
    let last = find("ALPHA SANTÉ", "2027-01-15T09:00");
    let gamma = find("GAMMA", "2027-01-15T12:00:29");
    assert_eq!(first["remplace"], true);
    assert_eq!(last["remplace"], false);
    assert_eq!(gamma["hors_delai"], true);
    assert_eq!(gamma["statut_effectif"], "hors_delai");
    assert_eq!(find("DELTA", "2027-01-15T12:00:00")["hors_delai"], false);

    let r = coord
        .post_form(
            &format!("{}/plis/{}/prix", offres(gid, cid), gamma["id"]),
            &[("price_ht", "90000")],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(body(r).await.contains("hors délai"));
    let r = coord
        .post_form(
            &format!("{}/plis/{}/prix", offres(gid, cid), first["id"]),
            &[("price_ht", "90000")],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(
        body(r)
            .await
            .contains("seul le dernier pli reçu dans le délai est ouvert")
    );
    assert_eq!(
        price(&coord, gid, cid, &last["id"].to_string(), "95000").await,
        303
    );
    // The late pli is listed among the eliminated offers of the register page.
    let page = body(coord.get(&offres(gid, cid)).await).await;
    assert!(page.contains("remplacé par un pli ultérieur"), "{page}");
}

fn tech(sub_a: &str, sub_b: &str) -> Value {
    json!({"id": "tech", "label": "Valeur technique", "weight": "60", "kind": "evaluated", "scale": "20",
        "sub_criteria": [
            {"id": "fonct", "label": "Couverture fonctionnelle", "weight": sub_a},
            {"id": "deploi", "label": "Déploiement", "weight": sub_b}]})
}

#[tokio::test]
async fn weights_must_sum_to_100_and_sub_criteria_to_their_parent() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = tender(&app).await;
    let before = app.audit_count().await;
    let r = set_grid(&app, &coord, gid, cid, json!([tech("40", "10"),
        {"id": "prix", "label": "Prix", "weight": "30", "kind": "price", "formula": "proportional"}])).await;
    assert_eq!(r.status(), 422);
    let e = r.text().await.expect("body");
    assert!(
        e.contains("Les sous-critères du critère « tech » totalisent 50 points"),
        "{e}"
    );
    assert!(e.contains("vaut 90 points au lieu de 100"), "{e}");
    assert_eq!(app.audit_count().await, before, "nothing written");
    let got: Value = coord
        .get(&format!("{}/criteres", api(gid, cid)))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(got["criteres"], json!([]));

    // The page form: rows, French decimals, the error shown on the re-rendered form.
    let url = format!("{}/criteres", offres(gid, cid));
    let r = coord
        .post_form(
            &url,
            &[
                ("label_1", "Valeur technique"),
                ("weight_1", "60"),
                ("kind_1", "evaluated"),
                ("scale_1", "20"),
                ("label_2", "Prix"),
                ("weight_2", "30,5"),
                ("kind_2", "price"),
                ("formula_2", "min_max"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = body(r).await;
    assert!(page.contains("vaut 90.5 points au lieu de 100"), "{page}");
    assert!(
        page.contains("value=\"30,5\""),
        "the form keeps what was typed"
    );
    assert_eq!(app.audit_count().await, before);
    // Rows added and removed in place: « Ajouter des lignes » re-renders the grid as typed,
    // the row ticked « Supprimer » gone and the others renumbered, empty rows under it, and
    // saves nothing.
    let r = coord
        .post_form(
            &url,
            &[
                ("label_1", "Valeur technique"),
                ("weight_1", "60"),
                ("label_2", "Délai"),
                ("weight_2", "10"),
                ("remove_2", "on"),
                ("label_3", "Prix"),
                ("weight_3", "40"),
                ("kind_3", "price"),
                ("action", "lignes"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let page = body(r).await;
    assert!(!page.contains("Délai"), "{page}");
    assert!(page.contains("name=\"label_2\" value=\"Prix\""), "{page}");
    assert!(
        page.contains("name=\"label_6\""),
        "four empty rows under the two kept"
    );
    assert!(!page.contains("name=\"label_7\""), "{page}");
    assert_eq!(app.audit_count().await, before);

    // A valid grid without environmental criterion: saved, with the L2152-7 warning (launch
    // on 1 December 2026, after 21 August 2026).
    // Fixture: the form is used before publication, as the grid is frozen once published.
    set_status_fixture(&app, cid, "brouillon").await;
    let r = coord
        .post_form(
            &url,
            &[
                ("label_1", "Valeur technique"),
                ("weight_1", "70"),
                ("kind_1", "evaluated"),
                ("scale_1", "20"),
                ("label_2", "Prix"),
                ("weight_2", "30"),
                ("kind_2", "price"),
                ("formula_2", "min_max"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 1);
    set_status_fixture(&app, cid, "publiee").await;
    let page = body(coord.get(&url).await).await;
    assert!(
        page.contains("L2152-7") && page.contains("Avant la publication"),
        "{page}"
    );
    let got: Value = coord
        .get(&format!("{}/criteres", api(gid, cid)))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        got["avertissement_environnemental"]
            .as_str()
            .expect("w")
            .contains("L2152-7")
    );
    // With an environmental sub-criterion the warning disappears.
    let mut t = tech("40", "20");
    t["sub_criteria"][1]["environmental"] = json!(true);
    let r = set_grid(&app, &coord, gid, cid, json!([t,
        {"id": "prix", "label": "Prix", "weight": "40", "kind": "price", "formula": "proportional"}])).await;
    assert_eq!(r.status(), 200);
    let got: Value = r.json().await.expect("json");
    assert_eq!(got["avertissement_environnemental"], "");
    assert_eq!(got["erreurs"], json!([]));
}

/// Three admissible offers (100 000, 100 000, 150 000 €) on a price-only grid with `formula`,
/// set before the deadline: no notes needed, the ranking opens at once.
async fn three_priced_offers(app: &TestApp, formula: &str) -> (Client, i32, i32) {
    let (coord, gid, cid) = tender(app).await;
    let grid = json!([{"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": formula}]);
    assert_eq!(
        set_grid(app, &coord, gid, cid, grid.clone()).await.status(),
        200
    );
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    for (n, s) in [("ALPHA", S_ALPHA), ("BETA", S_BETA), ("GAMMA", S_GAMMA)] {
        assert_eq!(
            add_pli(&coord, gid, cid, n, s, "2027-01-14T10:00")
                .await
                .status(),
            303
        );
    }
    app.state.clock.set(utc(2027, 1, 15, 14, 0, 0));
    // Once the plis are opened, the announced criteria are frozen.
    let r = set_grid(app, &coord, gid, cid, grid).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.expect("t").contains("R2152-11"));
    let list = plis(&coord, gid, cid).await;
    for (n, p) in [("ALPHA", "100000"), ("BETA", "100000"), ("GAMMA", "150000")] {
        let id = pli_id(&list, n);
        assert_eq!(price(&coord, gid, cid, &id, p).await, 303);
        assert_eq!(exam(&coord, gid, cid, &id, "admissible", "").await, 303);
    }
    (coord, gid, cid)
}

async fn totals(c: &Client, gid: i32, cid: i32) -> Vec<(u64, String, String)> {
    let r = c.get(&format!("{}/classement", api(gid, cid))).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    v["lots"][0]["classement"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|o| {
            (
                o["rang"].as_u64().expect("rank"),
                o["soumissionnaire"].as_str().expect("name").to_owned(),
                o["total"].as_str().expect("total").to_owned(),
            )
        })
        .collect()
}

fn rows(v: &[(u64, &str, &str)]) -> Vec<(u64, String, String)> {
    v.iter()
        .map(|(r, n, t)| (*r, (*n).to_owned(), (*t).to_owned()))
        .collect()
}

#[tokio::test]
async fn each_price_formula_through_http_with_a_tie_sharing_the_first_rank() {
    // (formula, GAMMA's points): min-max 100 × (150 000 − P) / (150 000 − 100 000) = 0;
    // linear relative 100 × (2 − 150 000 / 100 000) = 50; proportional 100 × 100 000 / 150 000
    // = 66.666… shown 66.67. ALPHA and BETA tie at 100 and share the first rank.
    for (formula, gamma) in [
        ("min_max", "0.00"),
        ("linear_relative", "50.00"),
        ("proportional", "66.67"),
    ] {
        let app = TestApp::spawn().await;
        let (coord, gid, cid) = three_priced_offers(&app, formula).await;
        assert_eq!(
            totals(&coord, gid, cid).await,
            rows(&[
                (1, "ALPHA", "100.00"),
                (1, "BETA", "100.00"),
                (3, "GAMMA", gamma)
            ]),
            "{formula}"
        );
        if formula != "proportional" {
            continue;
        }
        let page = body(coord.get(&format!("{}/classement", offres(gid, cid))).await).await;
        assert!(page.contains("66,67") && page.contains("<svg"), "{page}");
        // An offer declared irregular leaves the ranking, with its reason.
        let list = plis(&coord, gid, cid).await;
        let beta = pli_id(&list, "BETA");
        assert_eq!(
            exam(&coord, gid, cid, &beta, "irreguliere", "").await,
            422,
            "a reason is required"
        );
        assert_eq!(
            exam(
                &coord,
                gid,
                cid,
                &beta,
                "irreguliere",
                "DQE incomplet, ligne 1.3"
            )
            .await,
            303
        );
        assert_eq!(
            totals(&coord, gid, cid).await,
            rows(&[(1, "ALPHA", "100.00"), (2, "GAMMA", "66.67")])
        );
    }
}

/// A price altered in the database (not through Coordo) is never read as 0 €, which would
/// rank it first: the ranking stops and says which pli and which value.
#[tokio::test]
async fn an_altered_price_stops_the_ranking_instead_of_counting_as_zero() {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = three_priced_offers(&app, "proportional").await;
    let list = plis(&coord, gid, cid).await;
    let gamma: i32 = pli_id(&list, "GAMMA").parse().expect("id");
    let row = coordo::db::entities::pli::Entity::find_by_id(gamma)
        .one(&app.state.db)
        .await
        .expect("db")
        .expect("pli");
    let mut a: coordo::db::entities::pli::ActiveModel = row.into();
    a.price_ht = Set(Some("15O000".into()));
    a.update(&app.state.db).await.expect("alter");
    let r = coord.get(&format!("{}/classement", api(gid, cid))).await;
    assert_eq!(r.status(), 500);
    let v: Value = r.json().await.expect("json");
    assert!(!v.to_string().contains("classement"), "{v}");
    let page = coord.get(&format!("{}/classement", offres(gid, cid))).await;
    assert_eq!(page.status(), 500);
    // The loader names the row and the value (for the log), and shows people only « Erreur
    // interne ».
    let Err(coordo::error::AppError::Internal(e)) =
        coordo::offers::analysis::load(&app.state.db, gid, cid).await
    else {
        panic!("the altered price must stop the load");
    };
    assert!(e.to_string().contains(&format!("pli n° {gamma}")), "{e}");
    assert!(e.to_string().contains("15O000"), "{e}");
}
