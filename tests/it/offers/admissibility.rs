//! Examination of the opened plis through HTTP: candidatures to complete within one time limit
//! for all (R2144-2), irrecevable ones with their reason, the OAB flag that never rejects by
//! itself, the contradictory procedure before a rejection, and its effect on Pmin.

use super::*;
use crate::support::docx_text;

async fn four_offers(app: &TestApp) -> (Client, i32, i32, Value) {
    let (coord, gid, cid) = tender(app).await;
    let grid = json!([{"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": "proportional"}]);
    assert_eq!(set_grid(app, &coord, gid, cid, grid).await.status(), 200);
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    for (n, s) in [
        ("ALPHA", S_ALPHA),
        ("BETA", S_BETA),
        ("GAMMA", S_GAMMA),
        ("DELTA", S_DELTA),
    ] {
        assert_eq!(
            add_pli(&coord, gid, cid, n, s, "2027-01-14T10:00")
                .await
                .status(),
            303
        );
    }
    app.state.clock.set(utc(2027, 1, 18, 9, 0, 0));
    let list = plis(&coord, gid, cid).await;
    for (n, p) in [
        ("ALPHA", "100000"),
        ("BETA", "110000"),
        ("GAMMA", "120000"),
        ("DELTA", "50000"),
    ] {
        let id = pli_id(&list, n);
        assert_eq!(price(&coord, gid, cid, &id, p).await, 303);
        assert_eq!(exam(&coord, gid, cid, &id, "admissible", "").await, 303);
    }
    (coord, gid, cid, list)
}

async fn ranked(c: &Client, gid: i32, cid: i32) -> Value {
    let r = c.get(&format!("{}/classement", api(gid, cid))).await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.expect("json")["lots"][0].clone()
}

fn names_totals(lot: &Value) -> Vec<(String, String)> {
    lot["classement"]
        .as_array()
        .unwrap_or_else(|| panic!("{lot}"))
        .iter()
        .map(|o| {
            (
                o["soumissionnaire"].as_str().expect("n").to_owned(),
                o["total"].as_str().expect("t").to_owned(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
async fn an_oab_is_only_flagged_then_rejected_after_justifications_and_pmin_moves() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid, list) = four_offers(&app).await;
    let delta = pli_id(&list, "DELTA");
    // 50 000 € < 80 % × mean of the others (110 000 €) = 88 000 €: flagged, still ranked first.
    let page = coord
        .get(&offres(gid, cid))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("Offre possiblement anormalement basse"),
        "{page}"
    );
    assert!(
        page.contains("seuil de 88\u{a0}000,00"),
        "the threshold is explained: {page}"
    );
    assert_eq!(
        names_totals(&ranked(&coord, gid, cid).await)[0],
        ("DELTA".to_owned(), "100.00".to_owned())
    );

    let url = format!("{}/plis/{delta}/oab", offres(gid, cid));
    let before = app.audit_count().await;
    let r = coord
        .post_form(
            &url,
            &[
                ("decision", "rejetee"),
                ("decision_reason", "prix non justifié"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        409,
        "no rejection without a request for justifications"
    );
    assert!(r.text().await.expect("t").contains("L2152-6"));
    assert_eq!(app.audit_count().await, before);
    let r = coord
        .post_form(
            &url,
            &[
                ("requested_on", "2027-01-18"),
                ("answer", "Aucune justification des coûts salariaux"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = coord
        .post_form(
            &url,
            &[
                ("decision", "rejetee"),
                (
                    "decision_reason",
                    "Coûts salariaux inférieurs aux minima conventionnels",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 2);
    // Rejected: out of the ranking, and Pmin is now ALPHA's 100 000 €.
    let lot = ranked(&coord, gid, cid).await;
    assert_eq!(
        names_totals(&lot),
        pairs(&[("ALPHA", "100.00"), ("BETA", "90.91"), ("GAMMA", "83.33")])
    );
    assert_eq!(lot["exclues"][0]["statut"], "oab_rejetee");

    // The report retraces the procedure.
    let r = coord
        .get(&format!("{}/rapport.docx", offres(gid, cid)))
        .await;
    assert_eq!(r.status(), 200);
    let text = docx_text::open(&r.bytes().await.expect("bytes")).document_text();
    for needle in [
        "DELTA",
        "justifications demandées le 18 janvier 2027",
        "offre rejetée",
        "Coûts salariaux inférieurs",
    ] {
        assert!(text.contains(needle), "« {needle} » missing:\n{text}");
    }

    // Another detection method, journaled; a parameter out of range is refused.
    let m = format!("{}/methode-oab", offres(gid, cid));
    assert_eq!(
        coord
            .post_form(
                &m,
                &[("method", "ratio_of_mean_of_others"), ("ratio", "1,5")]
            )
            .await
            .status(),
        422
    );
    assert_eq!(
        coord
            .post_form(&m, &[("method", "reduced_mean")])
            .await
            .status(),
        303
    );
    let page = coord
        .get(&offres(gid, cid))
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains("moyenne réduite (méthode FFB)"), "{page}");
}

#[tokio::test]
async fn candidatures_to_complete_share_one_time_limit_and_irrecevable_ones_leave_the_ranking() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid, list) = four_offers(&app).await;
    let url = |n: &str| format!("{}/plis/{}/candidature", offres(gid, cid), pli_id(&list, n));
    let before = app.audit_count().await;
    let r = coord
        .post_form(
            &url("ALPHA"),
            &[("status", "a_completer"), ("reason", "Kbis manquant")],
        )
        .await;
    assert_eq!(r.status(), 422, "a time limit is required");
    let r = coord
        .post_form(
            &url("ALPHA"),
            &[
                ("status", "a_completer"),
                ("reason", "Kbis manquant"),
                ("deadline", "2027-01-25T12:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = coord
        .post_form(
            &url("BETA"),
            &[
                ("status", "a_completer"),
                ("reason", "Attestation d'assurance"),
                ("deadline", "2027-01-26T12:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("R2144-2"));
    let r = coord
        .post_form(
            &url("BETA"),
            &[
                ("status", "a_completer"),
                ("reason", "Attestation d'assurance"),
                ("deadline", "2027-01-25T12:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        coord
            .post_form(&url("GAMMA"), &[("status", "irrecevable")])
            .await
            .status(),
        422
    );
    let r = coord
        .post_form(
            &url("GAMMA"),
            &[
                ("status", "irrecevable"),
                ("reason", "Capacités financières insuffisantes (R2144-7)"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 3);
    let page = coord
        .get(&offres(gid, cid))
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains("25 janvier 2027 à 12 h 00"), "{page}");
    let lot = ranked(&coord, gid, cid).await;
    assert_eq!(names_totals(&lot).len(), 3, "GAMMA out: {lot}");
    assert_eq!(lot["exclues"][0]["soumissionnaire"], "GAMMA");
    assert_eq!(lot["exclues"][0]["statut"], "irrecevable");
}
