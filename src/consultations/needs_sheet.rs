//! The files of the needs import: the template written as an Excel workbook
//! (`rust_xlsxwriter`) or a CSV file for French Excel (`;`, UTF-8 with BOM, decimal comma), and
//! a filled file read back into a table of cell texts (`calamine` for .xlsx; CSV in UTF-8 or
//! Windows-1252 as Excel saves it). Pure: bytes in, bytes or text out. The columns are those of
//! [`super::needs_import`].

use super::needs_grid::FIELDS;
use super::needs_import::{TemplateRow, headers};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Color, Format, FormatBorder, ProtectionOptions, Workbook, XlsxError};
use std::str::FromStr;

/// Name of the sheet of the template.
pub const SHEET: &str = "Besoins";

/// Whether a value column holds a number (all but the unit).
fn numeric(field: &str) -> bool {
    field != "unit"
}

/// The template as an Excel workbook: headers in bold on line 1, the identifying columns grey
/// and locked (the sheet is protected without password), the value cells free.
///
/// # Errors
/// The workbook could not be written (an internal error).
pub fn template_xlsx(reference: &str, rows: &[TemplateRow]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border_bottom(FormatBorder::Thin);
    let id = Format::new().set_background_color(Color::RGB(0x00E7_E6E6));
    let id_text = id.clone().set_num_format("@");
    let amount = Format::new().set_unlocked().set_num_format("#,##0.00");
    let number = Format::new().set_unlocked();
    let text = Format::new().set_unlocked().set_num_format("@");
    let ws = wb.add_worksheet();
    ws.set_name(SHEET)?;
    for (c, h) in headers().iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        ws.write_with_format(0, c, *h, &header)?;
    }
    for (c, width) in [10, 30, 34, 16, 15, 15, 17, 11, 14].iter().enumerate() {
        ws.set_column_width(u16::try_from(c).unwrap_or(0), *width)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_number_with_format(row, 0, r.lot_number, &id)?;
        ws.write_with_format(row, 1, &r.lot_label, &id)?;
        ws.write_with_format(row, 2, &r.member, &id)?;
        ws.write_with_format(row, 3, &r.finess, &id_text)?;
        for (j, ((field, _), v)) in FIELDS.iter().zip(&r.values).enumerate() {
            let col = u16::try_from(4 + j).unwrap_or(0);
            let n = Decimal::from_str(v).ok().and_then(|d| d.to_f64());
            match n {
                Some(n) if numeric(field) => {
                    let f = if *field == "quantity" {
                        &number
                    } else {
                        &amount
                    };
                    ws.write_number_with_format(row, col, n, f)?;
                }
                _ if v.is_empty() => {
                    let f = if numeric(field) { &amount } else { &text };
                    ws.write_blank(row, col, f)?;
                }
                _ => {
                    ws.write_with_format(row, col, v, &text)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 4)?;
    let options = ProtectionOptions {
        sort: true,
        use_autofilter: true,
        format_columns: true,
        ..ProtectionOptions::default()
    };
    ws.protect_with_options(&options);
    let notes = wb.add_worksheet();
    notes.set_name("Mode d'emploi")?;
    let lines = [
        format!("Besoins des membres — {reference}"),
        "Complétez les colonnes Montant HT, Options HT, Reconductions HT, Quantité et Unité de la feuille « Besoins » (une ligne par lot et par membre).".to_owned(),
        "Les colonnes grises (N° de lot, Intitulé du lot, Membre, FINESS juridique) identifient la ligne : ne les modifiez pas. Le membre est reconnu par son FINESS juridique.".to_owned(),
        "Une ligne dont les cinq valeurs sont vides est ignorée ; une valeur inchangée n'est ni réécrite ni journalisée.".to_owned(),
        "Le fichier est refusé en entier à la première erreur : chaque erreur est nommée par sa ligne et sa colonne.".to_owned(),
    ];
    for (i, l) in lines.iter().enumerate() {
        notes.write(u32::try_from(i).unwrap_or(0), 0, l)?;
    }
    wb.save_to_buffer()
}

/// One CSV field: quoted when needed; a text a spreadsheet would take for a formula is
/// prefixed with an apostrophe.
fn csv_field(v: &str, text: bool) -> String {
    let v = if text && v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v.to_owned()
    };
    if v.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// The template as CSV for French Excel: UTF-8 with BOM, `;` between fields, decimal comma,
/// CRLF line ends.
#[must_use]
pub fn template_csv(rows: &[TemplateRow]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&headers().join(";"));
    out.push_str("\r\n");
    for r in rows {
        let mut cells = vec![
            r.lot_number.to_string(),
            csv_field(&r.lot_label, true),
            csv_field(&r.member, true),
            csv_field(&r.finess, false),
        ];
        for ((field, _), v) in FIELDS.iter().zip(&r.values) {
            cells.push(if numeric(field) {
                v.replace('.', ",")
            } else {
                csv_field(v, false)
            });
        }
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The refusal of a file that is neither a workbook nor a CSV file.
pub const WRONG_TYPE: &str = "Ce fichier n'est ni un classeur Excel (.xlsx) ni un fichier CSV (.csv) : déposez le modèle téléchargé sur cette page, complété.";

/// Reads a filled file into lines of cell texts (numbers with a decimal point), through the
/// shared reader [`crate::table_file`].
///
/// # Errors
/// A French refusal: empty file, wrong type, unreadable workbook.
pub fn read(name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    use crate::table_file::ReadError;
    crate::table_file::read(name, bytes, Some(SHEET)).map_err(|e| match e {
        ReadError::Empty => {
            "Le fichier est vide : téléchargez le modèle, complétez-le et déposez-le.".to_owned()
        }
        ReadError::WrongType => WRONG_TYPE.to_owned(),
        ReadError::Unreadable => "Ce classeur Excel (.xlsx) est illisible : enregistrez-le de nouveau au format .xlsx, ou déposez un fichier .csv.".to_owned(),
    })
}

#[cfg(test)]
#[path = "needs_sheet_tests.rs"]
mod tests;
