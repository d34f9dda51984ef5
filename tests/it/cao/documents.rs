//! The convocation and the procès-verbal, read back with the independent DOCX reader.

use super::*;

#[tokio::test]
async fn the_pv_holds_attendance_quorum_declarations_votes_and_observations() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let target = tender(&app, &coord).await;
    let sid = new_seance_with(
        &app,
        &coord,
        "2026-12-08",
        &[
            (
                &target,
                "attribution",
                "Attribuer l'accord-cadre à LOGIDOM SANTÉ",
            ),
            (&target, "autre", "Déclarer le lot 2 sans suite"),
        ],
    )
    .await;
    // The convocations: one DOCX per person convened, addressed to that seat-holder by name,
    // each with its own page numbering (a file of its own, « Page X / Y » in its footer).
    let r = coord
        .get(&format!("/g/{gid}/cao/seances/{sid}/convocations.zip"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let files = unzip(&r.bytes().await.expect("bytes"));
    // Ten titulaires, ten suppléants and the AMOA.
    assert_eq!(files.len(), 21, "{:?}", files.keys().collect::<Vec<_>>());
    for (name, bytes) in &files {
        let d = docx_text::open(bytes);
        let text = d.document_text();
        assert_eq!(text.matches("Objet :").count(), 1, "{name}: {text}");
        assert!(
            !d.xml("word/document.xml").contains("w:type=\"page\""),
            "{name}: one letter, no page break"
        );
        let codes = d.footer_field_codes().join(" ");
        assert!(
            codes.contains("PAGE") && codes.contains("NUMPAGES"),
            "{name}: {codes}"
        );
        assert!(!text.contains("Copie :"), "{name}");
        assert!(text.contains("mardi 8 décembre 2026 à 14 h 00"), "{text}");
    }
    let letter_of = |who: &str| -> String {
        let hits: Vec<String> = files
            .values()
            .map(|b| docx_text::open(b).document_text())
            .filter(|t| t.contains(who))
            .collect();
        assert_eq!(hits.len(), 1, "one letter addressed to {who}");
        hits[0].clone()
    };
    let armentieres = letter_of(
        "membre titulaire de la commission d'appel d'offres du groupement, représentant CCAS D'ARMENTIERES",
    );
    assert!(
        armentieres.contains("CAO titulaire — CCAS D'ARMENTIERES"),
        "{armentieres}"
    );
    assert!(
        armentieres.contains("votre suppléant, CAO suppléant — CCAS D'ARMENTIERES"),
        "{armentieres}"
    );
    assert!(
        !armentieres.contains("Madame, Monsieur le"),
        "{armentieres}"
    );
    let adomlys = letter_of(
        "membre suppléant de la commission d'appel d'offres du groupement, représentant ADOMLYS",
    );
    assert!(adomlys.contains("CAO suppléant — ADOMLYS"), "{adomlys}");
    assert!(
        adomlys.contains("en cas d'absence du membre titulaire, CAO titulaire — ADOMLYS"),
        "{adomlys}"
    );
    let president =
        letter_of("président de la commission d'appel d'offres du groupement, membre titulaire");
    assert!(
        president.contains("CAO président — CCAS DE WATTRELOS"),
        "{president}"
    );

    // Five titulaires, the président, AMB ASSAD's suppléant replacing its titulaire, SANTELYS's
    // suppléant beside its titulaire, and the AMOA.
    let mut present = titulaires(&app, 6).await;
    let amb_suppleant = seat(&app, "suppleant", MEMBERS[6]).await;
    present.push(amb_suppleant.clone());
    present.push(seat(&app, "suppleant", SANTELYS).await);
    let amoa = seat(&app, "amoa", "").await;
    present.push(amoa.clone());
    convene_and_sit(&app, &coord, sid, (2026, 11, 23), (2026, 12, 8), &present).await;
    let ids = items(&app, &coord, sid).await;
    let voters: Vec<String> = present[..7].to_vec();
    let base = format!("/g/{gid}/cao/seances/{sid}");
    no_conflicts(&app, &coord, sid, &ids[0], &voters).await;
    let v = &voters;
    votes(
        &app,
        &coord,
        sid,
        &ids[0],
        &[
            (&v[0], "pour"),
            (&v[1], "pour"),
            (&v[2], "pour"),
            (&v[3], "pour"),
            (&v[4], "contre"),
            (&v[5], "abstention"),
            (&v[6], "abstention"),
        ],
    )
    .await;
    step(
        &app,
        &coord,
        &format!("{base}/deliberations"),
        &[("item_id", &ids[0])],
    )
    .await;
    // INEA's titulaire (4th) has a conflict on the second item.
    step(
        &app,
        &coord,
        &format!("{base}/declarations"),
        &[
            ("item_id", &ids[1]),
            ("person", &v[3]),
            ("conflict", "oui"),
            ("note", "conjoint salarié de TELEDOM"),
        ],
    )
    .await;
    let others: Vec<String> = v
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, p)| p.clone())
        .collect();
    no_conflicts(&app, &coord, sid, &ids[1], &others).await;
    votes(
        &app,
        &coord,
        sid,
        &ids[1],
        &[
            (&v[0], "contre"),
            (&v[1], "contre"),
            (&v[2], "contre"),
            (&v[4], "pour"),
            (&v[5], "pour"),
            (&v[6], "abstention"),
        ],
    )
    .await;
    step(
        &app,
        &coord,
        &format!("{base}/deliberations"),
        &[("item_id", &ids[1])],
    )
    .await;
    step(
        &app,
        &coord,
        &format!("{base}/observations"),
        &[
            ("person", &amoa),
            (
                "text",
                "Le délai de déploiement proposé par LOGIDOM SANTÉ est tenable.",
            ),
        ],
    )
    .await;
    assert_eq!(coord.get(&format!("{base}/pv.docx")).await.status(), 409);
    step(&app, &coord, &format!("{base}/close"), &[]).await;
    let amoa_client = app.login(&amoa_email()).await;
    for c in [&coord, &amoa_client] {
        let html = c.get(&base).await.text().await.expect("html");
        assert!(html.contains("Procès-verbal (DOCX)"), "{html}");
        assert!(html.contains("adopté"), "{html}");
    }
    let santelys = app.login(&cao_email("titulaire", SANTELYS)).await;
    let html = santelys.get(&base).await.text().await.expect("html");
    assert!(
        html.contains("Signer le procès-verbal pour mon siège"),
        "{html}"
    );
    let r = amoa_client.get(&format!("{base}/pv.docx")).await;
    assert_eq!(r.status(), 200);
    let doc = docx_text::open(&r.bytes().await.expect("bytes"));
    doc.check_well_formed().expect("well-formed");
    let text = doc.document_text();
    // Attendance.
    let attendance = doc
        .tables()
        .into_iter()
        .find(|t| {
            t.rows
                .first()
                .is_some_and(|r| r.iter().any(|c| c == "Présence"))
        })
        .expect("attendance table");
    let row = |member: &str| {
        attendance
            .rows
            .iter()
            .find(|r| r[0].starts_with(member))
            .unwrap_or_else(|| panic!("row {member}"))
            .clone()
    };
    assert_eq!(
        row("SANTELYS")[3],
        "présent (titulaire) ; suppléant présent sans voix délibérative"
    );
    let amb = row("ASSOCIATION BIEN ETRE");
    assert_eq!(amb[3], "représenté par son suppléant");
    assert_eq!(
        amb[4],
        "CAO suppléant — ASSOCIATION BIEN ETRE DES RETRAITES (AMB ASSAD)"
    );
    assert_eq!(row("ADOMLYS")[3], "absent");
    assert!(row("CCAS DE WATTRELOS")[0].contains("(président)"));
    assert!(
        text.contains("AMOA du groupement, assistant à maîtrise d'ouvrage"),
        "{text}"
    );
    // Quorum.
    assert!(
        text.contains("Membres ayant voix délibérative : 10 ; quorum requis (plus de la moitié) : 6 ; membres présents ou représentés : 7. Le quorum est atteint."),
        "{text}"
    );
    // Declarations.
    assert!(text.contains("CAO titulaire — ASSOCIATION INEA a déclaré un conflit d'intérêts (conjoint salarié de TELEDOM) et s'est déporté"), "{text}");
    // No bidder is typed: the plis are still sealed (deadline 15 January 2027), the PV says so
    // and names no attributaire.
    assert!(
        text.contains("plis scellés jusqu'à la date limite de remise des offres"),
        "{text}"
    );
    assert!(
        text.contains(
            "Lot 1 (Solution DUI) : aucun attributaire ne peut être désigné, les plis sont scellés"
        ),
        "{text}"
    );
    // Each deliberation with its votes.
    assert!(
        text.contains("Adopté : Attribuer l'accord-cadre à LOGIDOM SANTÉ"),
        "{text}"
    );
    assert!(text.contains("La proposition est rejetée."), "{text}");
    assert!(
        text.contains("Ont voté pour : CAO titulaire — SANTELYS, CAO titulaire — CCAS DE RONCHIN"),
        "{text}"
    );
    let counts: Vec<Vec<String>> = doc
        .tables()
        .into_iter()
        .filter(|t| {
            t.rows
                .first()
                .is_some_and(|r| r == &["Pour", "Contre", "Abstention"])
        })
        .map(|t| t.rows[1].clone())
        .collect();
    assert_eq!(counts, [["4", "1", "2"], ["2", "3", "1"]]);
    // Observations.
    assert!(text.contains("AMOA du groupement, assistant à maîtrise d'ouvrage (voix consultative) : Le délai de déploiement proposé par LOGIDOM SANTÉ est tenable."), "{text}");
    assert!(text.contains("Séance n° 2026-01"), "{text}");
}
