//! The DQE on the pli, through the real server: the workbook downloaded from the published
//! BPU version, filled by another library (openpyxl, installed by tests/run.sh), uploaded on
//! an opened pli. An accepted workbook gives the price of the offer (to the cent) that the
//! ranking uses; a workbook with a changed quantity is refused with French messages naming the
//! cell and nothing is stored; announced amounts that differ are shown and wait for the
//! coordonnateur's reasoned decision; the same file twice changes nothing; a référent never
//! reaches it.

use crate::offers::{
    S_ALPHA, S_BETA, S_DELTA, S_GAMMA, api, exam, offres, pli_id, plis, price, publish_fixture,
    receive_pli, set_criteria, utc,
};
use crate::support::*;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

/// Fills every line's unit price with `prices` (in order); `quantite` changes the first
/// member's quantity of line 1.1; `total=X` types X in the lot's « total HT » cell.
const FILL: &str = r#"
import sys, openpyxl
src, dst, mode, prices = sys.argv[1], sys.argv[2], sys.argv[3], [float(p) for p in sys.argv[4].split(",")]
wb = openpyxl.load_workbook(src)
for ws in wb.worksheets:
    pu = [c.column for c in ws[5] if c.value == "Prix unitaire HT"][0]
    row, i = 6, 0
    while ws.cell(row=row, column=1).value:
        ws.cell(row=row, column=pu).value = prices[i % len(prices)]
        row, i = row + 1, i + 1
    if mode == "quantite":
        ws.cell(row=6, column=4).value = 1
    if mode.startswith("total="):
        ws.cell(row=row, column=pu + 1).value = float(mode[6:])
wb.save(dst)
"#;

