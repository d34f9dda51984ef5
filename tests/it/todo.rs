//! « À faire »: each role's home lists its own work, dated, with its basis and a link to the
//! page that does it (issue « Each role's working day »).

use crate::support::*;

async fn todo(c: &Client, gid: i32) -> String {
    let r = c.get(&format!("/g/{gid}/a-faire")).await;
    assert_eq!(r.status(), 200);
    r.text().await.expect("html").replace("&#x27;", "'")
}

#[tokio::test]
async fn the_coordonnateur_a_referent_and_a_cao_member_each_see_their_own_to_do() {
    let app = TestApp::spawn().await;
    let coord = app.login(&coord_email()).await;
    let gid = app.gid().await;
    // Home is the to-do.
    let home = coord.get("/").await;
    assert_eq!(
        home.headers()["location"],
        format!("/g/{gid}/a-faire").as_str()
    );
    // A visa round on the RC, due 4 December.
    let (_, _, cid) = crate::visas::tender(&app, &["rc"]).await;
    let r = crate::visas::submit(&coord, gid, cid, &["rc"], "2026-12-04").await;
    assert_eq!(r.status(), 303);
    // A séance of 8 December created, not convened: 5 jours francs → send by 2 December.
    let target = format!("C{cid}");
    let sid = crate::cao::new_seance(
        &app,
        &coord,
        "2026-12-08",
        &[(&target, "Attribuer l'accord-cadre à LOGIDOM SANTÉ")],
    )
    .await;
    let mine = todo(&coord, gid).await;
    let convene = mine
        .find("Envoyer la convocation de la séance")
        .expect("séance to convene");
    assert!(mine.contains("2 décembre 2026"), "{mine}");
    assert!(
        mine.contains(&format!("/g/{gid}/cao/seances/{sid}")),
        "{mine}"
    );
    let visas = mine
        .find("Visas attendus de 10 membre(s)")
        .unwrap_or_else(|| panic!("{mine}"));
    // In date order: the convocation (2 Dec) before the visas (4 Dec).
    assert!(convene < visas, "{mine}");
    assert!(mine.contains("convention art. 8.1"), "{mine}");
    // The référent: its visa only, with the round to answer.
    let referent = app.login(&referent_email(SANTELYS)).await;
    let theirs = todo(&referent, gid).await;
    assert!(theirs.contains("Viser RC"), "{theirs}");
    assert!(theirs.contains("4 décembre 2026"), "{theirs}");
    assert!(
        theirs.contains(&format!("/g/{gid}/consultations/{cid}/visas/rounds/")),
        "{theirs}"
    );
    assert!(!theirs.contains("Envoyer la convocation"), "{theirs}");
    // The CAO titulaire: nothing before the convocation, then the séance to sit.
    let member = app.login(&cao_email("titulaire", SANTELYS)).await;
    assert!(!todo(&member, gid).await.contains("Siéger"));
    crate::cao::step(
        &app,
        &coord,
        &format!("/g/{gid}/cao/seances/{sid}/convocation"),
        &[("sent_on", "2026-11-23")],
    )
    .await;
    let theirs = todo(&member, gid).await;
    assert!(theirs.contains("Siéger à la séance"), "{theirs}");
    assert!(theirs.contains("8 décembre 2026 à 14:00"), "{theirs}");
    assert!(!theirs.contains("Viser"), "{theirs}");
    // Convened: the coordonnateur's item is gone.
    assert!(!todo(&coord, gid).await.contains("Envoyer la convocation"));
    // The menu leads there.
    assert!(theirs.contains(&format!("href=\"/g/{gid}/a-faire\"")));
}
