//! Choosing a procedure other than the proposed one: a written justification is required
//! (it goes into the rapport de présentation, R2184-3 1°).

use super::RulesError;
use super::procedure::ProcedureKind;
use serde::{Deserialize, Serialize};

/// Minimum length (characters, after trimming) of an override justification.
pub const MIN_JUSTIFICATION_CHARS: usize = 30;

/// A justified departure from the proposed procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub proposed: ProcedureKind,
    pub chosen: ProcedureKind,
    pub justification: String,
    /// True when the chosen procedure is less demanding than the one the amount imposes.
    pub less_demanding: bool,
    /// French warnings on the legal conditions of the choice.
    pub warnings: Vec<String>,
}

/// Records the choice of `chosen` instead of `proposed`. Refuses an identical choice and an empty
/// or too short justification (< [`MIN_JUSTIFICATION_CHARS`] characters). A less demanding
/// procedure is recorded with a warning: it is lawful only in the limitative cases of
/// R2122-1 to R2122-11 (marché sans publicité) or R2123-1 2° to 4° (procédure adaptée);
/// the reasons go in the rapport de présentation (R2184-3 1°).
pub fn justify_override(
    proposed: ProcedureKind,
    chosen: ProcedureKind,
    justification: &str,
) -> Result<Override, RulesError> {
    if proposed == chosen {
        return Err(RulesError::OverrideNotNeeded(chosen.label()));
    }
    let text = justification.trim();
    let len = text.chars().count();
    if len < MIN_JUSTIFICATION_CHARS {
        return Err(RulesError::JustificationTooShort {
            proposed: proposed.label(),
            chosen: chosen.label(),
            problem: if len == 0 {
                "vide".to_string()
            } else {
                format!("trop courte ({len} caractères)")
            },
            min_chars: MIN_JUSTIFICATION_CHARS,
        });
    }
    let less_demanding = chosen < proposed;
    let mut warnings = Vec::new();
    if less_demanding {
        warnings.push(match chosen {
            ProcedureKind::SansPubliciteNiMiseEnConcurrence => "Marché sans publicité ni mise en concurrence au-delà du seuil de dispense : uniquement dans les cas limitativement énumérés aux articles R2122-1 à R2122-11 (urgence impérieuse, procédure infructueuse, droits d'exclusivité…) ; le motif figure au rapport de présentation (R2184-3 1°).".to_string(),
            _ => "Procédure adaptée au-delà du seuil de procédure formalisée : uniquement pour un petit lot (R2123-1 2°), des services sociaux et autres services spécifiques (R2123-1 3°) ou certains services juridiques (R2123-1 4°) ; à défaut, le marché encourt l'annulation.".to_string(),
        });
    } else {
        warnings.push(format!(
            "Procédure plus exigeante que celle imposée par le montant : « {} » doit alors être appliquée dans toutes ses règles (délais, publicité, commission d'appel d'offres le cas échéant).",
            chosen.label()
        ));
    }
    Ok(Override {
        proposed,
        chosen,
        justification: text.to_string(),
        less_demanding,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProcedureKind::*;

    const GOOD: &str = "Besoin urgent et imprévisible lié à la défaillance du titulaire (R2122-1).";

    #[test]
    fn refuses_empty_and_short() {
        let e = justify_override(AppelOffresOuvert, ProcedureAdaptee, "   ").expect_err("empty");
        assert_eq!(
            e.to_string(),
            "La justification du choix de « Procédure adaptée (MAPA) » au lieu de « Appel d'offres ouvert » \
             est vide : au moins 30 caractères sont exigés, exposant le motif et l'article applicable \
             (il sera repris au rapport de présentation, R2184-3)."
        );
        let e = justify_override(ProcedureAdaptee, AppelOffresOuvert, "c'est mieux")
            .expect_err("short");
        assert!(e.to_string().contains("trop courte (11 caractères)"), "{e}");
        // 29 characters (accents count as one).
        let e = justify_override(
            ProcedureAdaptee,
            AppelOffresOuvert,
            "ééééééééééééééééééééééééééééé",
        );
        assert!(e.is_err());
        let ok = justify_override(
            ProcedureAdaptee,
            AppelOffresOuvert,
            "éééééééééééééééééééééééééééééé",
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn refuses_identical_choice() {
        let e = justify_override(ProcedureAdaptee, ProcedureAdaptee, GOOD).expect_err("same");
        assert!(e.to_string().contains("aucune dérogation à justifier"));
    }

    #[test]
    fn downgrade_is_flagged() {
        let o = justify_override(ProcedureAdaptee, SansPubliciteNiMiseEnConcurrence, GOOD)
            .expect("recorded");
        assert!(o.less_demanding);
        assert!(o.warnings[0].contains("R2122-1 à R2122-11"));
        let o = justify_override(AppelOffresOuvert, ProcedureAdaptee, GOOD).expect("recorded");
        assert!(o.less_demanding);
        assert!(o.warnings[0].contains("R2123-1 2°"));
        let json = serde_json::to_value(&o).expect("json");
        assert_eq!(json["chosen"], "procedure_adaptee");
        assert_eq!(json["proposed"], "appel_offres_ouvert");
    }

    #[test]
    fn upgrade_is_allowed() {
        let o = justify_override(ProcedureAdaptee, AppelOffresOuvert, &format!("  {GOOD}  "))
            .expect("recorded");
        assert!(!o.less_demanding);
        assert_eq!(o.justification, GOOD);
    }
}
