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

/// A default clause: its identifier, its French title and what it is for, and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClauseInfo {
    /// Identifier (file stem, partial `clauses/<name>`).
    pub name: &'static str,
    /// French title shown in the clause library.
    pub title: &'static str,
    /// One line on what the clause is for and where it appears.
    pub description: &'static str,
    /// Default source (Markdown and Handlebars).
    pub source: &'static str,
}

/// The default clauses, in the order they first appear in the documents (RC, then CCAP, as
/// [`DocKind::ALL`] lists the kinds): the single source of their titles.
const CLAUSES: [ClauseInfo; 9] = [
    ClauseInfo {
        name: "oab",
        title: "Offres anormalement basses",
        description: "Demande de justifications et rejet d'une offre anormalement basse (RC, rapport d'analyse).",
        source: doc_file!("clauses/oab.md.hbs"),
    },
    ClauseInfo {
        name: "oab_detection",
        title: "Détection des offres anormalement basses",
        description: "Méthode de calcul du seuil qui déclenche la demande de justifications (RC, rapport d'analyse).",
        source: doc_file!("clauses/oab_detection.md.hbs"),
    },
    ClauseInfo {
        name: "confidentialite",
        title: "Confidentialité",
        description: "Confidentialité des documents et informations échangés (RC, CCAP).",
        source: doc_file!("clauses/confidentialite.md.hbs"),
    },
    ClauseInfo {
        name: "voies_recours",
        title: "Voies de recours",
        description: "Tribunal compétent et recours ouverts aux candidats évincés (RC, NOTI3).",
        source: doc_file!("clauses/voies_recours.md.hbs"),
    },
    ClauseInfo {
        name: "paiement",
        title: "Modalités de paiement",
        description: "Facturation par chaque membre, délai de paiement et retenue de garantie (CCAP).",
        source: doc_file!("clauses/paiement.md.hbs"),
    },
    ClauseInfo {
        name: "penalites",
        title: "Pénalités",
        description: "Tableau des pénalités, plafond et seuil d'exonération (CCAP).",
        source: doc_file!("clauses/penalites.md.hbs"),
    },
    ClauseInfo {
        name: "donnees_personnelles",
        title: "Protection des données personnelles",
        description: "Le titulaire sous-traitant au sens du RGPD, hébergement des données de santé (CCAP, CCTP).",
        source: doc_file!("clauses/donnees_personnelles.md.hbs"),
    },
    ClauseInfo {
        name: "reversibilite",
        title: "Réversibilité",
        description: "Restitution des données en fin de marché et transfert au nouveau titulaire (CCAP, CCTP).",
        source: doc_file!("clauses/reversibilite.md.hbs"),
    },
    ClauseInfo {
        name: "derogations_ccag",
        title: "Dérogations au CCAG",
        description: "Récapitulatif des articles du CCAG auxquels le CCAP déroge (dernier article du CCAP).",
        source: doc_file!("clauses/derogations_ccag.md.hbs"),
    },
];

/// The default clauses, in document order.
pub fn clause_catalogue() -> &'static [ClauseInfo] {
    &CLAUSES
}

/// The default clause `name`, with its title.
pub fn clause_info(name: &str) -> Option<&'static ClauseInfo> {
    CLAUSES.iter().find(|c| c.name == name)
}

/// Names of the overridable clauses, in document order.
pub fn clause_names() -> Vec<&'static str> {
    CLAUSES.iter().map(|c| c.name).collect()
}

/// Default source of the clause `name`.
pub fn default_clause(name: &str) -> Option<&'static str> {
    clause_info(name).map(|c| c.source)
}

/// Registry name of a clause partial: `clauses/<name>`.
pub fn clause_partial_name(name: &str) -> String {
    format!("clauses/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_clause_has_a_title_and_a_description() {
        for c in clause_catalogue() {
            assert!(!c.title.trim().is_empty(), "{}", c.name);
            assert!(c.title != c.name, "{}", c.name);
            assert!(!c.description.trim().is_empty(), "{}", c.name);
            assert!(!c.source.trim().is_empty(), "{}", c.name);
        }
        let mut names = clause_names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CLAUSES.len(), "unique names");
        assert!(default_clause("penalites").unwrap().contains("pénalité"));
        assert_eq!(
            clause_info("derogations_ccag").unwrap().title,
            "Dérogations au CCAG"
        );
        assert!(default_clause("inconnue").is_none());
    }

    #[test]
    fn clauses_are_listed_in_the_order_of_the_documents() {
        let mut seen: Vec<&str> = Vec::new();
        for kind in DocKind::ALL {
            for part in template_source(kind).split("{{> clauses/").skip(1) {
                let name = part.split("}}").next().unwrap_or_default().trim();
                if !seen.contains(&name) {
                    seen.push(name);
                }
            }
        }
        let unused: Vec<_> = clause_names()
            .into_iter()
            .filter(|n| !seen.contains(n))
            .collect();
        assert!(unused.is_empty(), "clauses used by no document: {unused:?}");
        assert_eq!(clause_names(), seen);
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
