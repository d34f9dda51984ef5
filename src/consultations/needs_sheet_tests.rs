use super::*;
use crate::consultations::needs_import::{self, Member};

fn rows() -> Vec<TemplateRow> {
    vec![
        TemplateRow {
            lot_number: 1,
            lot_label: "Solution; DUI".into(),
            member: "=SANTELYS".into(),
            finess: "010036745".into(),
            values: [
                "35000.50".into(),
                "0".into(),
                String::new(),
                "2.5".into(),
                "licence".into(),
            ],
        },
        TemplateRow {
            lot_number: 1,
            lot_label: "Solution; DUI".into(),
            member: "CCAS DE RONCHIN".into(),
            finess: "590798377".into(),
            values: Default::default(),
        },
    ]
}

fn members() -> Vec<Member> {
    vec![
        (1, "SANTELYS".into(), "010036745".into()),
        (2, "CCAS DE RONCHIN".into(), "590798377".into()),
    ]
}

#[test]
fn the_workbook_template_reads_back_into_the_same_needs() {
    let bytes = template_xlsx("2026-DUI", &rows()).expect("xlsx");
    let table = read("besoins.xlsx", &bytes).expect("read");
    assert_eq!(table[0], needs_import::headers());
    assert_eq!(table[1][0], "1");
    assert_eq!(table[1][3], "010036745", "the FINESS stays text");
    assert_eq!(table[1][4], "35000.5");
    assert!(table[2][4..].iter().all(String::is_empty));
    let drafts = needs_import::parse(&table, &[(7, 1)], &members()).expect("valid");
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].amount_ht, Decimal::new(350_005, 1));
    assert_eq!(drafts[0].quantity, Some(Decimal::new(25, 1)));
    assert_eq!(drafts[0].unit.as_deref(), Some("licence"));
}

#[test]
fn the_csv_template_is_for_french_excel_and_reads_back() {
    let bytes = template_csv(&rows());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    assert!(text.contains("\u{feff}N° de lot;Intitulé du lot;Membre;FINESS juridique;Montant HT;"));
    assert!(
        text.contains("1;\"Solution; DUI\";'=SANTELYS;010036745;35000,50;0;;2,5;licence\r\n"),
        "{text}"
    );
    let table = read("modele.csv", &bytes).expect("read");
    assert_eq!(table.len(), 3);
    assert_eq!(table[1][1], "Solution; DUI");
    let drafts = needs_import::parse(&table, &[(7, 1)], &members()).expect("valid");
    assert_eq!(drafts[0].amount_ht, Decimal::new(3_500_050, 2));
}

#[test]
fn a_csv_saved_by_excel_in_windows_1252_is_read() {
    // « N° de lot;FINESS juridique;Montant HT;Options HT;Reconductions HT;Quantité;Unité »
    let mut bytes = b"N\xB0 de lot;FINESS juridique;Montant HT;Options HT;Reconductions HT;Quantit\xE9;Unit\xE9\r\n".to_vec();
    bytes.extend_from_slice(b"1;590798377;\"12 000,50\";;;;m\xE8tre\r\n");
    let table = read("besoins.csv", &bytes).expect("read");
    assert_eq!(table[0][5], "Quantité");
    assert_eq!(table[1][2], "12 000,50");
    assert_eq!(table[1][6], "mètre");
    let drafts = needs_import::parse(&table, &[(7, 1)], &members()).expect("valid");
    assert_eq!(drafts[0].unit.as_deref(), Some("mètre"));
}

#[test]
fn quoted_fields_keep_separators_quotes_and_line_ends() {
    let t = crate::table_file::read_csv("a;\"b;\"\"c\"\"\nd\";e\r\n;;\n1;2");
    assert_eq!(t[0], vec!["a", "b;\"c\"\nd", "e"]);
    assert_eq!(t[1], vec!["", "", ""]);
    assert_eq!(t[2], vec!["1", "2"]);
}

#[test]
fn wrong_types_empty_and_broken_files_are_refused_in_french() {
    assert!(
        read("x.csv", b"")
            .expect_err("empty")
            .starts_with("Le fichier est vide")
    );
    assert_eq!(read("x.pdf", b"%PDF-1.7").expect_err("pdf"), WRONG_TYPE);
    assert_eq!(
        read("x.xls", b"\xD0\xCF\x11\xE0").expect_err("xls"),
        WRONG_TYPE
    );
    assert_eq!(read("x.csv", b"a\0b").expect_err("binary"), WRONG_TYPE);
    assert!(
        read("x.xlsx", b"PK\x03\x04 broken")
            .expect_err("zip")
            .contains("illisible")
    );
}
