//! The DQE as a workbook (`rust_xlsxwriter`): one protected sheet per lot with the price lines
//! of the BPU context (`bpu.lots[].items[]`, see `super::bpu`), the quantity of each member in
//! its own column, the total quantity, an empty unlocked « Prix unitaire HT » cell per line
//! (the only cells a candidate can type in), the line amounts, the lot's total HT, TVA and TTC
//! as formulas. The buyer's estimate is never written. Bytes are deterministic: the creation
//! date is the document's date (or a fixed one), nothing else varies.
//!
//! The layout is a contract with [`super::dqe_read`], which reads a filled workbook back
//! against the same context: header at row [`HEADER_ROW`], lines from the next row, columns
//! « N° de prix », « Désignation », « Unité », one per member, then total quantity, unit
//! price and amount.

use super::DocError;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet,
};
use serde_json::Value;
use std::str::FromStr;

/// 0-based row of the column headers; the price lines follow.
pub const HEADER_ROW: u32 = 4;
/// Columns before the members' quantities: code, designation, unit.
pub const FIRST_MEMBER_COL: u16 = 3;

/// The name of a lot's sheet.
#[must_use]
pub fn sheet_name(lot_number: i64) -> String {
    format!("Lot {lot_number}")
}

/// « A », « B », … « AA »: the column letters of a 0-based index.
#[must_use]
pub fn col_letter(mut col: u16) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, char::from(b'A' + u8::try_from(col % 26).unwrap_or(0)));
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s
}

/// « F7 »: a 0-based (row, col) as Excel writes it.
#[must_use]
pub fn cell_ref(row: u32, col: u16) -> String {
    format!("{}{}", col_letter(col), row + 1)
}

