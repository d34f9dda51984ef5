//! `coordo render dqe` and `coordo dqe lire`: the DQE workbook from a BPU context, and a
//! candidate's filled workbook read back against it (JSON out; exit 2 with the French reasons
//! when the workbook is refused). Offline: neither the configuration nor the database is used.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn fail(msg: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("Erreur : {msg}");
    ExitCode::from(code)
}

/// Reads a JSON context file.
///
/// # Errors
/// The French message to print (exit 2).
pub fn read_context(data: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(data)
        .map_err(|e| format!("lecture de « {} » impossible : {e}", data.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "« {} » n'est pas un JSON valide (ligne {}, colonne {})",
            data.display(),
            e.line(),
            e.column()
        )
    })
}

/// `coordo render dqe --data CTX.json [--out dqe.xlsx]`.
#[must_use]
pub fn render(data: &Path, out: Option<&Path>) -> ExitCode {
    let ctx = match read_context(data) {
        Ok(c) => c,
        Err(e) => return fail(e, 2),
    };
    let bytes = match crate::docgen::dqe::write_dqe(&ctx) {
        Ok(b) => b,
        Err(e) => return fail(e, 2),
    };
    let path = out.map_or_else(|| PathBuf::from("dqe.xlsx"), Path::to_path_buf);
    if let Err(e) = std::fs::write(&path, &bytes) {
        return fail(
            format!("écriture de « {} » impossible : {e}", path.display()),
            1,
        );
    }
    println!("{}", path.display());
    ExitCode::SUCCESS
}

/// `coordo dqe lire FICHIER.xlsx --data CTX.json`: the prices as JSON, or the refusals.
#[must_use]
pub fn read(file: &Path, data: &Path) -> ExitCode {
    let ctx = match read_context(data) {
        Ok(c) => c,
        Err(e) => return fail(e, 2),
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                format!("lecture de « {} » impossible : {e}", file.display()),
                2,
            );
        }
    };
    match crate::docgen::dqe_read::read_dqe(&bytes, &ctx) {
        Ok(p) => {
            println!("{}", serde_json::to_string_pretty(&p).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("Erreur : le classeur est refusé :");
            for e in &errors {
                eprintln!("- {e}");
            }
            println!("{}", serde_json::json!({"refuse": true, "erreurs": errors}));
            ExitCode::from(2)
        }
    }
}
