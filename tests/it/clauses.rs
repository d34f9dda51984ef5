//! The clause library in people's words: clauses listed by their French title in the order of
//! the documents, the edit page headed by the title with its preview and the variables to
//! insert, and a broken clause refused with a French message naming its line.

use crate::support::*;

#[tokio::test]
async fn clauses_are_listed_by_title_and_edited_with_a_preview_and_the_variables() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let list = c
        .get(&format!("/g/{gid}/clauses"))
        .await
        .text()
        .await
        .expect("html");
    assert!(list.contains(">Dérogations au CCAG</a>"), "{list}");
    assert!(list.contains("<code>derogations_ccag</code>"), "{list}");
    // The order of the documents: the RC's clauses first, the CCAP's last article last.
    let at = |t: &str| list.find(t).unwrap_or_else(|| panic!("{t} absent"));
    assert!(at(">Offres anormalement basses</a>") < at(">Voies de recours</a>"));
    assert!(at(">Voies de recours</a>") < at(">Pénalités</a>"));
    assert!(at(">Pénalités</a>") < at(">Dérogations au CCAG</a>"));

    let page = c
        .get(&format!("/g/{gid}/clauses/voies_recours"))
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains("<h1>Voies de recours</h1>"), "{page}");
    assert!(page.contains(r#"<label for="clause-source">"#), "{page}");
    // The preview is there without clicking: the default text with the example court.
    assert!(
        page.contains("<strong>Tribunal administratif de Lille</strong>"),
        "{page}"
    );
    assert!(page.contains("<code>{{court.name}}</code>"), "{page}");
    assert!(page.contains("Tribunal administratif compétent"), "{page}");
}

#[tokio::test]
async fn a_broken_clause_gets_a_422_in_french_naming_its_line_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let before = app.audit_count().await;
    let path = format!("/g/{gid}/clauses/paiement");
    for (source, expected) in [
        (
            "Un\nDeux\nLe délai : {{ccap.payment_days jours.",
            "Ligne 3, colonne 12 : accolades non fermées — chaque « {{ » doit être fermé par « }} »",
        ),
        (
            "Un\n\n\n\nMontant : {{ccap.montant}}",
            "Ligne 5, colonne 11 : variable inconnue « ccap.montant » — variables disponibles : ccap.",
        ),
        (
            "{{#each ccap.penalties}}\n{{event}}\n{{/if}}",
            "Ligne 3, colonne 1 : le bloc « {{#each}} » ouvert ligne 1 doit être fermé par « {{/each}} »",
        ),
    ] {
        let r = c.post_form(&path, &[("source", source)]).await;
        assert_eq!(r.status(), 422, "{source}");
        let html = r.text().await.expect("html");
        assert!(html.contains(expected), "{expected}\n{html}");
        for english in ["expected", "Failed to", "Template error", "Error rendering"] {
            assert!(!html.contains(english), "{english}\n{html}");
        }
        // The text typed is kept in the form for correction.
        assert!(
            html.contains("Le délai") || html.contains("Montant") || html.contains("{{event}}")
        );
    }
    assert_eq!(app.audit_count().await, before, "nothing journaled");
    let page = c.get(&path).await.text().await.expect("html");
    assert!(
        page.contains("texte en vigueur : clause par défaut"),
        "nothing saved: {page}"
    );
}
