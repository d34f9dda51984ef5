//! A spreadsheet read into a table of cell texts: an Excel workbook (.xlsx, `calamine`) or a
//! CSV file as Excel saves it in France (`;` — or `,`, a tab — between fields, UTF-8 with or
//! without BOM, else Windows-1252). Pure: bytes in, lines of texts out. Shared by the imports
//! (needs of the members, register of plis of the buyer's platform), each with its own French
//! refusals.
//!
//! Cells are texts: numbers with a decimal point and no trailing zero, date cells as
//! `AAAA-MM-JJ HH:MM:SS` (the wall-clock time written in the workbook, without zone).

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use std::io::Cursor;

/// Why a file could not be read as a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// No byte at all.
    Empty,
    /// Neither a workbook nor a CSV file.
    WrongType,
    /// A workbook that calamine cannot open.
    Unreadable,
}

/// Reads a file into lines of cell texts: a workbook (by its content or its `.xlsx` name) on
/// its sheet `sheet` when present, else its first sheet; a `.csv` or `.txt` file as CSV.
///
/// # Errors
/// [`ReadError`].
pub fn read(name: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Vec<Vec<String>>, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    let lower = name.to_lowercase();
    let zip = bytes.starts_with(b"PK\x03\x04");
    if zip || lower.ends_with(".xlsx") {
        return read_xlsx(bytes, sheet);
    }
    if lower.ends_with(".csv") || lower.ends_with(".txt") {
        if bytes.contains(&0) {
            return Err(ReadError::WrongType);
        }
        return Ok(read_csv(&decode(bytes)));
    }
    Err(ReadError::WrongType)
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            Decimal::from_f64(*f).map_or_else(|| f.to_string(), |d| d.normalize().to_string())
        }
        Data::String(s) => s.trim().to_owned(),
        Data::Empty => String::new(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
        }
        other => other.to_string().trim().to_owned(),
    }
}

fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<Vec<Vec<String>>, ReadError> {
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| ReadError::Unreadable)?;
    let named = sheet.and_then(|s| wb.worksheet_range(s).ok());
    let range = match named {
        Some(r) => r,
        None => wb
            .worksheet_range_at(0)
            .ok_or(ReadError::Unreadable)?
            .map_err(|_| ReadError::Unreadable)?,
    };
    let Some((last_row, last_col)) = range.end() else {
        return Ok(Vec::new());
    };
    Ok((0..=last_row)
        .map(|r| {
            (0..=last_col)
                .map(|c| range.get_value((r, c)).map(cell_text).unwrap_or_default())
                .collect()
        })
        .collect())
}

/// Windows-1252 characters of bytes 0x80–0x9F (the rest is Latin-1).
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The text of a CSV file: UTF-8 (BOM removed), else Windows-1252 (Excel's « CSV » in France).
#[must_use]
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes
            .iter()
            .map(|b| match b {
                0x80..=0x9F => CP1252[usize::from(b - 0x80)],
                b => char::from(*b),
            })
            .collect(),
    }
}

/// Splits CSV text into lines of fields: `;` between fields (`,` or a tab when the header line
/// has no `;`), fields in double quotes may hold separators, quotes doubled and line ends.
#[must_use]
pub fn read_csv(text: &str) -> Vec<Vec<String>> {
    let first = text.lines().next().unwrap_or_default();
    let sep = if first.contains(';') {
        ';'
    } else if first.contains('\t') {
        '\t'
    } else {
        ','
    };
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                c => field.push(c),
            }
        } else if c == '"' && field.trim().is_empty() {
            field.clear();
            quoted = true;
        } else if c == sep {
            row.push(std::mem::take(&mut field));
        } else if c == '\n' || c == '\r' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            row.push(std::mem::take(&mut field));
            rows.push(std::mem::take(&mut row));
        } else {
            field.push(c);
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The comparable form of a header: lower case, no accent, single spaces.
#[must_use]
pub fn header_key(h: &str) -> String {
    let plain: String = h
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'à' | 'â' => 'a',
            'î' | 'ï' => 'i',
            'ô' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'º' | '°' => 'o',
            c => c,
        })
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first column whose header, read by [`header_key`] (a trailing colon dropped, « n° »
/// read « no »), is one of `names` (given in that form).
#[must_use]
pub fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let k = header_key(h)
            .trim_end_matches(':')
            .trim()
            .replace("n°", "no");
        names.contains(&k.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_windows_1252_with_quotes_and_commas() {
        let bytes = b"Entreprise,SIRET\r\n\"Soci\xe9t\xe9, \"\"A\"\"\",123\r\n";
        let t = read("r.csv", bytes, None).expect("csv");
        assert_eq!(t[1], ["Société, \"A\"", "123"]);
        assert_eq!(read("r.pdf", b"%PDF", None), Err(ReadError::WrongType));
        assert_eq!(read("r.csv", b"", None), Err(ReadError::Empty));
        assert_eq!(
            read("r.xlsx", b"PK\x03\x04junk", None),
            Err(ReadError::Unreadable)
        );
    }

    #[test]
    fn workbook_date_cells_are_wall_clock_texts() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let f = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
        let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 1, 14)
            .and_then(|d| d.and_hms(16, 12, 5))
            .expect("date");
        ws.write_with_format(0, 0, &dt, &f).expect("write");
        ws.write(0, 1, 12.50).expect("write");
        let bytes = wb.save_to_buffer().expect("save");
        let t = read("x.xlsx", &bytes, None).expect("read");
        assert_eq!(t[0], ["2027-01-14 16:12:05", "12.5"]);
    }
}
