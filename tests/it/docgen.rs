//! Document engine: every kind generated from its example and read back with an independent
//! reader (zip + quick-xml, see `support::docx_text`).

use crate::support::docx_text::{self, Docx};
use coordo::docgen::format::{money_fr, percent_fr};
use coordo::docgen::{
    DocEngine, DocError, DocKind, Limits, check_noti3_mentions, example_context, markdown_to_html,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::OnceLock;

fn engine() -> &'static DocEngine {
    static ENGINE: OnceLock<DocEngine> = OnceLock::new();
    ENGINE.get_or_init(|| DocEngine::new().expect("moteur de documents"))
}

fn example(kind: DocKind) -> Value {
    serde_json::from_str(example_context(kind)).expect("exemple JSON valide")
}

fn no_overrides() -> BTreeMap<String, String> {
    BTreeMap::new()
}

fn render(kind: DocKind, ctx: &Value) -> (String, Docx) {
    let doc = engine()
        .render_docx(kind, ctx, &no_overrides())
        .unwrap_or_else(|e| panic!("{kind} : {e}"));
    (doc.markdown, docx_text::open(&doc.docx))
}

fn dec(v: &Value) -> Decimal {
    match v {
        Value::String(s) => Decimal::from_str(s).expect("décimal"),
        Value::Number(n) => Decimal::from_str(&n.to_string()).expect("décimal"),
        other => panic!("nombre attendu : {other}"),
    }
}

