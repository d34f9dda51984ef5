//! The CAO's independent scoring through HTTP: blind sheets (page and API), lock on submission,
//! the président's motivated reopening and consensus note, the ranking (exclusion changing Pmin,
//! divergence, robustness, chart), the rapport d'analyse read back and the CSV grid.

use super::*;
use crate::support::docx_text;

struct Scene {
    app: TestApp,
    coord: Client,
    gid: i32,
    cid: i32,
    alpha: String,
    beta: String,
}

/// Technique 60 (fonctions 40, déploiement 20, barème 20), prix 30 proportionnel, environnement
/// 10 (barème 10); ALPHA 100 000 €, BETA 120 000 €, GAMMA 60 000 € irrégulière.
async fn scene() -> Scene {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = tender(&app).await;
    let r = set_grid(&app, &coord, gid, cid, json!([
        {"id": "tech", "label": "Valeur technique", "weight": "60", "kind": "evaluated", "scale": "20",
         "sub_criteria": [
            {"id": "fonct", "label": "Couverture fonctionnelle", "weight": "40"},
            {"id": "deploi", "label": "Déploiement", "weight": "20"}]},
        {"id": "prix", "label": "Prix", "weight": "30", "kind": "price", "formula": "proportional"},
        {"id": "env", "label": "Performance environnementale", "weight": "10", "kind": "evaluated", "scale": "10", "environmental": true}
    ])).await;
    assert_eq!(r.status(), 200);
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    for (n, s) in [("ALPHA", S_ALPHA), ("BETA", S_BETA), ("GAMMA", S_GAMMA)] {
        assert_eq!(
            add_pli(&coord, gid, cid, n, s, "2027-01-14T16:00")
                .await
                .status(),
            303
        );
    }
    app.state.clock.set(utc(2027, 1, 18, 9, 0, 0));
    let (alpha, beta, _gamma) =
        price_and_examine(&coord, gid, cid, "mémoire technique générique").await;
    Scene {
        app,
        coord,
        gid,
        cid,
        alpha,
        beta,
    }
}

fn notes(alpha: &str, beta: &str, v: [&str; 6], who: &str) -> Value {
    let mut out = Vec::new();
    for (i, (pli, crit)) in [
        (alpha, "fonct"),
        (alpha, "deploi"),
        (alpha, "env"),
        (beta, "fonct"),
        (beta, "deploi"),
        (beta, "env"),
    ]
    .into_iter()
    .enumerate()
    {
        out.push(
            json!({"offre": pli.parse::<i32>().expect("id"), "critere": crit, "note": v[i],
            "justification": format!("{who} : appréciation {crit} de l'offre {pli}")}),
        );
    }
    json!({ "notes": out })
}

async fn api_notes(c: &Client, s: &Scene, query: &str) -> reqwest::Response {
    c.get(&format!("{}/notes{query}", api(s.gid, s.cid))).await
}

async fn ranking(c: &Client, s: &Scene) -> Value {
    let r = c.get(&format!("{}/classement", api(s.gid, s.cid))).await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.expect("json")["lots"][0].clone()
}