/// The members as the columns show them: (FINESS juridique, name).
#[must_use]
pub fn members(ctx: &Value) -> Vec<(String, String)> {
    ctx["groupement"]["members"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .map(|m| {
                    (
                        m["finess_juridique"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        m["name"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A quantity of the context (decimal string or number); absent = 0.
///
/// # Errors
/// A French message naming the path when the value is not a number.
pub fn quantity(v: &Value, path: &str) -> Result<Decimal, DocError> {
    match v {
        Value::Null => Ok(Decimal::ZERO),
        Value::String(s) => Decimal::from_str(s.trim())
            .map_err(|_| DocError::context(path, format!("« {s} » n'est pas une quantité"))),
        Value::Number(n) => Decimal::from_str(&n.to_string())
            .map_err(|_| DocError::context(path, "quantité illisible")),
        _ => Err(DocError::context(path, "quantité attendue")),
    }
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn xlsx(e: rust_xlsxwriter::XlsxError) -> DocError {
    DocError::context("dqe", format!("écriture du classeur : {e}"))
}

/// The creation date of the workbook: the context's `document.date`, else 1 January 2026.
fn creation(ctx: &Value) -> Result<ExcelDateTime, DocError> {
    let (y, m, d) = ctx["document"]["date"]
        .as_str()
        .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map_or((2026, 1, 1), |d| {
            use chrono::Datelike;
            (
                u16::try_from(d.year()).unwrap_or(2026),
                u8::try_from(d.month()).unwrap_or(1),
                u8::try_from(d.day()).unwrap_or(1),
            )
        });
    ExcelDateTime::from_ymd(y, m, d).map_err(xlsx)
}

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    qty: Format,
    price: Format,
    money: Format,
    total_label: Format,
    total: Format,
}

fn formats() -> Formats {
    let border = |f: Format| f.set_border(FormatBorder::Thin);
    Formats {
        title: Format::new().set_bold().set_font_size(13),
        header: border(
            Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(0x00D9_E2F3),
        ),
        text: border(Format::new().set_text_wrap().set_align(FormatAlign::Top)),
        qty: border(Format::new().set_num_format("# ##0.##")),
        price: border(
            Format::new()
                .set_unlocked()
                .set_num_format("# ##0.00 €")
                .set_background_color(0x00FF_F2CC),
        ),
        money: border(Format::new().set_num_format("# ##0.00 €")),
        total_label: border(Format::new().set_bold().set_align(FormatAlign::Right)),
        total: border(Format::new().set_bold().set_num_format("# ##0.00 €")),
    }
}

fn lot_sheet(
    ws: &mut Worksheet,
    ctx: &Value,
    lot: &Value,
    li: usize,
    members: &[(String, String)],
    f: &Formats,
) -> Result<(), DocError> {
    let number = lot["number"].as_i64().unwrap_or(0);
    ws.set_name(sheet_name(number)).map_err(xlsx)?;
    let reference = ctx["consultation"]["reference"]
        .as_str()
        .unwrap_or_default();
    let object = ctx["consultation"]["object"].as_str().unwrap_or_default();
    ws.write_with_format(
        0,
        0,
        format!("Détail quantitatif estimatif — {reference} — {object}"),
        &f.title,
    )
    .map_err(xlsx)?;
    ws.write(
        1,
        0,
        format!(
            "Lot {number} : {}",
            lot["title"].as_str().unwrap_or_default()
        ),
    )
    .map_err(xlsx)?;
    ws.write(
        2,
        0,
        "Indiquez vos prix unitaires HT dans les cellules jaunes de la colonne « Prix unitaire HT » ; le reste du classeur est protégé. Les montants se calculent seuls.",
    )
    .map_err(xlsx)?;
    let n_members = u16::try_from(members.len()).unwrap_or(0);
    let qty_col = FIRST_MEMBER_COL + n_members;
    let (pu_col, amount_col) = (qty_col + 1, qty_col + 2);
    let mut headers: Vec<String> = vec!["N° de prix".into(), "Désignation".into(), "Unité".into()];
    headers.extend(members.iter().map(|(_, name)| name.clone()));
    headers.extend([
        "Quantité totale".to_owned(),
        "Prix unitaire HT".to_owned(),
        "Montant HT".to_owned(),
    ]);
    for (c, h) in headers.iter().enumerate() {
        ws.write_with_format(HEADER_ROW, u16::try_from(c).unwrap_or(0), h, &f.header)
            .map_err(xlsx)?;
    }
    if n_members > 0 {
        let title = "Quantités estimées par membre";
        if n_members == 1 {
            ws.write_with_format(HEADER_ROW - 1, FIRST_MEMBER_COL, title, &f.header)
                .map_err(xlsx)?;
        } else {
            ws.merge_range(
                HEADER_ROW - 1,
                FIRST_MEMBER_COL,
                HEADER_ROW - 1,
                qty_col - 1,
                title,
                &f.header,
            )
            .map_err(xlsx)?;
        }
    }
    ws.set_row_height(HEADER_ROW, 62).map_err(xlsx)?;
    ws.set_column_width(0, 10).map_err(xlsx)?;
    ws.set_column_width(1, 45).map_err(xlsx)?;
    ws.set_column_width(2, 16).map_err(xlsx)?;
    for c in FIRST_MEMBER_COL..qty_col {
        ws.set_column_width(c, 13).map_err(xlsx)?;
    }
    ws.set_column_width(qty_col, 11).map_err(xlsx)?;
    ws.set_column_width(pu_col, 15).map_err(xlsx)?;
    ws.set_column_width(amount_col, 16).map_err(xlsx)?;
    let items = lot["items"].as_array().cloned().unwrap_or_default();
    let first = HEADER_ROW + 1;
    for (i, item) in items.iter().enumerate() {
        let row = first + u32::try_from(i).unwrap_or(0);
        let path = format!("bpu.lots[{li}].items[{i}]");
        ws.write_with_format(row, 0, item["code"].as_str().unwrap_or_default(), &f.text)
            .map_err(xlsx)?;
        let label = item["label"].as_str().unwrap_or_default();
        ws.write_with_format(row, 1, label, &f.text).map_err(xlsx)?;
        // Spreadsheets do not all fit a wrapped row on opening: about 48 characters a line
        // in the designation column.
        let lines = label.chars().count().div_ceil(48).max(1);
        ws.set_row_height(row, 15.0 * f64::from(u32::try_from(lines).unwrap_or(1)))
            .map_err(xlsx)?;
        ws.write_with_format(row, 2, item["unit"].as_str().unwrap_or_default(), &f.text)
            .map_err(xlsx)?;
        for (m, (finess, _)) in members.iter().enumerate() {
            let q = quantity(
                &item["quantities"][finess],
                &format!("{path}.quantities.{finess}"),
            )?;
            let col = FIRST_MEMBER_COL + u16::try_from(m).unwrap_or(0);
            if q.is_zero() {
                ws.write_blank(row, col, &f.qty).map_err(xlsx)?;
            } else {
                ws.write_number_with_format(row, col, f64_of(q), &f.qty)
                    .map_err(xlsx)?;
            }
        }
        let sum = if n_members == 0 {
            "=0".to_owned()
        } else {
            format!(
                "=SUM({}:{})",
                cell_ref(row, FIRST_MEMBER_COL),
                cell_ref(row, qty_col - 1)
            )
        };
        ws.write_formula_with_format(row, qty_col, Formula::new(sum), &f.qty)
            .map_err(xlsx)?;
        ws.write_blank(row, pu_col, &f.price).map_err(xlsx)?;
        ws.write_formula_with_format(
            row,
            amount_col,
            Formula::new(format!(
                "=ROUND({}*{},2)",
                cell_ref(row, qty_col),
                cell_ref(row, pu_col)
            )),
            &f.money,
        )
        .map_err(xlsx)?;
    }
    let last = first + u32::try_from(items.len()).unwrap_or(0);
    let vat = ctx["bpu"]["vat_rate"].as_str().unwrap_or("20");
    let vat_rate = Decimal::from_str(vat)
        .map_err(|_| DocError::context("bpu.vat_rate", format!("« {vat} » n'est pas un taux")))?;
    let totals = [
        (
            "Total HT".to_owned(),
            if items.is_empty() {
                "=0".to_owned()
            } else {
                format!(
                    "=SUM({}:{})",
                    cell_ref(first, amount_col),
                    cell_ref(last - 1, amount_col)
                )
            },
        ),
        (
            format!(
                "TVA ({} %)",
                vat_rate.normalize().to_string().replace('.', ",")
            ),
            format!(
                "=ROUND({}*{}/100,2)",
                cell_ref(last, amount_col),
                vat_rate.normalize()
            ),
        ),
        (
            "Total TTC".to_owned(),
            format!(
                "={}+{}",
                cell_ref(last, amount_col),
                cell_ref(last + 1, amount_col)
            ),
        ),
    ];
    for (k, (label, formula)) in totals.iter().enumerate() {
        let row = last + u32::try_from(k).unwrap_or(0);
        ws.write_with_format(row, pu_col, label.as_str(), &f.total_label)
            .map_err(xlsx)?;
        ws.write_formula_with_format(row, amount_col, Formula::new(formula), &f.total)
            .map_err(xlsx)?;
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 2).map_err(xlsx)?;
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW).map_err(xlsx)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.protect();
    Ok(())
}

/// The DQE workbook of a BPU context: one protected sheet per lot.
///
/// # Errors
/// A French message naming the context path at fault (no lot, a quantity or VAT rate that is
/// not a number).
pub fn write_dqe(ctx: &Value) -> Result<Vec<u8>, DocError> {
    let lots = ctx["bpu"]["lots"]
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| DocError::context("bpu.lots", "aucun lot : le DQE n'a rien à chiffrer"))?;
    let members = members(ctx);
    let f = formats();
    let mut wb = Workbook::new();
    let buyer = ctx["buyer"]["name"].as_str().unwrap_or_default();
    let reference = ctx["consultation"]["reference"]
        .as_str()
        .unwrap_or_default();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("DQE — {reference}"))
            .set_subject("Détail quantitatif estimatif")
            .set_author(buyer)
            .set_company(buyer)
            .set_creation_datetime(&creation(ctx)?),
    );
    for (li, lot) in lots.iter().enumerate() {
        let ws = wb.add_worksheet();
        lot_sheet(ws, ctx, lot, li, &members, &f)?;
    }
    wb.save_to_buffer().map_err(xlsx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Value {
        serde_json::from_str(crate::docgen::example_context(crate::docgen::DocKind::Bpu))
            .expect("example")
    }

    #[test]
    fn columns_are_lettered_as_excel_does() {
        assert_eq!(col_letter(0), "A");
        assert_eq!(col_letter(25), "Z");
        assert_eq!(col_letter(26), "AA");
        assert_eq!(col_letter(27), "AB");
        assert_eq!(cell_ref(4, 15), "P5");
    }

    #[test]
    fn the_workbook_is_deterministic_and_has_a_sheet_per_lot() {
        let a = write_dqe(&example()).expect("dqe");
        let b = write_dqe(&example()).expect("dqe");
        assert_eq!(a, b, "same context, same bytes");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(a)).expect("zip");
        let mut wb = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/workbook.xml").expect("workbook"),
            &mut wb,
        )
        .expect("read");
        let lots = example()["bpu"]["lots"].as_array().expect("lots").len();
        assert_eq!(wb.matches("<sheet ").count(), lots);
        assert!(wb.contains("name=\"Lot 1\""));
    }

    #[test]
    fn a_context_without_lot_is_refused_in_french() {
        let mut ctx = example();
        ctx["bpu"]["lots"] = serde_json::json!([]);
        let e = write_dqe(&ctx).unwrap_err().to_string();
        assert!(e.contains("aucun lot"), "{e}");
    }
}
