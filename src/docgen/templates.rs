//! Templates embedded in the binary (the `documents/` folder is not needed at run time).
//!
//! One Handlebars-over-Markdown template per kind (`documents/<kind>.md.hbs`), named clauses
//! (`documents/clauses/<name>.md.hbs`, included as `{{> clauses/<name>}}` and overridable per
//! consultation), and one example context per kind (`documents/examples/<kind>.json`).

use super::DocKind;

macro_rules! doc_file {
    ($path:literal) => {
        include_str!(concat!("../../documents/", $path))
    };
}

/// Source of the template of `kind`.
pub fn template_source(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Rc => doc_file!("rc.md.hbs"),
        DocKind::Ae => doc_file!("ae.md.hbs"),
        DocKind::Ccap => doc_file!("ccap.md.hbs"),
        DocKind::Cctp => doc_file!("cctp.md.hbs"),
        DocKind::Bpu => doc_file!("bpu.md.hbs"),
        DocKind::Noti1 => doc_file!("noti1.md.hbs"),
        DocKind::Noti3 => doc_file!("noti3.md.hbs"),
        DocKind::Noti5 => doc_file!("noti5.md.hbs"),
        DocKind::SansSuite => doc_file!("sans_suite.md.hbs"),
        DocKind::ConvocationCao => doc_file!("convocation_cao.md.hbs"),
        DocKind::PvCao => doc_file!("pv_cao.md.hbs"),
        DocKind::PvCarence => doc_file!("pv_carence.md.hbs"),
        DocKind::BordereauVisas => doc_file!("bordereau_visas.md.hbs"),
        DocKind::RapportAnalyse => doc_file!("rapport_analyse.md.hbs"),
        DocKind::PvOuverturePlis => doc_file!("pv_ouverture_plis.md.hbs"),
        DocKind::RapportPresentation => doc_file!("rapport_presentation.md.hbs"),
    }
}

/// Example context of `kind` (JSON), built from the real groupement for the DUI tender; used by
/// the tests and by the template preview.
pub fn example_context(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Rc => doc_file!("examples/rc.json"),
        DocKind::Ae => doc_file!("examples/ae.json"),
        DocKind::Ccap => doc_file!("examples/ccap.json"),
        DocKind::Cctp => doc_file!("examples/cctp.json"),
        DocKind::Bpu => doc_file!("examples/bpu.json"),
        DocKind::Noti1 => doc_file!("examples/noti1.json"),
        DocKind::Noti3 => doc_file!("examples/noti3.json"),
        DocKind::Noti5 => doc_file!("examples/noti5.json"),
        DocKind::SansSuite => doc_file!("examples/sans_suite.json"),
        DocKind::ConvocationCao => doc_file!("examples/convocation_cao.json"),
        DocKind::PvCao => doc_file!("examples/pv_cao.json"),
        DocKind::PvCarence => doc_file!("examples/pv_carence.json"),
        DocKind::BordereauVisas => doc_file!("examples/bordereau_visas.json"),
        DocKind::RapportAnalyse => doc_file!("examples/rapport_analyse.json"),
        DocKind::PvOuverturePlis => doc_file!("examples/pv_ouverture_plis.json"),
        DocKind::RapportPresentation => doc_file!("examples/rapport_presentation.json"),
    }
}

/// Default clauses: (name, source).
const CLAUSES: [(&str, &str); 9] = [
    (
        "confidentialite",
        doc_file!("clauses/confidentialite.md.hbs"),
    ),
    (
        "derogations_ccag",
        doc_file!("clauses/derogations_ccag.md.hbs"),
    ),
    (
        "donnees_personnelles",
        doc_file!("clauses/donnees_personnelles.md.hbs"),
    ),
    ("oab", doc_file!("clauses/oab.md.hbs")),
    ("oab_detection", doc_file!("clauses/oab_detection.md.hbs")),
    ("paiement", doc_file!("clauses/paiement.md.hbs")),
    ("penalites", doc_file!("clauses/penalites.md.hbs")),
    ("reversibilite", doc_file!("clauses/reversibilite.md.hbs")),
    ("voies_recours", doc_file!("clauses/voies_recours.md.hbs")),
];

/// Names of the overridable clauses (sorted).
pub fn clause_names() -> Vec<&'static str> {
    CLAUSES.iter().map(|(name, _)| *name).collect()
}

/// Default source of the clause `name`.
pub fn default_clause(name: &str) -> Option<&'static str> {
    CLAUSES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, src)| *src)
}

/// Registry name of a clause partial: `clauses/<name>`.
pub fn clause_partial_name(name: &str) -> String {
    format!("clauses/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_table_is_sorted_and_complete() {
        let names = clause_names();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert!(default_clause("penalites").unwrap().contains("pénalité"));
        assert!(default_clause("inconnue").is_none());
    }

    #[test]
    fn every_kind_has_a_template_and_a_json_example() {
        for kind in DocKind::ALL {
            assert!(!template_source(kind).trim().is_empty(), "{kind}");
            let v: serde_json::Value = serde_json::from_str(example_context(kind))
                .unwrap_or_else(|e| panic!("exemple {kind} : {e}"));
            assert!(v.is_object(), "{kind}");
        }
    }
}