fn fill(blank: &[u8], mode: &str, prices: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tmp");
    let (src, dst) = (dir.path().join("dqe.xlsx"), dir.path().join("rempli.xlsx"));
    std::fs::write(&src, blank).expect("write");
    let o = std::process::Command::new("python3")
        .args(["-c", FILL])
        .arg(&src)
        .arg(&dst)
        .arg(mode)
        .arg(prices)
        .output()
        .expect("python3 (openpyxl is installed by tests/run.sh)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(&dst).expect("filled")
}

/// A published software tender with two price lines (19 licences, 2.5 days of training), its
/// BPU generated, a price-only grid, the plis of ALPHA, BETA, GAMMA and DELTA received in time
/// and opened; returns the coordonnateur, the ids and the blank DQE of the published BPU.
async fn opened_tender(app: &TestApp) -> (Client, i32, i32, Vec<u8>) {
    let coord = app.login(&coord_email()).await;
    let (gid, cid) = crate::pieces::ready_tender(app, &coord).await;
    let lot = coordo::consultations::service::detail(
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
    let members = coordo::registry::service::members(&app.state.db, gid)
        .await
        .expect("members");
    let (q0, q1) = (
        format!("r0_q{}", members[0].member.id),
        format!("r1_q{}", members[1].member.id),
    );
    let q0b = format!("r0_q{}", members[1].member.id);
    let r = coord
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/lignes-de-prix"),
            &[
                ("r0_lot", &lot),
                ("r0_label", "Licence d'utilisation du logiciel DUI"),
                ("r0_unit", "licence × an"),
                (&q0, "12"),
                (&q0b, "7"),
                ("r1_lot", &lot),
                ("r1_label", "Journée de formation sur site"),
                ("r1_unit", "jour"),
                (&q1, "2,5"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let r = coord
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/pieces/bpu/generate"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let grid = json!([{"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": "proportional"}]);
    assert_eq!(set_criteria(&coord, gid, cid, grid).await.status(), 200);
    publish_fixture(app, cid).await;
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    for (n, s) in [
        ("ALPHA", S_ALPHA),
        ("BETA", S_BETA),
        ("GAMMA", S_GAMMA),
        ("DELTA", S_DELTA),
    ] {
        assert_eq!(receive_pli(&coord, gid, cid, n, s).await.status(), 303);
    }
    app.state.clock.set(utc(2027, 1, 15, 14, 0, 0));
    let r = coord
        .get(&format!(
            "/g/{gid}/consultations/{cid}/pieces/bpu/versions/1/dqe.xlsx"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let blank = r.bytes().await.expect("xlsx").to_vec();
    (coord, gid, cid, blank)
}

fn dqe_url(gid: i32, cid: i32, pid: &str) -> String {
    format!("{}/plis/{pid}/dqe", offres(gid, cid))
}

async fn upload(c: &Client, gid: i32, cid: i32, pid: &str, bytes: &[u8]) -> reqwest::Response {
    c.post_file(&dqe_url(gid, cid, pid), "fichier", "DQE rempli.xlsx", bytes)
        .await
}

async fn price_of(c: &Client, gid: i32, cid: i32, name: &str) -> Value {
    plis(c, gid, cid)
        .await
        .as_array()
        .expect("plis")
        .iter()
        .find(|p| p["soumissionnaire"] == name)
        .expect("pli")["prix_ht"]
        .clone()
}

async fn rows(app: &TestApp) -> (u64, u64) {
    use coordo::db::entities::{pli_dqe, pli_dqe_line};
    use sea_orm::{EntityTrait, PaginatorTrait};
    (
        pli_dqe::Entity::find()
            .count(&app.state.db)
            .await
            .expect("count"),
        pli_dqe_line::Entity::find()
            .count(&app.state.db)
            .await
            .expect("count"),
    )
}

async fn ranking(c: &Client, gid: i32, cid: i32) -> Vec<(u64, String, String)> {
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

#[tokio::test]
async fn an_uploaded_dqe_prices_the_offer_to_the_cent_once_and_a_referent_never_sees_it() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid, blank) = opened_tender(&app).await;
    let list = plis(&coord, gid, cid).await;
    let (alpha, beta) = (pli_id(&list, "ALPHA"), pli_id(&list, "BETA"));

    // ALPHA: 19 licences × 72 = 1 368,00; 2,5 days × 19,99 = 49,975 → 49,98 (half away from
    // zero); total 1 417,98 € HT.
    let alpha_dqe = fill(&blank, "ok", "72,19.99");
    let before = app.audit_count().await;
    let r = upload(&coord, gid, cid, &alpha, &alpha_dqe).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(price_of(&coord, gid, cid, "ALPHA").await, json!("1417.98"));
    assert_eq!(app.audit_count().await, before + 1, "one journal entry");
    assert_eq!(rows(&app).await, (1, 2));
    let page = coord
        .get(&dqe_url(gid, cid, &alpha))
        .await
        .text()
        .await
        .expect("page");
    for needle in ["DQE consigné", "72,00", "19,99", "49,98", "1 417,98"] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    let journal: Vec<String> = coordo::db::entities::audit_entry::Entity::find()
        .all(&app.state.db)
        .await
        .expect("journal")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(journal.iter().any(|a| a == "offres.dqe"), "{journal:?}");

    // The same workbook again: nothing changes, no second entry.
    let r = upload(&coord, gid, cid, &alpha, &alpha_dqe).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 1, "idempotent");
    assert_eq!(rows(&app).await, (1, 2));

    // BETA: 19 × 80 + 2,5 × 20 = 1 570,00 € HT. The ranking's price points use both totals:
    // proportional 100 × 1 417,98 / 1 570 = 90,317… shown 90.32.
    let r = upload(&coord, gid, cid, &beta, &fill(&blank, "ok", "80,20")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(price_of(&coord, gid, cid, "BETA").await, json!("1570.00"));
    for id in [&alpha, &beta] {
        assert_eq!(exam(&coord, gid, cid, id, "admissible", "").await, 303);
    }
    for n in ["GAMMA", "DELTA"] {
        let id = pli_id(&list, n);
        assert_eq!(
            exam(&coord, gid, cid, &id, "irreguliere", "offre incomplète").await,
            303
        );
    }
    assert_eq!(
        ranking(&coord, gid, cid).await,
        vec![
            (1, "ALPHA".to_owned(), "100.00".to_owned()),
            (2, "BETA".to_owned(), "90.32".to_owned())
        ]
    );

    // A référent neither sees the page nor uploads; the AMOA sees the unit prices.
    let referent = app.login(&referent_email(SANTELYS)).await;
    assert_eq!(referent.get(&dqe_url(gid, cid, &alpha)).await.status(), 403);
    assert_eq!(
        upload(&referent, gid, cid, &beta, &alpha_dqe)
            .await
            .status(),
        403
    );
    let amoa = app.login(&amoa_email()).await;
    let page = amoa
        .get(&dqe_url(gid, cid, &alpha))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("19,99") && !page.contains("Déposer le DQE"),
        "{page}"
    );
}

#[tokio::test]
async fn a_changed_quantity_is_refused_and_an_announced_total_that_differs_waits_for_a_decision() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid, blank) = opened_tender(&app).await;
    let list = plis(&coord, gid, cid).await;
    let (gamma, delta) = (pli_id(&list, "GAMMA"), pli_id(&list, "DELTA"));

    // A changed quantity: refused, the cell named, nothing stored nor journaled.
    let before = app.audit_count().await;
    let r = upload(
        &coord,
        gid,
        cid,
        &gamma,
        &fill(&blank, "quantite", "72,19.99"),
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.expect("page");
    assert!(
        page.contains("Feuille « Lot 1 », ligne 6 (prix 1.1), cellule D6 : la quantité de"),
        "{page}"
    );
    assert_eq!(rows(&app).await, (0, 0));
    assert_eq!(app.audit_count().await, before);
    assert_eq!(price_of(&coord, gid, cid, "GAMMA").await, Value::Null);
    // Not a workbook at all.
    let r = upload(&coord, gid, cid, &gamma, b"pas un classeur").await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("page")
            .contains("n&#x27;est pas un classeur Excel"),
    );

    // A total HT announced at 1 500,00 where the unit prices give 1 417,98: stored, the
    // difference shown with its cell, no price until the coordonnateur decides.
    let r = upload(
        &coord,
        gid,
        cid,
        &gamma,
        &fill(&blank, "total=1500", "72,19.99"),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(rows(&app).await, (1, 2));
    assert_eq!(price_of(&coord, gid, cid, "GAMMA").await, Value::Null);
    let page = coord
        .get(&dqe_url(gid, cid, &gamma))
        .await
        .text()
        .await
        .expect("page");
    for needle in [
        "Erreurs matérielles (1)",
        "total HT du lot 1",
        "1 500,00",
        "1 417,98",
        "Décision attendue",
        "prix unitaires du BPU prévalent",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    let cell = format!("<td>Lot 1</td><td>{}8</td>", {
        // The « total HT » cell: column after the unit price, row after the two lines.
        let members = coordo::registry::service::members(&app.state.db, gid)
            .await
            .expect("members")
            .len();
        coordo::docgen::dqe::col_letter(u16::try_from(3 + members + 2).expect("col"))
    });
    assert!(page.contains(&cell), "{cell}: {page}");

    // The decision needs a reason; then the recomputed total is the price, journaled once.
    let decision = format!("{}/decision", dqe_url(gid, cid, &gamma));
    let r = coord
        .post_form(&decision, &[("retenu", "recalcule"), ("motif", "court")])
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(price_of(&coord, gid, cid, "GAMMA").await, Value::Null);
    let r = coord
        .post_form(
            &decision,
            &[
                ("retenu", "recalcule"),
                (
                    "motif",
                    "Les prix unitaires du BPU prévalent (article 5 du RC).",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(price_of(&coord, gid, cid, "GAMMA").await, json!("1417.98"));
    assert_eq!(app.audit_count().await, before + 2);
    let last = coordo::db::entities::audit_entry::Entity::find()
        .all(&app.state.db)
        .await
        .expect("journal")
        .into_iter()
        .filter(|e| e.action == "offres.dqe_decision")
        .count();
    assert_eq!(last, 1);
    let r = coord
        .post_form(
            &decision,
            &[
                ("retenu", "annonce"),
                ("motif", "changement d'avis sur le total"),
            ],
        )
        .await;
    assert_eq!(r.status(), 409, "decided once");

    // DELTA's price was typed at the opening: a DQE whose total differs is refused and points
    // to the rectification; nothing is stored.
    assert_eq!(price(&coord, gid, cid, &delta, "1000").await, 303);
    let r = upload(&coord, gid, cid, &delta, &fill(&blank, "ok", "72,19.99")).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .expect("page")
            .contains("rectification d&#x27;erreur matérielle")
    );
    assert_eq!(rows(&app).await, (1, 2));
    assert_eq!(price_of(&coord, gid, cid, "DELTA").await, json!("1000"));
}
