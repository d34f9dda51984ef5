//! The CCAG a CCAP refers to (arrêtés du 30 mars 2021), the plan of the CCAP shared by the three
//! CCAG the groupement uses, and the list of the CCAP's derogations to its CCAG.
//!
//! Every CCAG of 2021 applies only to the marchés that refer to it and lets them derogate from
//! its stipulations; the derogations must say which articles they derogate from, and « le dernier
//! article du CCAP […] contient la liste récapitulative des articles du présent CCAG auxquels il
//! est dérogé » (article 1.2 of each CCAG, read in the CCAG-TIC 2021; same wording in the
//! CCAG-Travaux 2021 per its commentary) — hence [`derogations`], rendered in the last article.
//!
//! Articles cited (2021 versions):
//! - pénalités: article 14 of the CCAG-TIC, CCAG-PI and CCAG-FCS (14.1.1: adversarial
//!   procedure, exemption under 1 000 € HT, DAJ commentary quoted by code-commande-publique.com);
//! - réversibilité: article 42 of the CCAG-TIC 2021 (DAJ fiche, DOMAIN §7);
//! - confidentialité: article 5 (5.4: vulnerabilities, CCAG-TIC only);
//! - résultats: CCAG-PI 2021 chapter 5, article 32 « Définition des résultats » and following.
//!   The 2021 CCAG replaced the 2009 options A (concession) and B (exclusive assignment) by one
//!   regime close to the former option A; an exclusive assignment is therefore a derogation.

use serde_json::{Value, json};

/// The CCAG the CCAP template supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ccag {
    /// Techniques de l'information et de la communication (the DUI software).
    Tic,
    /// Prestations intellectuelles (the AMOA).
    Pi,
    /// Fournitures courantes et services (the hardware).
    Fcs,
}

impl Ccag {
    /// The CCAG of a consultation's `ccag` code; `None` for a CCAG the template does not cover.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "tic" => Some(Self::Tic),
            "pi" => Some(Self::Pi),
            "fcs" => Some(Self::Fcs),
            _ => None,
        }
    }

    /// « CCAG-TIC »…
    #[must_use]
    pub fn short(self) -> &'static str {
        match self {
            Self::Tic => "CCAG-TIC",
            Self::Pi => "CCAG-PI",
            Self::Fcs => "CCAG-FCS",
        }
    }

    /// The `ccag` object of the context: code, short name and one flag per CCAG for the
    /// templates (`{{#if ccag.is_pi}}`).
    #[must_use]
    pub fn json(self) -> Value {
        json!({
            "code": match self { Self::Tic => "tic", Self::Pi => "pi", Self::Fcs => "fcs" },
            "short": self.short(),
            "is_tic": self == Self::Tic,
            "is_pi": self == Self::Pi,
            "is_fcs": self == Self::Fcs,
        })
    }
}

/// The articles of the CCAP, numbered identically whatever the CCAG (the content of some
/// articles switches by CCAG), so that the derogations name a stable article.
pub const ARTICLES: [(&str, &str); 15] = [
    ("objet", "Objet et parties"),
    ("pieces", "Pièces contractuelles"),
    ("duree", "Durée et exécution"),
    ("prix", "Prix"),
    ("avance", "Avance"),
    ("paiement", "Facturation et paiement"),
    ("penalites", "Pénalités"),
    ("verifications", "Exécution, vérifications et admission"),
    (
        "resultats",
        "Propriété intellectuelle et utilisation des résultats",
    ),
    ("confidentialite", "Confidentialité et sécurité"),
    ("donnees", "Protection des données personnelles"),
    ("fin", "Réversibilité et fin du contrat"),
    ("sous_traitance", "Sous-traitance"),
    ("resiliation", "Résiliation"),
    ("derogations", "Dérogations au CCAG"),
];

/// Number of the CCAP article `key` (1-based).
///
/// # Panics
/// Never for the keys of [`ARTICLES`] (a wrong key is a programming error caught by the tests).
#[must_use]
pub fn article(key: &str) -> usize {
    ARTICLES
        .iter()
        .position(|(k, _)| *k == key)
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("unknown CCAP article {key}"))
}

/// `{"objet": 1, "pieces": 2, …}` for the template headings.
#[must_use]
pub fn articles_json() -> Value {
    Value::Object(
        ARTICLES
            .iter()
            .map(|(k, _)| ((*k).to_owned(), json!(article(k))))
            .collect(),
    )
}

/// One derogation of the CCAP to its CCAG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derogation {
    pub ccap_article: usize,
    pub ccag_article: &'static str,
    pub object: &'static str,
}

/// Whether the IP option chosen is the exclusive assignment (option B).
#[must_use]
pub fn is_assignment(ip_option: &str) -> bool {
    ip_option.trim().eq_ignore_ascii_case("B")
}

/// Every derogation of the CCAP generated for `ccag` (listed in its last article, CCAG art.
/// 1.2). `ip_option` is the DCE data's `ccap.ip_option` (CCAG-PI only).
#[must_use]
pub fn derogations(ccag: Ccag, ip_option: &str) -> Vec<Derogation> {
    // Article 7 of the CCAP: amounts, cap, exemption threshold and no adversarial procedure
    // before applying penalties, instead of CCAG article 14 (same number in the three CCAG).
    let mut out = vec![Derogation {
        ccap_article: article("penalites"),
        ccag_article: "14",
        object: "montants, plafond, seuil d'exonération et application sans mise en demeure des pénalités",
    }];
    match ccag {
        Ccag::Tic => out.push(Derogation {
            ccap_article: article("fin"),
            ccag_article: "42",
            object: "contenu et délais de la réversibilité",
        }),
        Ccag::Pi if is_assignment(ip_option) => out.push(Derogation {
            ccap_article: article("resultats"),
            ccag_article: "32 et suivants (chapitre 5)",
            object: "cession à titre exclusif des droits patrimoniaux sur les résultats (option B)",
        }),
        Ccag::Pi | Ccag::Fcs => {}
    }
    out
}

/// The `derogations` list of the context.
#[must_use]
pub fn derogations_json(ccag: Ccag, ip_option: &str) -> Value {
    json!(
        derogations(ccag, ip_option)
            .iter()
            .map(|d| json!({
                "ccap_article": d.ccap_article,
                "ccag_article": d.ccag_article,
                "object": d.object,
            }))
            .collect::<Vec<_>>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_ends_with_the_derogations() {
        assert_eq!(article("objet"), 1);
        assert_eq!(article("penalites"), 7);
        assert_eq!(article("derogations"), ARTICLES.len());
        assert_eq!(articles_json()["resultats"], 9);
    }

    #[test]
    fn derogations_switch_by_ccag_and_ip_option() {
        let tic = derogations(Ccag::Tic, "");
        assert_eq!(tic.len(), 2);
        assert!(tic.iter().any(|d| d.ccag_article == "42"));
        assert_eq!(derogations(Ccag::Pi, "A").len(), 1);
        let pi_b = derogations(Ccag::Pi, "b");
        assert!(
            pi_b.iter()
                .any(|d| d.ccap_article == 9 && d.object.contains("option B"))
        );
        let fcs = derogations(Ccag::Fcs, "B");
        assert_eq!(fcs.len(), 1, "the IP option is the CCAG-PI's");
        assert_eq!(fcs[0].ccag_article, "14");
        assert!(Ccag::from_code("travaux").is_none());
        assert_eq!(Ccag::from_code("pi").unwrap().json()["is_pi"], true);
    }
}
