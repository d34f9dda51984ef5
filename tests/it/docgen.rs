//! Document engine: every kind generated from its example and read back with an independent
//! reader (zip + quick-xml, see `support::docx_text`); the package, layout, typography and
//! validator checks are in the submodules.

mod package;
mod typography;
pub mod validator;

use crate::support::docx_text::{self, Docx};
use coordo::docgen::format::money_fr;
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

fn default_look() -> coordo::docgen::Look {
    coordo::docgen::Look::default()
}

fn render(kind: DocKind, ctx: &Value) -> (String, Docx) {
    let doc = engine()
        .render_docx(kind, ctx, &default_look())
        .unwrap_or_else(|e| panic!("{kind} : {e}"));
    (doc.markdown, docx_text::open(&doc.docx))
}

/// `docx` with part `name` rewritten by `edit` (entries stored), to check that a test can fail.
fn rewrite_part(docx: &[u8], name: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entrée");
        let entry = f.name().expect("nom").into_owned();
        let mut text = String::new();
        f.read_to_string(&mut text).expect("XML");
        if entry == name {
            text = edit(&text);
        }
        out.start_file(entry, zip::write::SimpleFileOptions::default())
            .expect("entrée");
        out.write_all(text.as_bytes()).expect("écriture");
    }
    out.finish().expect("zip").into_inner()
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
        // Points out of 100, as the scoring engine weighs them.
        let weight = c["weight"].as_str().unwrap();
        assert!(
            criteria_table
                .rows
                .iter()
                .any(|r| r[0].starts_with(name) && r[2] == weight),
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

const ATTRI1_SECTIONS: [&str; 13] = [
    "A – Objet de l'acte d'engagement",
    "B – Engagement du titulaire ou du groupement titulaire",
    "B1 – Identification et engagement du titulaire ou du groupement titulaire",
    "B2 – Nature du groupement et, en cas de groupement conjoint, répartition des prestations",
    "B3 – Compte(s) à créditer",
    "B4 – Avance (article R2191-3 du code de la commande publique)",
    "B5 – Durée d'exécution de l'accord-cadre",
    "C – Signature de l'acte d'engagement par le titulaire ou le groupement titulaire",
    "D – Identification de l'acheteur",
    "E – Nantissements ou cessions de créances",
    "F – Engagement de l'acheteur",
    "G – Annexes de l'acte d'engagement",
    "C2 – Signature en cas de groupement d'opérateurs économiques",
];

#[test]
fn ae_has_the_attri1_sections_a_to_g_blank_in_the_dce() {
    let (_, docx) = render(DocKind::Ae, &example(DocKind::Ae));
    let paragraphs = docx.paragraphs("word/document.xml");
    for heading in ATTRI1_SECTIONS {
        assert!(
            paragraphs.iter().any(|p| p == heading),
            "section absente : {heading}"
        );
    }
    let text = docx.document_text();
    assert!(
        text.contains("Copie délivrée en unique exemplaire"),
        "{text}"
    );
    assert!(text.contains("Comptable assignataire des paiements"));
    assert!(text.contains("Imputation budgétaire"));
    assert!(text.contains("à compléter"));
    assert!(
        !text.contains("euros"),
        "no amount in words in the blank AE"
    );
}

/// The attributaire's AE: `examples/ae_attribue.json` is the output of
/// `pieces::award::ae_for_award` (checked by its unit test); here it is rendered and read back.
#[test]
fn the_attributaires_ae_names_it_with_its_siret_and_amounts_in_figures_and_words() {
    let ctx: Value =
        serde_json::from_str(include_str!("../../documents/examples/ae_attribue.json"))
            .expect("exemple JSON valide");
    let (_, docx) = render(DocKind::Ae, &ctx);
    let text = docx.document_text();
    assert!(text.contains("LOGIDOM SANTÉ"), "{text}");
    assert!(text.contains("81234567600017"));
    assert!(text.contains(&money_fr(Decimal::from(268_420))));
    assert!(text.contains(&money_fr(Decimal::from(322_104))));
    assert!(text.contains("deux cent soixante-huit mille quatre cent vingt euros"));
    assert!(text.contains("trois cent vingt-deux mille cent quatre euros"));
    assert!(text.contains("Mme Laure DESMET, Présidente"));
    assert!(
        text.contains("sans objet (titulaire individuel)"),
        "C2 of an individual"
    );
    let lines = docx
        .tables()
        .into_iter()
        .find(|t| t.rows[0][0] == "Prix")
        .expect("table des prix");
    assert_eq!(lines.rows.len(), 4, "header + 3 price lines");
    assert_eq!(lines.rows[1][5], money_fr(Decimal::from(235_000)));
    for heading in ATTRI1_SECTIONS {
        assert!(
            docx.paragraphs("word/document.xml")
                .iter()
                .any(|p| p == heading),
            "{heading}"
        );
    }
}

/// The CCAP of `ccag` from the example: the `ccag` object and the derogations switched as
/// `pieces::context` does.
fn ccap_for(code: &str, ip_option: &str) -> Value {
    let ccag = coordo::pieces::ccag::Ccag::from_code(code).expect("ccag");
    let mut ctx = example(DocKind::Ccap);
    ctx["ccag"] = ccag.json();
    ctx["consultation"]["ccag"] =
        json!(coordo::pieces::context::ccag_texts(code).expect("texte").0);
    ctx["ccap"]["derogations"] = coordo::pieces::ccag::derogations_json(ccag, ip_option);
    ctx["ccap"]["ip_option"] = json!(ip_option);
    ctx["ccap"]["ip_assignment"] = json!(ip_option == "B");
    ctx["ccap"]["delivery_days"] = json!(30);
    ctx["ccap"]["warranty_months"] = json!(36);
    // The example's penalties are the software's (one names the CCAG-TIC): one generic penalty.
    if code != "tic" {
        ctx["ccap"]["penalties"] = json!([{
            "event": "retard de remise d'un livrable ou d'une livraison",
            "amount": "100", "unit": "par jour calendaire", "reference": "CCAP",
        }]);
    }
    ctx
}

/// The rows of the last article's table: (CCAP article, CCAG article).
fn derogation_rows(docx: &Docx) -> Vec<(String, String)> {
    docx.tables()
        .into_iter()
        .find(|t| t.rows[0][0] == "Article du CCAP")
        .expect("table des dérogations")
        .rows
        .iter()
        .skip(1)
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

#[test]
fn the_ccap_switches_by_ccag_and_lists_its_derogations_last() {
    // CCAG-TIC: the software (VA/VSR, reversibility art. 42).
    let (_, tic) = render(DocKind::Ccap, &ccap_for("tic", "A"));
    let text = tic.document_text();
    assert!(text.contains("CCAG-TIC (arrêté du 30 mars 2021"), "{text}");
    assert!(text.contains("vérification de service régulier (VSR)"));
    assert!(text.contains("Article 15 – Dérogations au CCAG-TIC"));
    assert_eq!(
        derogation_rows(&tic),
        vec![("7".into(), "14".into()), ("12".into(), "42".into())]
    );
    assert!(!text.contains("CCAG-PI") && !text.contains("CCAG-FCS"));
    // CCAG-PI: the AMOA, option A then option B (a derogation to chapter 5).
    let (_, pi) = render(DocKind::Ccap, &ccap_for("pi", "A"));
    let text = pi.document_text();
    assert!(text.contains("CCAG-PI (arrêté du 30 mars 2021)"), "{text}");
    assert!(text.contains("Option A – régime du CCAG-PI"));
    assert!(text.contains("chapitre 5 du CCAG-PI (articles 32 et suivants)"));
    assert!(text.contains("Remise des livrables"));
    assert!(text.contains("Article 15 – Dérogations au CCAG-PI"));
    assert!(
        !text.contains("CCAG-TIC") && !text.contains("VSR"),
        "{text}"
    );
    assert!(!text.contains("hébergeur certifié HDS"), "{text}");
    assert_eq!(derogation_rows(&pi), vec![("7".into(), "14".into())]);
    let (_, pi_b) = render(DocKind::Ccap, &ccap_for("pi", "B"));
    assert!(pi_b.document_text().contains("Option B – cession"));
    assert_eq!(
        derogation_rows(&pi_b),
        vec![
            ("7".into(), "14".into()),
            ("9".into(), "32 et suivants (chapitre 5)".into())
        ]
    );
    // CCAG-FCS: the hardware (delivery, verifications, warranty).
    let (_, fcs) = render(DocKind::Ccap, &ccap_for("fcs", "A"));
    let text = fcs.document_text();
    assert!(text.contains("CCAG-FCS (arrêté du 30 mars 2021)"), "{text}");
    assert!(text.contains("délai de 30 jours calendaires"));
    assert!(text.contains("vérifications quantitatives"));
    assert!(text.contains("pendant 36 mois"));
    assert!(text.contains("Article 15 – Dérogations au CCAG-FCS"));
    assert!(!text.contains("CCAG-TIC") && !text.contains("Option A"));
    assert_eq!(derogation_rows(&fcs), vec![("7".into(), "14".into())]);
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
        .render_docx(DocKind::Noti3, &ctx, &default_look())
        .unwrap()
        .docx;
    // Other documents in between, then another thread: no hidden counter may leak in.
    let _ = engine()
        .render_docx(DocKind::Rc, &example(DocKind::Rc), &default_look())
        .unwrap();
    let second = engine()
        .render_docx(DocKind::Noti3, &ctx, &default_look())
        .unwrap()
        .docx;
    let third = std::thread::spawn(move || {
        engine()
            .render_docx(DocKind::Noti3, &ctx, &default_look())
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
        .render_docx(DocKind::Rc, &ctx, &default_look())
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

/// A groupement conjoint of operators: B2 names each member with its share, C2 the mandataire
/// and each member's signatory (ATTRI1 B2 and C2), from `pieces::award::ae_for_award`.
#[test]
fn a_groupement_of_operators_fills_b2_and_c2() {
    use coordo::pieces::award::{
        Award, AwardedLot, GroupNature, Operator, OperatorGroup, Signatory, ae_for_award,
    };
    let member = |name: &str, siret: &str, services: &str, amount: i64| Operator {
        name: name.into(),
        siret: siret.into(),
        services: services.into(),
        amount_ht: Some(Decimal::from(amount)),
        signatory: Signatory {
            name: format!("Signataire de {name}"),
            title: "Gérant".into(),
        },
        ..Operator::default()
    };
    let mandataire = member("LOGIDOM SANTÉ", "81234567600017", "logiciel", 200_000);
    let award = Award {
        attributaire: mandataire.clone(),
        group: Some(OperatorGroup {
            nature: GroupNature::Conjoint,
            mandataire_solidaire: true,
            members: vec![
                mandataire,
                member(
                    "INTÉGRATEUR NORD",
                    "73282932000074",
                    "reprise des données",
                    68_420,
                ),
            ],
        }),
        lots: vec![AwardedLot {
            number: 1,
            title: "Solution DUI".into(),
            amount_ht: Some(Decimal::from(268_420)),
            lines: vec![],
        }],
        vat_rate: Decimal::from(20),
        duration_months: 48,
        advance_refused: true,
        signed_at: None,
    };
    let ctx = ae_for_award(&example(DocKind::Ae), &award).expect("AE de l'attributaire");
    let (_, docx) = render(DocKind::Ae, &ctx);
    let text = docx.document_text();
    assert!(text.contains("☒ conjoint ; ☐ solidaire"), "{text}");
    assert!(text.contains("LOGIDOM SANTÉ (mandataire)"));
    assert!(text.contains("solidaire de chacun des membres"));
    assert!(text.contains("☐ non ☒ oui"), "avance refused");
    let b2 = docx
        .tables()
        .into_iter()
        .find(|t| {
            t.rows[0][0] == "Membre du groupement"
                && t.rows[0].len() == 4
                && t.rows[0][1] == "SIRET"
        })
        .expect("B2");
    assert_eq!(b2.rows.len(), 3);
    assert_eq!(b2.rows[2][3], money_fr(Decimal::from(68_420)));
    assert!(text.contains("Signataire de INTÉGRATEUR NORD, Gérant"));
}