#[test]
fn every_kind_renders_a_well_formed_docx_with_header_footer_and_dates() {
    for kind in DocKind::ALL {
        let ctx = example(kind);
        let (_, docx) = render(kind, &ctx);
        docx.check_well_formed()
            .unwrap_or_else(|e| panic!("{kind} : {e}"));
        let reference = ctx["consultation"]["reference"].as_str().unwrap();
        assert!(
            docx.header_text().contains(reference),
            "{kind} : en-tête sans référence"
        );
        let footer = docx.footer_text();
        assert!(
            footer.starts_with("Page ") && footer.contains(" / "),
            "{kind} : pied {footer:?}"
        );
        let codes = docx.footer_field_codes();
        assert!(codes.iter().any(|c| c == "PAGE"), "{kind} : {codes:?}");
        assert!(codes.iter().any(|c| c == "NUMPAGES"), "{kind} : {codes:?}");
        assert!(
            !docx.core_created().starts_with("1970"),
            "{kind} : date de création par défaut"
        );
        let body = docx.xml("word/document.xml");
        assert!(
            body.contains(r#"w:w="11906""#) && body.contains(r#"w:h="16838""#),
            "{kind} : pas A4"
        );
        assert!(
            docx.document_text().contains(kind.label_fr())
                || ctx["document"].get("title").is_some()
        );
    }
}

#[test]
fn core_created_date_comes_from_the_context_in_utc() {
    let (_, docx) = render(DocKind::Rc, &example(DocKind::Rc));
    // created_at = 2026-12-01T09:00:00+01:00
    assert_eq!(docx.core_created(), "2026-12-01T08:00:00Z");
}

#[test]
fn rc_has_procedure_criteria_weights_members_and_deadline() {
    let ctx = example(DocKind::Rc);
    let (_, docx) = render(DocKind::Rc, &ctx);
    let text = docx.document_text();
    assert!(text.contains("appel d'offres ouvert"));
    assert!(text.contains("R2161-2 à R2161-5"));
    assert!(
        text.contains("15 janvier 2027 à 12 h 00"),
        "date limite des offres"
    );
    let criteria_table = docx
        .tables()
        .into_iter()
        .find(|t| t.rows[0].first().is_some_and(|c| c == "Critère"))
        .expect("tableau des critères");
    for c in ctx["consultation"]["criteria"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let weight = percent_fr(dec(&c["weight"]));
        assert!(
            criteria_table
                .rows
                .iter()
                .any(|r| r[0] == name && r[2] == weight),
            "critère {name} {weight} absent : {:?}",
            criteria_table.rows
        );
    }
    let members = ctx["groupement"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 10);
    let members_table = docx
        .tables()
        .into_iter()
        .find(|t| t.rows[0].first().is_some_and(|c| c == "Membre"))
        .expect("tableau des membres");
    assert_eq!(members_table.rows.len(), 11, "en-tête + 10 membres");
    for m in members {
        let name = m["name"].as_str().unwrap();
        let finess = m["finess_juridique"].as_str().unwrap();
        assert!(
            members_table
                .rows
                .iter()
                .any(|r| r[0].starts_with(name) && r[2] == finess),
            "membre {name} ({finess}) absent"
        );
    }
    assert!(text.contains("CCAS DE WATTRELOS (coordonnateur)"));
}

#[test]
fn ae_has_the_attri1_sections_a_to_d() {
    let (_, docx) = render(DocKind::Ae, &example(DocKind::Ae));
    let paragraphs = docx.paragraphs("word/document.xml");
    for heading in [
        "A – Objet de l'acte d'engagement",
        "B – Engagement du titulaire ou du groupement titulaire",
        "B1 – Identification et engagement du titulaire",
        "B2 – Nature du groupement et répartition des prestations",
        "B3 – Compte à créditer",
        "B4 – Avance (article R2191-3 du code de la commande publique)",
        "B5 – Durée d'exécution de l'accord-cadre",
        "C – Signature de l'acte d'engagement par le titulaire",
        "D – Identification et signature de l'acheteur",
    ] {
        assert!(
            paragraphs.iter().any(|p| p == heading),
            "section absente : {heading}"
        );
    }
    let text = docx.document_text();
    assert!(text.contains("deux cent soixante-huit mille quatre cent vingt euros"));
    assert!(text.contains(&money_fr(Decimal::from(322_104))));
}

#[test]
fn bpu_totals_per_member_and_per_lot_are_exact() {
    let ctx = example(DocKind::Bpu);
    let (_, docx) = render(DocKind::Bpu, &ctx);
    let tables = docx.tables();
    let names: BTreeMap<String, String> = ctx["groupement"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["finess_juridique"].as_str().unwrap().to_owned(),
                m["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut grand = Decimal::ZERO;
    let mut checked = 0;
    for (l, lot) in ctx["bpu"]["lots"].as_array().unwrap().iter().enumerate() {
        let mut per_member: BTreeMap<&str, Decimal> = BTreeMap::new();
        for item in lot["items"].as_array().unwrap() {
            let price = dec(&item["unit_price"]);
            for (finess, q) in item["quantities"].as_object().unwrap() {
                *per_member.entry(finess.as_str()).or_default() += dec(q) * price;
            }
        }
        // The « Détail quantitatif estimatif par membre » table of this lot: 2nd table of the lot.
        let detail = &tables[l * 3 + 1];
        for (finess, total) in &per_member {
            let label = format!("Total {}", names[*finess]);
            let row = detail
                .rows
                .iter()
                .find(|r| r[0] == label)
                .unwrap_or_else(|| panic!("{label}"));
            assert_eq!(
                row.last().unwrap(),
                &money_fr(*total),
                "{label}, lot {}",
                l + 1
            );
            checked += 1;
        }
        let lot_total: Decimal = per_member.values().sum();
        grand += lot_total;
        let recap = &tables[l * 3 + 2];
        let total_row = recap
            .rows
            .iter()
            .find(|r| r[0].starts_with("Total du lot") && r[0].ends_with("HT"))
            .unwrap();
        assert_eq!(total_row[2], money_fr(lot_total));
    }
    assert!(checked >= 18, "{checked} totaux vérifiés");
    let general = tables.last().unwrap();
    let total_row = general.rows.iter().find(|r| r[0] == "Total HT").unwrap();
    assert_eq!(total_row[2], money_fr(grand));
    assert_eq!(grand, Decimal::from(333_410));
}

#[test]
fn tables_have_borders_a_bold_shaded_header_and_right_aligned_amounts() {
    let (_, docx) = render(DocKind::Rc, &example(DocKind::Rc));
    let tables = docx.tables();
    assert!(tables.len() >= 3);
    for t in &tables {
        assert!(t.all_borders, "bordures : {:?}", t.rows[0]);
        assert!(
            t.header_shaded && t.header_bold,
            "en-tête : {:?}",
            t.rows[0]
        );
    }
    let lots = tables.iter().find(|t| t.rows[0][0] == "Lot").unwrap();
    assert_eq!(lots.alignments[1][2], "right", "montant aligné à droite");
    assert_eq!(lots.alignments[1][1], "left");
}

#[test]
fn lists_use_numbering_ids_from_two() {
    let (_, docx) = render(DocKind::Rc, &example(DocKind::Rc));
    let body = docx.xml("word/document.xml");
    let ids: Vec<u32> = body
        .match_indices(r#"<w:numId w:val=""#)
        .map(|(i, m)| {
            let rest = &body[i + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    assert!(!ids.is_empty(), "aucune liste");
    assert!(ids.iter().all(|id| *id >= 2), "{ids:?}");
    assert!(
        ids.contains(&2) && ids.iter().any(|id| *id >= 3),
        "puces et listes numérotées : {ids:?}"
    );
}

#[test]
fn same_input_gives_the_same_bytes() {
    let ctx = example(DocKind::Noti3);
    let first = engine()
        .render_docx(DocKind::Noti3, &ctx, &no_overrides())
        .unwrap()
        .docx;
    // Other documents in between, then another thread: no hidden counter may leak in.
    let _ = engine()
        .render_docx(DocKind::Rc, &example(DocKind::Rc), &no_overrides())
        .unwrap();
    let second = engine()
        .render_docx(DocKind::Noti3, &ctx, &no_overrides())
        .unwrap()
        .docx;
    let third = std::thread::spawn(move || {
        engine()
            .render_docx(DocKind::Noti3, &ctx, &no_overrides())
            .unwrap()
            .docx
    })
    .join()
    .unwrap();
    assert!(
        first == second && second == third,
        "sortie non déterministe"
    );
}

#[test]
fn a_syntax_error_is_reported_with_its_line() {
    let src = "Première ligne\nDeuxième ligne\n{{#each consultation.lots}}{{/if}}\n";
    let err = engine()
        .check_template(src, &example(DocKind::Rc))
        .unwrap_err();
    let t = err.as_template_error().expect("erreur de modèle");
    assert_eq!(t.template, "brouillon");
    assert_eq!(t.line, Some(3), "{t:?}");
    assert!(err.to_string().contains("ligne 3"), "{err}");
}

#[test]
fn an_unknown_variable_fails_in_strict_mode_with_its_line() {
    let src = "Objet : {{consultation.object}}\n\nRéférence : {{consultation.objet}}\n";
    let err = engine()
        .check_template(src, &example(DocKind::Rc))
        .unwrap_err();
    let t = err.as_template_error().expect("erreur de modèle");
    assert_eq!(t.line, Some(3));
    assert!(
        t.message
            .contains("variable inconnue « consultation.objet »"),
        "{}",
        t.message
    );
    assert!(
        engine()
            .check_template(
                "{{money consultation.estimated_amount_ht}}",
                &example(DocKind::Rc)
            )
            .is_ok()
    );
}

#[test]
fn a_clause_override_replaces_the_default_and_its_errors_are_located() {
    let ctx = example(DocKind::Ccap);
    let mut overrides = BTreeMap::new();
    overrides.insert(
        "penalites".to_owned(),
        "Pénalité unique de {{money ccap.penalty_exemption_ht}} par manquement.".to_owned(),
    );
    let md = engine()
        .render_markdown(DocKind::Ccap, &ctx, &overrides)
        .unwrap();
    assert!(md.contains("Pénalité unique de 1\u{202F}000,00\u{A0}€ par manquement."));
    assert!(!md.contains("Par dérogation à l'article 14 du CCAG-TIC, les pénalités suivantes"));

    overrides.insert(
        "penalites".to_owned(),
        "Ligne 1\n{{ccap.penalites_inconnues}}".to_owned(),
    );
    let err = engine()
        .render_markdown(DocKind::Ccap, &ctx, &overrides)
        .unwrap_err();
    let t = err.as_template_error().expect("erreur de modèle");
    assert_eq!(
        (t.template.as_str(), t.line),
        ("clauses/penalites", Some(2)),
        "{t:?}"
    );

    let mut unknown = BTreeMap::new();
    unknown.insert("garantie".to_owned(), "texte".to_owned());
    let err = engine()
        .render_markdown(DocKind::Ccap, &ctx, &unknown)
        .unwrap_err();
    assert!(matches!(err, DocError::UnknownClause { .. }));
    assert!(err.to_string().contains("clause inconnue « garantie »"));
}

#[test]
fn oversize_context_and_clause_are_refused_in_french() {
    let small = DocEngine::with_limits(Limits {
        max_context_bytes: 1_000,
        max_clause_bytes: 50,
    })
    .unwrap();
    let err = small
        .render_markdown(DocKind::Rc, &example(DocKind::Rc), &no_overrides())
        .unwrap_err();
    assert!(matches!(err, DocError::ContextTooLarge { max: 1_000, .. }));
    assert!(err.to_string().starts_with("contexte trop volumineux"));
    let err = small
        .check_template(&"x".repeat(51), &json!({}))
        .unwrap_err();
    assert!(err.to_string().contains("trop volumineuse"), "{err}");
}

#[test]
fn the_noti3_example_carries_every_r2181_3_mention() {
    let ctx = example(DocKind::Noti3);
    let md = engine()
        .render_markdown(DocKind::Noti3, &ctx, &no_overrides())
        .unwrap();
    assert_eq!(check_noti3_mentions(&md), Ok(()));
    let (_, docx) = render(DocKind::Noti3, &ctx);
    let text = docx.document_text();
    assert!(
        text.contains("LOGIDOM SANTÉ") && text.contains("1er mars 2027") && text.contains("rang 2")
    );
    let truncated = &md[..md.find("## E –").unwrap()];
    let missing = check_noti3_mentions(truncated).unwrap_err();
    // Attributaire, motifs du choix, suspension, voies de recours, référé précontractuel and
    // recours Tarn-et-Garonne come after rubric D; the channel stands at the top.
    assert_eq!(missing.len(), 6, "{missing:?}");
    assert_eq!(
        coordo::docgen::noti3::check_noti3_offer_mentions(&md),
        Ok(()),
        "a ranked offer: the R2181-4 request and the buyer's contact"
    );
}

#[test]
fn user_text_cannot_inject_markup_or_break_the_xml() {
    let mut ctx = example(DocKind::Rc);
    ctx["groupement"]["members"][0]["name"] =
        json!("A <script>alert(1)</script> & **B** | C \u{1}");
    let doc = engine()
        .render_docx(DocKind::Rc, &ctx, &no_overrides())
        .unwrap();
    let html = markdown_to_html(&doc.markdown);
    assert!(
        !html.contains("<script>") && html.contains("&lt;script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<strong>B</strong>"));
    let docx = docx_text::open(&doc.docx);
    docx.check_well_formed().unwrap();
    assert!(
        docx.document_text()
            .contains("A <script>alert(1)</script> & **B** | C ")
    );
}

#[test]
fn letters_carry_a_letterhead_and_one_recipient_per_file() {
    let ctx = example(DocKind::SansSuite);
    let (md, docx) = render(DocKind::SansSuite, &ctx);
    let text = docx.document_text();
    assert!(text.contains("Wattrelos, le 10 février 2027"));
    assert!(text.contains(ctx["candidate"]["name"].as_str().unwrap()));
    // One letter, one recipient: no page break, the channel used stated.
    let breaks = docx
        .xml("word/document.xml")
        .matches(r#"w:type="page""#)
        .count();
    assert_eq!(breaks, 0);
    assert!(
        text.contains(ctx["sending"]["label"].as_str().unwrap()),
        "{text}"
    );
    assert_eq!(md.matches("sans suite").count(), 2);
}
