//! The needs import through the real server: the template downloaded (.xlsx and .csv), filled
//! by another spreadsheet library (Python's openpyxl, installed by tests/run.sh), uploaded and
//! applied like the grid (one journal entry per changed need, none the second time); a file
//! with bad lines refused at once (422, each error by line and column, nothing stored); other
//! files refused in French; a référent refused (403).

use crate::consultations::software_tender;
use crate::support::*;
use coordo::db::entities::need;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::path::Path;

/// Fills the template: `ok` changes Ronchin's line; `bad` puts a wrong amount on Santelys's
/// line, a negative quantity on Ronchin's and a valid amount on the last line.
const FILL: &str = r#"
import sys, openpyxl
src, dst, mode, santelys, ronchin = sys.argv[1:6]
wb = openpyxl.load_workbook(src)
ws = wb["Besoins"]
col = {c.value: c.column for c in ws[1]}
def line(finess):
    return [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col["FINESS juridique"]).value == finess][0]
if mode == "ok":
    r = line(ronchin)
    ws.cell(row=r, column=col["Montant HT"]).value = 41000.5
    ws.cell(row=r, column=col["Quantité"]).value = 3
    ws.cell(row=r, column=col["Unité"]).value = "licence"
else:
    ws.cell(row=line(santelys), column=col["Montant HT"]).value = "12 000,5x"
    ws.cell(row=line(ronchin), column=col["Quantité"]).value = -2
    ws.cell(row=ws.max_row, column=col["Montant HT"]).value = 99999
wb.save(dst)
"#;

fn fill(src: &Path, dst: &Path, mode: &str) -> Vec<u8> {
    let o = std::process::Command::new("python3")
        .args(["-c", FILL])
        .arg(src)
        .arg(dst)
        .args([mode, SANTELYS, RONCHIN])
        .output()
        .expect("python3 (openpyxl is installed by tests/run.sh)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(dst).expect("filled")
}

async fn need_of(app: &TestApp, finess: &str) -> need::Model {
    need::Entity::find()
        .filter(need::Column::MemberId.eq(app.member_id(finess).await))
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("need")
}

async fn body(r: reqwest::Response) -> (u16, String) {
    (r.status().as_u16(), r.text().await.expect("text"))
}

#[tokio::test]
async fn needs_are_imported_from_the_filled_template_all_or_nothing() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = software_tender(&app, &c).await;
    let base = format!("/g/{gid}/consultations/{cid}/besoins");
    let page = c.get(&base).await.text().await.expect("page");
    assert!(page.contains(&format!("{base}/modele.xlsx")), "{page}");
    assert!(
        page.contains(&format!("{base}/import?csrf_token=")),
        "{page}"
    );

    // The CSV template: French Excel's format, the stored needs pre-filled.
    let r = c.get(&format!("{base}/modele.csv")).await;
    assert_eq!(r.status(), 200);
    let csv = r.bytes().await.expect("csv").to_vec();
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.starts_with("\u{feff}N° de lot;Intitulé du lot;Membre;FINESS juridique;Montant HT;Options HT;Reconductions HT;Quantité;Unité\r\n"), "{csv}");
    assert_eq!(
        csv.lines().count(),
        11,
        "one line per member of the one lot"
    );
    let line_of = |finess: &str| {
        1 + csv
            .lines()
            .position(|l| l.contains(finess))
            .expect("member line")
    };
    assert!(
        csv.lines()
            .nth(line_of(RONCHIN) - 1)
            .expect("l")
            .contains(";35000,00;"),
        "{csv}"
    );

    // The workbook template, filled by openpyxl: one need changed, one journal entry.
    let r = c.get(&format!("{base}/modele.xlsx")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .expect("h")
            .contains("besoins-2026-DUI.xlsx")
    );
    let dir = tempfile::tempdir().expect("tmp");
    let blank = dir.path().join("modele.xlsx");
    std::fs::write(&blank, r.bytes().await.expect("xlsx")).expect("write");
    let filled = fill(&blank, &dir.path().join("ok.xlsx"), "ok");
    let before = app.audit_count().await;
    let url = format!("{base}/import");
    let r = c.post_file(&url, "fichier", "besoins.xlsx", &filled).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(app.audit_count().await, before + 1, "one need changed");
    let ronchin = need_of(&app, RONCHIN).await;
    assert_eq!(ronchin.amount_ht, "41000.5");
    assert_eq!(ronchin.quantity.as_deref(), Some("3"));
    assert_eq!(ronchin.unit.as_deref(), Some("licence"));
    assert_eq!(
        need_of(&app, SANTELYS).await.amount_ht,
        "35000.00",
        "untouched"
    );
    let page = c.get(&base).await.text().await.expect("page");
    assert!(page.contains("1 besoin enregistré"), "{page}");

    // The same file again changes nothing.
    let r = c.post_file(&url, "fichier", "besoins.xlsx", &filled).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.audit_count().await,
        before + 1,
        "no entry the second time"
    );
    let page = c.get(&base).await.text().await.expect("page");
    assert!(page.contains("aucun besoin n"), "{page}");

    // Two bad lines: refused at once, each named by line and column, nothing stored.
    let bad = fill(&blank, &dir.path().join("bad.xlsx"), "bad");
    let (status, html) = body(c.post_file(&url, "fichier", "besoins.xlsx", &bad).await).await;
    assert_eq!(status, 422, "{html}");
    let amount = format!(
        "Ligne {}, colonne « Montant HT » : « 12 000,5x » n",
        line_of(SANTELYS)
    );
    assert!(html.contains(&amount), "{html}");
    let qty = format!(
        "Ligne {}, colonne « Quantité » : « -2 » n",
        line_of(RONCHIN)
    );
    assert!(html.contains(&qty), "{html}");
    assert!(html.contains("name=\"fichier\""), "the form is kept");
    assert_eq!(app.audit_count().await, before + 1);
    let stored = need::Entity::find()
        .all(&app.state.db)
        .await
        .expect("needs");
    assert!(
        stored.iter().all(|n| n.amount_ht != "99999"),
        "nothing stored"
    );
    assert_eq!(need_of(&app, RONCHIN).await.quantity.as_deref(), Some("3"));
}

