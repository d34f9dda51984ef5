//! Uploaded files: the file part of a multipart form, and the name it is stored under. One
//! reader for every upload form (signed acte, DQE of a pli, reference document).

use crate::error::AppError;
use axum::extract::Multipart;

/// Reads the part `field` of an upload form: its file name and bytes, both empty when the form
/// has no such part (the caller says in French that no file was received).
///
/// # Errors
/// `Validation` on `field` with `unreadable` when the form is cut or over the size limit.
pub async fn file_part(
    mut form: Multipart,
    field: &str,
    unreadable: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let bad = |_| AppError::field(field, unreadable);
    while let Some(part) = form.next_field().await.map_err(bad)? {
        if part.name() == Some(field) {
            let name = part.file_name().unwrap_or_default().to_owned();
            let bytes = part.bytes().await.map_err(bad)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Ok((String::new(), Vec::new()))
}

/// The name under which an uploaded file is stored: its last path component (a browser may send
/// `C:\…\file.pdf`), control characters removed, at most 200 characters.
#[must_use]
pub fn stored_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    clean.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_name_keeps_the_last_component_without_controls() {
        assert_eq!(stored_name("C:\\scans\\AE\u{0}signé.pdf"), "AEsigné.pdf");
        assert_eq!(stored_name("../../etc/passwd"), "passwd");
        assert_eq!(stored_name("  DQE lot 1.xlsx "), "DQE lot 1.xlsx");
        assert_eq!(stored_name(&"a".repeat(300)).len(), 200);
    }
}
