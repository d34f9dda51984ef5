//! French typography in the stored text, for template text and user data alike.

use super::{example, render};
use coordo::docgen::DocKind;
use serde_json::json;

#[test]
fn template_and_user_text_get_french_spaces_but_addresses_stay_intact() {
    let mut ctx = example(DocKind::Rc);
    ctx["groupement"]["members"][0]["name"] =
        json!("ASSOCIATION «LES AMIS» : voir https://exemple.fr/a?b=1 ; 350 000 € HT à 10:30");
    let (_, docx) = render(DocKind::Rc, &ctx);
    let raw = docx.raw_paragraphs("word/document.xml").join("\n");
    assert!(
        raw.contains("ASSOCIATION «\u{202F}LES AMIS\u{202F}»\u{202F}: voir https://exemple.fr/a?b=1\u{202F}; 350\u{202F}000\u{A0}€\u{A0}HT à 10:30"),
        "{raw}"
    );
    // Template text (title page and body).
    assert!(
        raw.contains("Référence de la consultation\u{202F}:"),
        "{raw}"
    );
    assert!(raw.contains("12\u{A0}h\u{A0}00"), "heure insécable");
    assert!(
        !raw.contains(" :") && !raw.contains(" ;"),
        "espace ordinaire avant : ou ;"
    );
    // Read as typed, the text is unchanged for content checks.
    assert!(
        docx.document_text()
            .contains("Référence de la consultation : ")
    );
}
