//! The kinds of documents the engine generates: pièces of the DCE (R2132-1 CCP), DAJ letters
//! (ATTRI1, NOTI1, NOTI3, NOTI5), CAO documents and the visa slip of convention art. 5.4 / 6.2.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A kind of generated document; its template is `documents/<snake_case>.md.hbs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Règlement de la consultation (R2132-1 CCP; criteria and weights R2152-11/12).
    Rc,
    /// Acte d'engagement, DAJ form ATTRI1 (sections A–D).
    Ae,
    /// Cahier des clauses administratives particulières (derogations to the CCAG-TIC).
    Ccap,
    /// Cahier des clauses techniques particulières, with each member's needs.
    Cctp,
    /// Bordereau des prix unitaires / détail quantitatif estimatif, quantities per member.
    Bpu,
    /// NOTI1: information of the titulaire pressenti and request of certificates (R2144-4).
    Noti1,
    /// NOTI3: rejection letter (R2181-1, R2181-3).
    Noti3,
    /// NOTI5: notification of the signed marché (R2182-4).
    Noti5,
    /// Letter informing each candidate that the procedure is declared sans suite (R2185-1/2).
    SansSuite,
    /// Convocation of the members of the CAO (CGCT L1411-5, L1414-2; convention art. 5.4).
    ConvocationCao,
    /// Procès-verbal of a CAO séance.
    PvCao,
    /// Procès-verbal de carence: quorum not reached (CGCT L1411-5 II).
    PvCarence,
    /// Bordereau of the members' visas on one version of a piece (convention art. 5.4, 6.2).
    BordereauVisas,
    /// Rapport d'analyse des offres (OUV8-like).
    RapportAnalyse,
    /// Procès-verbal d'ouverture des plis: the register of the plis (OUV1/OUV2-like; R2151-5,
    /// R2151-6).
    PvOuverturePlis,
    /// Rapport de présentation de la procédure (R2184-1 to R2184-3).
    RapportPresentation,
}

impl DocKind {
    /// Every kind, in the order of the procedure.
    pub const ALL: [DocKind; 16] = [
        DocKind::Rc,
        DocKind::Ae,
        DocKind::Ccap,
        DocKind::Cctp,
        DocKind::Bpu,
        DocKind::BordereauVisas,
        DocKind::ConvocationCao,
        DocKind::PvCao,
        DocKind::PvCarence,
        DocKind::PvOuverturePlis,
        DocKind::RapportAnalyse,
        DocKind::Noti1,
        DocKind::Noti3,
        DocKind::Noti5,
        DocKind::SansSuite,
        DocKind::RapportPresentation,
    ];

    /// The snake_case name, also the template file stem.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Rc => "rc",
            DocKind::Ae => "ae",
            DocKind::Ccap => "ccap",
            DocKind::Cctp => "cctp",
            DocKind::Bpu => "bpu",
            DocKind::Noti1 => "noti1",
            DocKind::Noti3 => "noti3",
            DocKind::Noti5 => "noti5",
            DocKind::SansSuite => "sans_suite",
            DocKind::ConvocationCao => "convocation_cao",
            DocKind::PvCao => "pv_cao",
            DocKind::PvCarence => "pv_carence",
            DocKind::BordereauVisas => "bordereau_visas",
            DocKind::RapportAnalyse => "rapport_analyse",
            DocKind::PvOuverturePlis => "pv_ouverture_plis",
            DocKind::RapportPresentation => "rapport_presentation",
        }
    }

    /// French label, used as the default document title.
    pub fn label_fr(self) -> &'static str {
        match self {
            DocKind::Rc => "Règlement de la consultation",
            DocKind::Ae => "Acte d'engagement",
            DocKind::Ccap => "Cahier des clauses administratives particulières",
            DocKind::Cctp => "Cahier des clauses techniques particulières",
            DocKind::Bpu => "Bordereau des prix unitaires et détail quantitatif estimatif",
            DocKind::Noti1 => "Information au titulaire pressenti",
            DocKind::Noti3 => "Notification de rejet de candidature ou d'offre",
            DocKind::Noti5 => "Notification du marché public",
            DocKind::SansSuite => "Déclaration sans suite de la procédure",
            DocKind::ConvocationCao => "Convocation de la commission d'appel d'offres",
            DocKind::PvCao => "Procès-verbal de la commission d'appel d'offres",
            DocKind::PvCarence => "Procès-verbal de carence de la commission d'appel d'offres",
            DocKind::BordereauVisas => "Bordereau des visas des membres du groupement",
            DocKind::RapportAnalyse => "Rapport d'analyse des offres",
            DocKind::PvOuverturePlis => "Procès-verbal d'ouverture des plis",
            DocKind::RapportPresentation => "Rapport de présentation de la procédure",
        }
    }

    /// The long pièces open with a table of contents (headings of levels 1 and 2).
    pub fn has_toc(self) -> bool {
        matches!(self, DocKind::Rc | DocKind::Ccap | DocKind::Cctp)
    }

    /// Letters get a compact letterhead instead of a title page.
    pub fn is_letter(self) -> bool {
        matches!(
            self,
            DocKind::Noti1
                | DocKind::Noti3
                | DocKind::Noti5
                | DocKind::SansSuite
                | DocKind::ConvocationCao
        )
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`DocKind::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "type de document inconnu « {0} » (attendu : rc, ae, ccap, cctp, bpu, noti1, noti3, noti5, sans_suite, convocation_cao, pv_cao, pv_carence, bordereau_visas, rapport_analyse, pv_ouverture_plis, rapport_presentation)"
)]
pub struct UnknownKind(pub String);

impl FromStr for DocKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_display_and_serde() {
        for kind in DocKind::ALL {
            assert_eq!(kind.to_string().parse::<DocKind>().unwrap(), kind);
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
        }
        assert_eq!("sans_suite".parse::<DocKind>().unwrap(), DocKind::SansSuite);
    }

    #[test]
    fn unknown_kind_is_named_in_french() {
        let err = "Noti3".parse::<DocKind>().unwrap_err();
        assert!(
            err.to_string()
                .contains("type de document inconnu « Noti3 »")
        );
    }

    #[test]
    fn letters_are_the_five_correspondence_kinds() {
        let letters: Vec<_> = DocKind::ALL.into_iter().filter(|k| k.is_letter()).collect();
        assert_eq!(letters.len(), 5);
        assert!(!DocKind::Rc.is_letter());
    }
}
