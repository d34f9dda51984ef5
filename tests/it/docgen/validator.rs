//! Every kind, rendered from its example, passes the independent Open XML validator PyPI
//! `openxml-audit` (profile office2019: schema order, declared attributes, relationships, styles,
//! numbering references…) with no error. `tests/run.sh` installs the pinned validator.

use super::{default_look, engine, example};
use coordo::docgen::DocKind;
use std::process::Command;

/// Version installed by `tests/run.sh`.
pub const VALIDATOR: &str = "openxml-audit==0.8.0";

/// Runs the validator on every `.docx` of `dir`; returns (file, error count, first errors).
pub fn audit(dir: &std::path::Path) -> Vec<(String, u64, Vec<String>)> {
    let out = Command::new("openxml-audit")
        .args(["-f", "office2019", "-o", "json", "-m", "0", "-r"])
        .arg(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "validateur openxml-audit introuvable ({e}) : installez-le avec \
                 « pip install {VALIDATOR} » (tests/run.sh le fait)"
            )
        });
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "sortie illisible de openxml-audit ({e}) : {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report
        .as_array()
        .expect("liste de rapports")
        .iter()
        .map(|r| {
            let errors = r["errors"]
                .as_array()
                .map(|es| {
                    es.iter()
                        .take(5)
                        .map(|e| format!("{} {}", e["part_uri"], e["description"]))
                        .collect()
                })
                .unwrap_or_default();
            (
                r["file"].as_str().unwrap_or_default().to_owned(),
                r["error_count"].as_u64().expect("error_count"),
                errors,
            )
        })
        .collect()
}

#[test]
fn every_kind_passes_the_open_xml_validator_without_error() {
    let dir = tempfile::tempdir().expect("dossier temporaire");
    for kind in DocKind::ALL {
        let doc = engine()
            .render_docx(kind, &example(kind), &default_look())
            .unwrap_or_else(|e| panic!("{kind} : {e}"));
        std::fs::write(dir.path().join(format!("{kind}.docx")), &doc.docx).expect("écriture");
    }
    let results = audit(dir.path());
    assert_eq!(results.len(), DocKind::ALL.len(), "{results:?}");
    let failing: Vec<_> = results.iter().filter(|(_, n, _)| *n > 0).collect();
    assert!(failing.is_empty(), "erreurs du validateur : {failing:#?}");
}

#[test]
fn the_validator_does_catch_a_schema_error() {
    // The test above must be able to fail: a run property out of order (size before bold) is
    // reported.
    let doc = engine()
        .render_docx(DocKind::Noti5, &example(DocKind::Noti5), &default_look())
        .expect("rendu");
    let broken = super::rewrite_part(&doc.docx, "word/document.xml", |xml| {
        xml.replacen(
            "<w:r>",
            r#"<w:r><w:rPr><w:sz w:val="20"/><w:b/></w:rPr>"#,
            1,
        )
    });
    let dir = tempfile::tempdir().expect("dossier temporaire");
    std::fs::write(dir.path().join("casse.docx"), broken).expect("écriture");
    let results = audit(dir.path());
    assert!(results[0].1 > 0, "{results:?}");
}