fn totals(lot: &Value) -> Vec<(u64, String, String)> {
    lot["classement"]
        .as_array()
        .unwrap_or_else(|| panic!("{lot}"))
        .iter()
        .map(|o| {
            (
                o["rang"].as_u64().expect("r"),
                o["soumissionnaire"].as_str().expect("n").to_owned(),
                o["total"].as_str().expect("t").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn blind_scoring_lock_reopening_consensus_ranking_report_and_csv() {
    let s = scene().await;
    let (gid, cid) = (s.gid, s.cid);
    let e1 = s.app.login(&cao_email("titulaire", SANTELYS)).await;
    let e2 = s.app.login(&cao_email("titulaire", RONCHIN)).await;
    let pres = s.app.login(&cao_email("titulaire", COORD_FINESS)).await;
    let e1_id = s.app.user_row(&cao_email("titulaire", SANTELYS)).await.id;

    // e1 scores through the page form (fields note_<pli>_<criterion row>).
    let rows = coordo::offers::criteria::rows(&s.app.state.db, cid)
        .await
        .expect("rows");
    let row = |code: &str| rows.iter().find(|r| r.code == code).expect("row").id;
    let mut form: Vec<(String, String)> = Vec::new();
    for (pli, crit, n) in [
        (&s.alpha, "fonct", "16"),
        (&s.alpha, "deploi", "14"),
        (&s.alpha, "env", "8"),
        (&s.beta, "fonct", "18"),
        (&s.beta, "deploi", "16"),
        (&s.beta, "env", "6"),
    ] {
        form.push((format!("note_{pli}_{}", row(crit)), n.to_owned()));
        form.push((
            format!("just_{pli}_{}", row(crit)),
            format!("SECRET-E1 {crit} {pli}"),
        ));
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let notation = format!("{}/notation", offres(gid, cid));
    assert_eq!(e1.post_form(&notation, &fields).await.status(), 303);

    // Blind: the others see names and counts, never e1's notes (page and API).
    for c in [&e2, &s.coord, &pres] {
        let page = c.get(&notation).await.text().await.expect("html");
        assert!(page.contains("CAO titulaire — SANTELYS"), "{page}");
        assert!(
            !page.contains("SECRET-E1"),
            "another member's notes leak: {page}"
        );
        assert_eq!(
            api_notes(c, &s, &format!("?evaluateur={e1_id}"))
                .await
                .status(),
            403
        );
        let v: Value = api_notes(c, &s, "").await.json().await.expect("json");
        assert_eq!(v["notes"], json!([]), "{v}");
        assert_eq!(v["avancement"][0]["notes"], 6);
    }
    // The journal, read by the coordonnateur, keeps a digest of the sheet, not its notes.
    let journal = s
        .coord
        .get(&format!("/g/{gid}/journal"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        journal.contains("offres.notes_enregistrees") && !journal.contains("SECRET-E1"),
        "{journal}"
    );
    let own: Value = api_notes(&e1, &s, "").await.json().await.expect("json");
    assert_eq!(own["notes"].as_array().map(Vec::len), Some(6));
    let r = s
        .coord
        .get(&format!("{}/classement", offres(gid, cid)))
        .await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("0 feuille(s) de notation remise(s) sur 1")
    );

    // Submission locks the sheet: an edit is refused (page and API) and nothing is written.
    assert_eq!(
        e1.post_form(&format!("{notation}/remise"), &[])
            .await
            .status(),
        303
    );
    let before = s.app.audit_count().await;
    let r = e1.post_form(&notation, &fields).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.expect("t").contains("verrouillée"));
    let r = e1
        .post_json(
            &format!("{}/notes", api(gid, cid)),
            &notes(&s.alpha, &s.beta, ["1"; 6], "E1"),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(s.app.audit_count().await, before);

    // e2 scores through the API; a bad note names the offer and the criterion, nothing written.
    let url = format!("{}/notes", api(gid, cid));
    let r = e2
        .post_json(
            &url,
            &notes(&s.alpha, &s.beta, ["14", "14", "6", "18", "21", "8"], "E2"),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("BETA — Déploiement : la note « 21 » doit être un nombre entre 0 et 20")
    );
    assert_eq!(s.app.audit_count().await, before);
    let r = e2
        .post_json(
            &url,
            &notes(&s.alpha, &s.beta, ["14", "14", "6", "18", "8", "8"], "E2"),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Still blind for e2 (not submitted), although e1 has submitted.
    assert_eq!(
        api_notes(&e2, &s, &format!("?evaluateur={e1_id}"))
            .await
            .status(),
        403
    );

    // The coordonnateur opens the ranking on the submitted sheet only; e2 (pending) may not look.
    assert_eq!(
        s.coord
            .post_form(&format!("{}/classement/ouvrir", offres(gid, cid)), &[])
            .await
            .status(),
        303
    );
    assert_eq!(s.app.audit_count().await, before + 2);
    // e1 alone: ALPHA 32 + 14 + 30 + 8 = 84, BETA 36 + 16 + 25 + 6 = 83.
    assert_eq!(
        totals(&ranking(&s.coord, &s).await),
        vec![
            (1, "ALPHA".into(), "84.00".into()),
            (2, "BETA".into(), "83.00".into())
        ]
    );
    let r = e2.get(&format!("{}/classement", offres(gid, cid))).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("votre feuille de notation : les notes des autres membres restent masquées")
    );

    // e2 submits: means over both sheets. GAMMA (irregular, 60 000 €) does not set Pmin:
    // ALPHA price = 30 × 100 000 / 100 000 = 30 (it would be 18 with GAMMA).
    assert_eq!(
        e2.post_json(&format!("{url}/remise"), &json!({}))
            .await
            .status(),
        200
    );
    let lot = ranking(&s.coord, &s).await;
    // ALPHA 30 + 14 + 30 + 7 = 81; BETA 36 + 12 + 25 + 7 = 80.
    assert_eq!(
        totals(&lot),
        vec![
            (1, "ALPHA".into(), "81.00".into()),
            (2, "BETA".into(), "80.00".into())
        ]
    );
    assert_eq!(lot["classement"][0]["points"]["prix"], "30.00");
    assert_eq!(lot["classement"][1]["points"]["prix"], "25.00");
    assert_eq!(lot["exclues"][0]["statut"], "irreguliere");
    assert!(
        lot["divergences"][0].as_str().expect("d").contains("BETA"),
        "16 vs 8 on a scale of 20: {lot}"
    );
    // Everyone has submitted: e2 now sees e1's notes.
    let v: Value = api_notes(&e2, &s, &format!("?evaluateur={e1_id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["notes"].as_array().map(Vec::len), Some(6));

    // Reopening: président only, with a written reason, journaled.
    let reopen = format!(
        "{notation}/{}/reouverture",
        s.app.user_row(&cao_email("titulaire", RONCHIN)).await.id
    );
    assert_eq!(
        e1.post_form(&reopen, &[("motif", "Je voudrais revoir sa note")])
            .await
            .status(),
        403
    );
    let before = s.app.audit_count().await;
    assert_eq!(
        pres.post_form(&reopen, &[("motif", "")]).await.status(),
        422
    );
    assert_eq!(s.app.audit_count().await, before);
    let motif = "Erreur de saisie signalée par le membre sur le déploiement de BETA";
    assert_eq!(
        pres.post_form(&reopen, &[("motif", motif)]).await.status(),
        303
    );
    let last = &coordo::audit::latest(&s.app.state.db, gid, 1)
        .await
        .expect("journal")[0];
    assert_eq!(last.action, "offres.feuille_rouverte");
    assert!(last.summary.contains(motif), "{}", last.summary);
    // The ranking stays open on the submitted sheets (the coordonnateur asked for it): e1 only,
    // and e2, pending again, may not look.
    assert_eq!(
        totals(&ranking(&s.coord, &s).await),
        vec![
            (1, "ALPHA".into(), "84.00".into()),
            (2, "BETA".into(), "83.00".into())
        ]
    );
    assert_eq!(
        e2.get(&format!("{}/classement", offres(gid, cid)))
            .await
            .status(),
        409
    );
    let r = e2.post_json(&url, &json!({"notes": [{"offre": s.beta.parse::<i32>().expect("id"), "critere": "deploi", "note": "12", "justification": "Planning de déploiement revu"}]})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        e2.post_json(&format!("{url}/remise"), &json!({}))
            .await
            .status(),
        200
    );
    // BETA déploiement (16 + 12) / 2 = 14 → 14 points: BETA 82, ALPHA 81.
    assert_eq!(
        totals(&ranking(&s.coord, &s).await),
        vec![
            (1, "BETA".into(), "82.00".into()),
            (2, "ALPHA".into(), "81.00".into())
        ]
    );

    // A consensus note (président, motivated) replaces the mean: BETA déploiement 10 → 10 points.
    let consensus = format!("{}/consensus", offres(gid, cid));
    let form = |why: &'static str| {
        [
            ("offre", s.beta.as_str()),
            ("critere", "deploi"),
            ("note", "10"),
            ("justification", why),
        ]
    };
    let r = pres
        .post_form(
            &consensus,
            &[
                ("offre", "x"),
                ("critere", "deploi"),
                ("note", "10"),
                ("justification", "motif suffisamment long"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("offre « x » inconnue"));
    let r = api_notes(&e1, &s, "?evaluateur=abc").await;
    assert_eq!(r.status(), 400);
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("évaluateur « abc » invalide")
    );
    let f = form("court");
    assert_eq!(pres.post_form(&consensus, &f).await.status(), 422);
    assert_eq!(e1.post_form(&consensus, &f).await.status(), 403);
    let f = form("Déploiement en deux phases seulement : avis unanime de la commission");
    assert_eq!(pres.post_form(&consensus, &f).await.status(), 303);
    assert_eq!(
        totals(&ranking(&s.coord, &s).await),
        vec![
            (1, "ALPHA".into(), "81.00".into()),
            (2, "BETA".into(), "78.00".into())
        ]
    );

    let page = s
        .coord
        .get(&format!("{}/classement", offres(gid, cid)))
        .await
        .text()
        .await
        .expect("html");
    for needle in [
        "81,00",
        "78,00",
        "<svg",
        "Robustesse du classement",
        "formule",
        "avis unanime",
        "irrégulière",
    ] {
        assert!(page.contains(needle), "{needle} missing: {page}");
    }
    // The AMOA and the CAO see the ranking too; a référent never.
    assert_eq!(
        s.app
            .login(&amoa_email())
            .await
            .get(&format!("{}/classement", offres(gid, cid)))
            .await
            .status(),
        200
    );
    assert_eq!(
        e1.get(&format!("{}/classement", offres(gid, cid)))
            .await
            .status(),
        200
    );
    assert_eq!(
        s.app
            .login(&referent_email(SANTELYS))
            .await
            .get(&format!("{}/classement", api(gid, cid)))
            .await
            .status(),
        403
    );

    // The rapport d'analyse, read back with the independent DOCX reader.
    let r = s
        .coord
        .get(&format!("{}/rapport.docx", offres(gid, cid)))
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .expect("ct")
            .contains("wordprocessingml")
    );
    let doc = docx_text::open(&r.bytes().await.expect("bytes"));
    let text = doc.document_text();
    for needle in [
        "Rapport d'analyse des offres",
        "Valeur technique",
        "Couverture fonctionnelle",
        "Déploiement",
        "Performance environnementale",
        "ALPHA",
        "BETA",
        "GAMMA",
        "irrégulière",
        "mémoire technique générique",
        "81,00",
        "78,00",
        "Valeur technique (60)",
        "Prix (30)",
        "Performance environnementale (10)",
        "avis unanime de la commission",
        "SECRET-E1 fonct",
    ] {
        assert!(
            text.contains(needle),
            "« {needle} » missing from the report:\n{text}"
        );
    }
    let weights = doc
        .tables()
        .into_iter()
        .find(|t| t.rows[0].iter().any(|c| c == "Pondération"))
        .expect("criteria table");
    let w: Vec<(String, String)> = weights.rows[1..]
        .iter()
        .map(|r| {
            (
                format!("{}{}", r[0], r[1]),
                r[2].replace(['\u{a0}', '\u{202f}'], " "),
            )
        })
        .collect();
    assert_eq!(
        w,
        [
            ("Valeur technique", "60 %"),
            ("Couverture fonctionnelle", "40 %"),
            ("Déploiement", "20 %"),
            ("Prix", "30 %"),
            ("Performance environnementale", "10 %")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let ranking_table = doc
        .tables()
        .into_iter()
        .find(|t| t.rows[0].iter().any(|c| c == "Rang"))
        .expect("ranking table");
    // The columns of the ranking are the grid's main criteria, nothing else.
    assert_eq!(
        ranking_table.rows[0],
        [
            "Rang",
            "Soumissionnaire",
            "Valeur technique (60)",
            "Prix (30)",
            "Performance environnementale (10)",
            "Total (100)"
        ]
        .map(str::to_owned)
    );
    assert!(!text.contains("Environnement ("), "{text}");
    // The OAB method in the RC's own words (shared clause `oab_detection`).
    let rc_sentence = "Pour la détection, une offre est présumée anormalement basse lorsque son prix est inférieur à 80\u{a0}% de la moyenne des prix des autres offres admises du lot.";
    assert!(text.contains(rc_sentence), "{text}");
    assert_eq!(ranking_table.rows[1][0], "1");
    assert_eq!(ranking_table.rows[1][1], "ALPHA");
    assert_eq!(ranking_table.rows[1][5], "81,00");
    assert_eq!(ranking_table.rows[2][1], "BETA");

    // The CSV grid: BOM, semicolons, French decimals, rank order then the eliminated offers.
    let r = s
        .coord
        .get(&format!("{}/grille.csv", offres(gid, cid)))
        .await;
    assert_eq!(r.status(), 200);
    let csv = r.text().await.expect("csv");
    assert!(csv.starts_with('\u{feff}'), "BOM");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(
        lines[0].starts_with("Lot;Soumissionnaire;SIRET;"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("Valeur technique (60 pts);Couverture fonctionnelle (40 pts);Déploiement (20 pts);Prix (30 pts)"), "{}", lines[0]);
    assert!(
        lines[1].contains(";ALPHA;")
            && lines[1].contains(";100000,00;")
            && lines[1].ends_with(";81,00;1"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(";BETA;") && lines[2].ends_with(";78,00;2"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains(";GAMMA;") && lines[3].contains("irrégulière"),
        "{}",
        lines[3]
    );
}
