use super::*;
use rust_decimal::Decimal;

const LOTS: [Lot; 2] = [(7, 1), (8, 2)];

fn members() -> Vec<Member> {
    vec![
        (1, "SANTELYS".to_owned(), "590036745".to_owned()),
        (2, "CCAS DE RONCHIN".to_owned(), "590798377".to_owned()),
        (3, "CCAS DE L'AIN".to_owned(), "010001234".to_owned()),
    ]
}

fn table(lines: &[&[&str]]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| l.iter().map(|c| (*c).to_owned()).collect())
        .collect()
}

fn header() -> Vec<&'static str> {
    headers()
}

#[test]
fn filled_lines_become_needs_and_empty_lines_are_skipped() {
    let h = header();
    let rows = table(&[
        &h,
        &[
            "1",
            "Solution",
            "SANTELYS",
            "590036745",
            "35 000,50",
            "",
            "0",
            "2,5",
            "licence",
        ],
        &[
            "1",
            "Solution",
            "CCAS DE RONCHIN",
            "590798377",
            "",
            "",
            "",
            "",
            "",
        ],
        &["2", "", "", "590 798 377", "12000.00", "1000", "", "", ""],
        // A spreadsheet dropped the leading zero of the FINESS.
        &["1", "", "", "10001234", "500", "", "", "", ""],
        &[],
    ]);
    let drafts = parse(&rows, &LOTS, &members()).expect("valid");
    assert_eq!(drafts.len(), 3);
    assert_eq!((drafts[0].lot_id, drafts[0].member_id), (7, 1));
    assert_eq!(drafts[0].amount_ht, Decimal::new(3_500_050, 2));
    assert_eq!(drafts[0].renewals_ht, Decimal::ZERO);
    assert_eq!(drafts[0].quantity, Some(Decimal::new(25, 1)));
    assert_eq!(drafts[0].unit.as_deref(), Some("licence"));
    assert_eq!((drafts[1].lot_id, drafts[1].member_id), (8, 2));
    assert_eq!(drafts[1].options_ht, Decimal::from(1000));
    assert_eq!(drafts[2].member_id, 3);
}

#[test]
fn headers_are_found_in_any_order_and_spelling_and_other_columns_ignored() {
    let rows = table(&[
        &[
            "Remarque",
            "finess  juridique",
            "MONTANT HT",
            "n° de lot",
            "Unite",
            "quantite",
            "Options HT",
            "Reconductions HT",
        ],
        &["à revoir", "590036745", "100", "2", "", "", "", ""],
    ]);
    let drafts = parse(&rows, &LOTS, &members()).expect("valid");
    assert_eq!(
        (drafts[0].lot_id, drafts[0].amount_ht),
        (8, Decimal::from(100))
    );
}

#[test]
fn every_error_names_its_line_and_column_and_all_are_listed() {
    let h = header();
    let rows = table(&[
        &h,
        &["1", "", "", "590036745", "12 000,5x", "", "", "", ""],
        &["1", "", "", "590798377", "100", "", "", "-1", ""],
        &["3", "", "", "999999999", "100", "", "", "", ""],
        &["un", "", "", "", "", "abc", "", "", ""],
    ]);
    let errs = parse(&rows, &LOTS, &members()).expect_err("refused");
    assert!(
        errs[0].starts_with("Ligne 2, colonne « Montant HT » : « 12 000,5x » n'est pas un montant"),
        "{errs:?}"
    );
    assert!(
        errs[1].starts_with("Ligne 3, colonne « Quantité » : « -1 »"),
        "{errs:?}"
    );
    assert!(
        errs.contains(
            &"Ligne 4, colonne « N° de lot » : la consultation n'a pas de lot 3".to_owned()
        )
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("Ligne 4, colonne « FINESS juridique » : aucun membre actif"))
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("Ligne 5, colonne « N° de lot » : « un »"))
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("Ligne 5, colonne « FINESS juridique » : le FINESS"))
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("Ligne 5, colonne « Montant HT » : le montant est obligatoire"))
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("Ligne 5, colonne « Options HT » : « abc »"))
    );
    assert_eq!(errs.len(), 8, "{errs:?}");
}

#[test]
fn a_pair_twice_is_refused_naming_both_lines() {
    let h = header();
    let rows = table(&[
        &h,
        &["1", "", "", "590036745", "100", "", "", "", ""],
        &["1", "", "", "590 036 745", "200", "", "", "", ""],
    ]);
    let errs = parse(&rows, &LOTS, &members()).expect_err("duplicate");
    assert_eq!(
        errs,
        vec![
            "Ligne 3 : le lot 1 de SANTELYS figure déjà ligne 2 ; gardez une seule ligne."
                .to_owned()
        ]
    );
}

#[test]
fn missing_headers_and_empty_files_are_refused() {
    let errs =
        parse(&table(&[&["N° de lot", "Montant HT"]]), &LOTS, &members()).expect_err("headers");
    assert_eq!(errs.len(), 1);
    assert!(errs[0].contains("« FINESS juridique »"), "{errs:?}");
    assert!(errs[0].contains("« Unité »"), "{errs:?}");
    assert!(
        !errs[0].contains("« Membre »"),
        "shown-only columns are optional"
    );
    let empty = parse(&[], &LOTS, &members()).expect_err("empty");
    assert!(empty[0].starts_with("Le fichier est vide"));
    let blank = parse(&table(&[&["", " "]]), &LOTS, &members()).expect_err("blank");
    assert!(blank[0].starts_with("Le fichier est vide"));
    let twice = parse(
        &table(&[&[
            "N° de lot",
            "FINESS juridique",
            "Montant HT",
            "Options HT",
            "Reconductions HT",
            "Quantité",
            "Unité",
            "Montant HT",
        ]]),
        &LOTS,
        &members(),
    )
    .expect_err("twice");
    assert!(
        twice[0].contains("« Montant HT » figure deux fois"),
        "{twice:?}"
    );
}

#[test]
fn headers_of_the_template_are_the_grid_fields_after_the_identifiers() {
    let h = headers();
    assert_eq!(&h[..4], &[LOT_NUMBER, LOT_LABEL, MEMBER, FINESS]);
    assert_eq!(h[4], "Montant HT");
    assert_eq!(h.len(), 4 + FIELDS.len());
}
