//! The procès-verbal of a séance on a ranked tender, read back with the independent DOCX
//! reader: the agenda takes its bidders from the register of plis (never typed), the decision
//! names the attributaire, its SIRET and the amount from the ranking, the convocation shortfall
//! is written, and the PV stored at the closing is the one downloaded and archived, byte for
//! byte, even after a change that would render it differently.

use super::*;
use crate::offers::{S_ALPHA, S_BETA, add_pli, api, exam, pli_id, plis, price, set_grid, utc};
use serde_json::json;

/// Every space of French typography read as an ordinary space.
fn plain(s: &str) -> String {
    s.replace(['\u{a0}', '\u{202f}'], " ")
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn the_pv_names_the_attributaire_states_the_shortfall_and_is_archived_as_closed() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = crate::offers::tender(&app).await;
    let grid = json!([{"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": "proportional"}]);
    assert_eq!(set_grid(&app, &coord, gid, cid, grid).await.status(), 200);
    // Two plis before the deadline (15 January 2027, 12:00 Paris).
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    for (n, s) in [("ALPHA", S_ALPHA), ("BETA", S_BETA)] {
        let r = add_pli(&coord, gid, cid, n, s, "2027-01-14T10:00").await;
        assert_eq!(r.status(), 303);
    }
    let seances = format!("/g/{gid}/cao/seances");
    let target = format!("C{cid}");
    // Bidders cannot be typed: the form is refused, nothing is written.
    let body = refused(
        &app,
        &coord,
        &seances,
        &[
            ("date", "2027-01-26"),
            ("time", "14:00"),
            ("place", "Mairie"),
            ("item1_target", &target),
            ("item1_decision", "Attribuer"),
            ("item1_bidders", "SOCIÉTÉ INVENTÉE"),
        ],
        422,
    )
    .await;
    assert!(body.contains("registre des plis"), "{body}");
    let page = coord.get(&seances).await.text().await.expect("html");
    assert!(!page.contains("_bidders"), "no bidders input: {page}");
    assert!(page.contains("2 plis enregistrés"), "{page}");
    // The séance (an attribution point, its decision left to the default wording).
    let sid = new_seance(&app, &coord, "2027-01-26", &[(&target, "")]).await;
    let v = api_seance(&app, &coord, sid).await;
    let item = &v["items"][0];
    assert_eq!(item["kind"], "attribution");
    assert!(
        item["title"]
            .as_str()
            .is_some_and(|t| t.ends_with(", lot 1 (Solution DUI)")),
        "{item}"
    );
    assert!(
        item["proposed_decision"]
            .as_str()
            .is_some_and(|d| d.contains("classée première")),
        "{item}"
    );
    // Sealed: no bidder is named before the deadline.
    assert_eq!(item["bidders"], json!([]), "{item}");
    assert!(
        item["bidders_note"]
            .as_str()
            .is_some_and(|n| n.contains("plis scellés")),
        "{item}"
    );
    // After the deadline: prices, examination, ranking (price only: ALPHA first).
    app.state.clock.set(utc(2027, 1, 18, 9, 0, 0));
    let list = plis(&coord, gid, cid).await;
    let alpha = pli_id(&list, "ALPHA");
    for (n, p) in [("ALPHA", "100000"), ("BETA", "110000")] {
        let id = pli_id(&list, n);
        assert_eq!(price(&coord, gid, cid, &id, p).await, 303);
        assert_eq!(exam(&coord, gid, cid, &id, "admissible", "").await, 303);
    }
    let v = api_seance(&app, &coord, sid).await;
    assert_eq!(v["items"][0]["bidders"], json!(["ALPHA", "BETA"]));
    // A référent reads the séance but, as for the offers, is never told who the bidders are.
    let referent = app.login(&referent_email(SANTELYS)).await;
    let v = api_seance(&app, &referent, sid).await;
    assert_eq!(v["items"][0]["bidders"], json!([]));
    assert!(
        v["items"][0]["bidders_note"]
            .as_str()
            .is_some_and(|n| n.contains("seuls le coordonnateur")),
        "{v}"
    );
    // Convened on Fri 22 January for Tue 26 January: 3 jours francs where 5 are required.
    let six = titulaires(&app, 6).await;
    convene_and_sit(&app, &coord, sid, (2027, 1, 22), (2027, 1, 26), &six).await;
    let ids = items(&app, &coord, sid).await;
    no_conflicts(&app, &coord, sid, &ids[0], &six).await;
    let ballots: Vec<(&String, &str)> = six.iter().map(|p| (p, "pour")).collect();
    votes(&app, &coord, sid, &ids[0], &ballots).await;
    let base = format!("/g/{gid}/cao/seances/{sid}");
    step(
        &app,
        &coord,
        &format!("{base}/deliberations"),
        &[("item_id", &ids[0])],
    )
    .await;
    step(&app, &coord, &format!("{base}/close"), &[]).await;

    let r = coord.get(&format!("{base}/pv.docx")).await;
    assert_eq!(r.status(), 200);
    // The PV names bidders, prices and ranking: a référent reads it only once the attribution
    // is decided, not while the choice is being made.
    let refused = referent.get(&format!("{base}/pv.docx")).await;
    assert_eq!(refused.status(), 403);
    let why = refused.text().await.expect("html");
    assert!(why.contains("attribution décidée"), "{why}");
    let number = api_seance(&app, &coord, sid).await["number"]
        .as_str()
        .expect("number")
        .to_owned();
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"pv-cao-{number}.docx\"").as_str()
    );
    let closed = r.bytes().await.expect("bytes").to_vec();
    let doc = docx_text::open(&closed);
    doc.check_well_formed().expect("well-formed");
    let text = plain(&doc.document_text());
    assert!(
        text.contains("Lot 1 (Solution DUI) : attributaire ALPHA, SIRET 73282932000074, pour un montant de 100 000,00 € HT"),
        "{text}"
    );
    assert!(text.contains("soumissionnaires ALPHA, BETA"), "{text}");
    assert!(
        text.contains("soit 3 jour(s) franc(s) avant la séance du mardi 26 janvier 2027"),
        "{text}"
    );
    assert!(
        text.contains("fixe un délai de convocation de 5 jours francs"),
        "{text}"
    );
    assert!(
        text.contains("le délai de convocation n'a pas été respecté"),
        "{text}"
    );

    // A later change that would render the PV differently: ALPHA's price is rectified.
    app.state.clock.set(utc(2027, 1, 28, 9, 0, 0));
    let r = coord
        .post_json(
            &format!("{}/plis/{alpha}/rectification", api(gid, cid)),
            &json!({"prix_ht": "105000", "motif": "chiffres inversés à la saisie : l'acte d'engagement porte 105 000,00 € HT"}),
        )
        .await;
    assert!(
        r.status().is_success(),
        "{}",
        r.text().await.unwrap_or_default()
    );
    let data = coordo::cao::store::seance(&app.state.db, gid, sid)
        .await
        .expect("séance");
    let lh = coordo::cao::docs::letterhead(&app.state.db, gid)
        .await
        .expect("letterhead");
    let now = app.state.clock.now();
    let awards = coordo::cao::docs::awards(
        app.state.cao_rankings.as_ref(),
        &app.state.db,
        gid,
        &data,
        now,
    )
    .await
    .expect("awards");
    let rerendered = coordo::cao::docs::pv_docx(&data, &lh, &awards, now).expect("render");
    assert_ne!(rerendered, closed, "a new rendering would differ");
    assert!(
        plain(&docx_text::open(&rerendered).document_text()).contains("105 000,00 € HT"),
        "the new rendering has the new amount"
    );

    // The download and the archive keep the PV as closed, byte for byte.
    let again = coord.get(&format!("{base}/pv.docx")).await;
    assert_eq!(again.bytes().await.expect("bytes").to_vec(), closed);
    let zip = coord
        .get(&format!("/g/{gid}/consultations/{cid}/archive.zip"))
        .await;
    assert_eq!(zip.status(), 200);
    let zip = zip.bytes().await.expect("zip").to_vec();
    coordo::archive::verify::verify(&zip).expect("intact");
    let files = unzip(&zip);
    let archived = files
        .get(&format!("cao/pv-cao-{number}.docx"))
        .unwrap_or_else(|| panic!("{:?}", files.keys()));
    assert_eq!(archived, &closed, "the archived PV is the one closed");
    // The séance shows the PV's SHA-256; the closing is journaled with it, in the same entry.
    assert_eq!(
        api_seance(&app, &coord, sid).await["pv_sha256"],
        sha256_hex(&closed)
    );
    let journal = String::from_utf8(files["journal/journal.json"].clone()).expect("utf-8");
    assert!(journal.contains("cao.seance_close"), "{journal}");
    assert!(journal.contains(&sha256_hex(&closed)), "{journal}");
    if let Some(omitted) = files.get("documents_non_produits.txt") {
        let omitted = String::from_utf8_lossy(omitted);
        assert!(!omitted.contains("Procès-verbal"), "{omitted}");
    }
}