#[tokio::test]
async fn other_needs_files_are_refused_in_french_and_a_referent_may_not_import() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = software_tender(&app, &c).await;
    let url = format!("/g/{gid}/consultations/{cid}/besoins/import");
    let before = app.audit_count().await;
    let header =
        "N° de lot;FINESS juridique;Montant HT;Options HT;Reconductions HT;Quantité;Unité\r\n";
    for (name, bytes, expected) in [
        (
            "besoins.csv",
            format!("{header}1;{RONCHIN};100;;;;\r\n2;{RONCHIN};100;;;;\r\n1;123456789;100;;;;\r\n1;{RONCHIN};200;;;;\r\n")
                .into_bytes(),
            vec![
                "Ligne 3, colonne « N° de lot » : la consultation n",
                "Ligne 4, colonne « FINESS juridique » : aucun membre actif",
                "Ligne 5 : le lot 1 de CCAS DE RONCHIN figure déjà ligne 2",
            ],
        ),
        (
            "besoins.csv",
            b"N\xC2\xB0 de lot;Montant HT\r\n1;100\r\n".to_vec(),
            vec!["Colonne(s) manquante(s) sur la ligne 1 : « FINESS juridique »"],
        ),
        ("besoins.pdf", b"%PDF-1.7".to_vec(), vec!["ni un classeur Excel (.xlsx) ni un fichier CSV"]),
        ("besoins.csv", Vec::new(), vec!["Le fichier est vide"]),
    ] {
        let (status, html) = body(c.post_file(&url, "fichier", name, &bytes).await).await;
        assert_eq!(status, 422, "{name}: {html}");
        for e in expected {
            assert!(html.contains(e), "{e} in {html}");
        }
    }
    assert_eq!(app.audit_count().await, before, "nothing stored");
    assert_eq!(need_of(&app, RONCHIN).await.amount_ht, "35000.00");

    let referent = app.login(&referent_email(SANTELYS)).await;
    let csv = format!("{header}1;{SANTELYS};1;;;;\r\n");
    let r = referent
        .post_file(&url, "fichier", "b.csv", csv.as_bytes())
        .await;
    assert_eq!(r.status(), 403);
    let r = referent
        .get(&format!("/g/{gid}/consultations/{cid}/besoins/modele.xlsx"))
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(need_of(&app, SANTELYS).await.amount_ht, "35000.00");
}
