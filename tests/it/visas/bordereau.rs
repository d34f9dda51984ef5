//! The bordereau de visas read back: decisions counted apart (a « favorable avec réserves » is
//! never folded into « favorables »), the reserves named in the conclusion, and the signatory of
//! each visa is the référent who gave it — « par procuration de … » under a proxy (art. 8.1).

use super::*;
use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn a_visa_with_reserves_is_counted_apart_and_signed_by_its_referent() {
    let app = TestApp::spawn().await;
    let (c, gid, cid) = tender(&app, &["rc"]).await;
    assert_eq!(
        submit(&c, gid, cid, &["rc"], "2026-12-04").await.status(),
        303
    );
    let rid = latest_round(&c, gid, cid).await;
    let ronchin = app.member_id(RONCHIN).await;
    let santelys = app.member_id(SANTELYS).await;
    // RONCHIN gives SANTELYS its written proxy; SANTELYS's référent answers for both.
    let r = c
        .post_form(
            &format!("/g/{gid}/procurations"),
            &[
                ("grantor_member_id", &ronchin.to_string()),
                ("holder_member_id", &santelys.to_string()),
                ("given_on", "2026-11-20"),
                (
                    "document_reference",
                    "Courrier du CCAS de Ronchin du 20 novembre 2026",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    all_answer(&app, gid, cid, rid, &["rc"], &[RONCHIN, SANTELYS]).await;
    let referent = app.login(&referent_email(SANTELYS)).await;
    let reserve = "Préciser la reprise des plans d'aide.";
    let r = answer(
        &referent,
        gid,
        cid,
        rid,
        json!({"piece": "rc", "decision": "favorable_avec_reserves", "comment": reserve}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = answer(
        &referent,
        gid,
        cid,
        rid,
        json!({"piece": "rc", "decision": "favorable", "member_id": ronchin}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());

    let r = c
        .get(&format!(
            "/g/{gid}/consultations/{cid}/visas/rounds/{rid}/rc/bordereau.docx"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let doc = docx_text::open(&r.bytes().await.expect("bytes"));
    let text = doc.document_text();
    assert!(!text.contains("10 visas favorables"), "{text}");
    assert!(
        text.contains(
            "9 visas favorables et 1 visa favorable avec réserves, sur 10 membres appelés à viser"
        ),
        "{text}"
    );
    // The count table: one line per kind of decision.
    let counts = doc
        .tables()
        .into_iter()
        .find(|t| {
            t.rows
                .iter()
                .any(|r| r[0] == "Visas favorables avec réserves")
        })
        .expect("count table");
    let line = |label: &str| -> String {
        counts
            .rows
            .iter()
            .find(|r| r[0] == label)
            .map(|r| r[1].clone())
            .unwrap_or_default()
    };
    assert_eq!(line("Visas favorables"), "9");
    assert_eq!(line("Visas favorables avec réserves"), "1");
    assert_eq!(line("Visas défavorables"), "0");
    assert_eq!(line("Visas tacites"), "0");
    // The signatory of each visa is the référent who gave it, not the legal representative.
    let santelys_referent = app.user_row(&referent_email(SANTELYS)).await;
    let visas = doc
        .tables()
        .into_iter()
        .find(|t| {
            t.rows
                .first()
                .is_some_and(|h| h.iter().any(|c| c == "Signataire du visa"))
        })
        .expect("visa table");
    let row_of = |member: &str| {
        visas
            .rows
            .iter()
            .find(|r| r[0] == member)
            .cloned()
            .unwrap_or_else(|| panic!("{member} missing: {:?}", visas.rows))
    };
    let own = row_of("SANTELYS");
    assert_eq!(own[1], "visa favorable avec réserves");
    assert!(own[2].contains(&santelys_referent.display_name), "{own:?}");
    assert!(own[2].contains("référent du membre SANTELYS"), "{own:?}");
    assert!(
        !own[2].contains("Pierre FONTAINE"),
        "not the legal representative: {own:?}"
    );
    let proxied = row_of("CCAS DE RONCHIN");
    assert!(
        proxied[2].contains(&santelys_referent.display_name),
        "{proxied:?}"
    );
    assert!(
        proxied[2].contains("par procuration de CCAS DE RONCHIN"),
        "{proxied:?}"
    );
    // The conclusion names the reserve: member, référent and comment.
    let conclusion = text.split("Conclusion").nth(1).unwrap_or_default();
    assert!(conclusion.contains("SANTELYS"), "{conclusion}");
    assert!(conclusion.contains(reserve), "{conclusion}");
}
