//! The DQE workbook through the real binary: `coordo render dqe` writes it, a bidder fills it
//! with another spreadsheet library (Python's openpyxl, installed by tests/run.sh), and
//! `coordo dqe lire` reads it back to the cent; a workbook whose quantities were changed or
//! whose price is text is refused with exit 2 and French messages naming sheet and cell.

use crate::support::*;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

const FILL: &str = r#"
import sys, openpyxl
src, dst, mode = sys.argv[1], sys.argv[2], sys.argv[3]
wb = openpyxl.load_workbook(src)
prices = [72, 2200, 1500, 650.5, 19.99, 3.33]
for ws in wb.worksheets:
    pu = [c.column for c in ws[5] if c.value == "Prix unitaire HT"][0]
    row, i = 6, 0
    while ws.cell(row=row, column=1).value:
        ws.cell(row=row, column=pu).value = prices[i % len(prices)]
        row, i = row + 1, i + 1
if mode == "quantite":
    wb.worksheets[0].cell(row=6, column=4).value = 1
if mode == "texte":
    wb.worksheets[0].cell(row=7, column=pu).value = "deux mille"
wb.save(dst)
"#;

fn example() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("documents/examples/dqe.json")
}

fn fill(src: &Path, dst: &Path, mode: &str) {
    let o = std::process::Command::new("python3")
        .args(["-c", FILL])
        .arg(src)
        .arg(dst)
        .arg(mode)
        .output()
        .expect("python3 (openpyxl is installed by tests/run.sh)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_dqe_filled_by_another_library_is_read_back_to_the_cent_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let blank = dir.path().join("dqe.xlsx");
    let data = example();
    let data = data.to_str().expect("path");
    let o = coordo_cmd(
        &db,
        &[
            "render",
            "dqe",
            "--data",
            data,
            "--out",
            blank.to_str().expect("p"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    let filled = dir.path().join("rempli.xlsx");
    fill(&blank, &filled, "ok");
    let o = coordo_cmd(
        &db,
        &["dqe", "lire", filled.to_str().expect("p"), "--data", data],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let got: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");

    // The expected amounts, computed here from the context: Σ quantities × price, to the cent.
    let ctx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example()).expect("ctx")).expect("json");
    let prices = ["72", "2200", "1500", "650.5", "19.99", "3.33"];
    let mut grand = Decimal::ZERO;
    for (li, lot) in ctx["bpu"]["lots"]
        .as_array()
        .expect("lots")
        .iter()
        .enumerate()
    {
        let mut total = Decimal::ZERO;
        for (i, item) in lot["items"].as_array().expect("items").iter().enumerate() {
            let q: Decimal = item["quantities"]
                .as_object()
                .expect("q")
                .values()
                .map(|v| Decimal::from_str(v.as_str().expect("s")).expect("dec"))
                .sum();
            let amount = (q * Decimal::from_str(prices[i % 6]).expect("p")).round_dp(2);
            let line = &got["lots"][li]["lines"][i];
            assert_eq!(
                Decimal::from_str(line["amount_ht"].as_str().expect("amount")).expect("dec"),
                amount,
                "{line}"
            );
            total += amount;
        }
        assert_eq!(
            Decimal::from_str(got["lots"][li]["total_ht"].as_str().expect("t")).expect("dec"),
            total
        );
        grand += total;
    }
    assert_eq!(
        Decimal::from_str(got["total_ht"].as_str().expect("total")).expect("dec"),
        grand
    );
    assert_eq!(got["material_errors"], serde_json::json!([]));

    for (mode, words) in [
        (
            "quantite",
            "Feuille « Lot 1 », ligne 6 (prix 1.1), cellule D6 : la quantité de",
        ),
        (
            "texte",
            "cellule O7 : le prix unitaire HT « deux mille » n'est pas un nombre",
        ),
    ] {
        let bad = dir.path().join(format!("{mode}.xlsx"));
        fill(&blank, &bad, mode);
        let o = coordo_cmd(
            &db,
            &["dqe", "lire", bad.to_str().expect("p"), "--data", data],
        );
        assert_eq!(o.status.code(), Some(2), "{mode}");
        assert!(stderr(&o).contains(words), "{mode}: {}", stderr(&o));
    }
}
