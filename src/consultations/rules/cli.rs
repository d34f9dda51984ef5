//! JSON printed by `coordo procedure --nature services --amount-ht 350000 --launch 2026-12-01`.

use super::procedure::{Nature, ProcedureInput, propose};
use super::technique::{Technique, assess};
use super::{RulesError, parse_amount, parse_date};
use serde_json::{Value, json};

/// Parses French-friendly CLI inputs (nature "services"; amount "350000" or "350 000,00";
/// launch "2026-12-01" or "01/12/2026") and returns the JSON the CLI prints: `procedure`,
/// `cao_required`, `publicity` {code, label}, `min_offer_days`, `thresholds` (name, label,
/// value, valid_from, valid_to, legal_basis) and `reasons`. The buyer is the coordonnateur
/// (collectivité/EPL), offers are received electronically, single lot.
pub fn cli_json(nature: &str, amount_ht: &str, launch: &str) -> Result<Value, RulesError> {
    cli_json_with(nature, Some(amount_ht), launch, "aucune", None)
}

/// [`cli_json`] with the technique d'achat (`aucune`, `accord_cadre`, `sad`; see
/// [`super::technique`]): for an accord-cadre the amount is its maximum, required (R2162-4),
/// and `duree_mois` its duration; the answer gains a `technique` object, and a marché
/// spécifique's minimum offer delay is the SAD's (from the invitation).
pub fn cli_json_with(
    nature: &str,
    amount_ht: Option<&str>,
    launch: &str,
    technique: &str,
    duree_mois: Option<&str>,
) -> Result<Value, RulesError> {
    let nature = Nature::parse(nature)?;
    let technique = Technique::parse(technique)?;
    let amount = amount_ht.map(parse_amount).transpose()?;
    let launch = parse_date("date de lancement", launch)?;
    let months = duree_mois
        .map(|m| {
            m.trim().parse::<u32>().map_err(|_| {
                RulesError::InvalidInput(format!(
                    "Durée invalide « {} » : un nombre entier de mois (--duree-mois).",
                    m.trim()
                ))
            })
        })
        .transpose()?;
    let t = assess(technique, amount, months, launch)?;
    let p = propose(&ProcedureInput::single(nature, t.valeur_seuils_ht, launch))?;
    let to_json = |v: serde_json::Result<Value>| {
        v.map_err(|e| RulesError::InvalidInput(format!("Erreur de sérialisation JSON : {e}")))
    };
    Ok(json!({
        "procedure": p.procedure,
        "cao_required": p.cao_required,
        "publicity": to_json(serde_json::to_value(&p.publicity))?,
        "min_offer_days": t.min_offer_days.or(p.min_offer_days),
        "thresholds": to_json(serde_json::to_value(&p.thresholds))?,
        "reasons": p.reasons,
        "technique": to_json(serde_json::to_value(&t))?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_350000_launched_2026_12_01() {
        let v = cli_json("services", "350000", "2026-12-01").expect("valid");
        let keys: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [
                "cao_required",
                "min_offer_days",
                "procedure",
                "publicity",
                "reasons",
                "technique",
                "thresholds"
            ]
        );
        assert_eq!(v["procedure"], "appel_offres_ouvert");
        assert_eq!(v["cao_required"], true);
        assert_eq!(v["publicity"]["code"], "joue_et_boamp");
        assert_eq!(v["min_offer_days"], 30);
        let t = &v["thresholds"];
        assert_eq!(t[0]["value"], "60000");
        assert_eq!(t[0]["valid_from"], "2026-04-01");
        assert_eq!(t[0]["valid_to"], Value::Null);
        assert_eq!(t[1]["value"], "90000");
        assert_eq!(t[2]["name"], "seuil_procedure_formalisee_fs");
        assert_eq!(t[2]["value"], "216000");
        assert_eq!(t[2]["valid_from"], "2026-01-01");
        assert_eq!(t[2]["valid_to"], "2027-12-31");
        assert!(
            t[2]["legal_basis"]
                .as_str()
                .expect("str")
                .contains("2025/2152")
        );
        let reasons = v["reasons"].as_array().expect("array");
        assert!(
            reasons
                .iter()
                .any(|r| r.as_str().is_some_and(|s| s.contains("L1414-2")))
        );
        assert!(
            reasons
                .iter()
                .any(|r| r.as_str().is_some_and(|s| s.contains("L2152-7")))
        );
    }

    #[test]
    fn french_amount_formats() {
        let a = cli_json("Services", "350 000,00", "01/12/2026").expect("valid");
        let b = cli_json("services", "350000", "2026-12-01").expect("valid");
        assert_eq!(a, b);
        let mapa = cli_json("fournitures", "144 697,50", "2026-12-01").expect("valid");
        assert_eq!(mapa["procedure"], "procedure_adaptee");
        assert_eq!(mapa["publicity"]["code"], "boamp_ou_jal");
        assert_eq!(mapa["min_offer_days"], Value::Null);
        assert_eq!(mapa["cao_required"], false);
    }

    #[test]
    fn french_errors() {
        let e = cli_json("prestations", "350000", "2026-12-01").expect_err("nature");
        assert_eq!(
            e.to_string(),
            "Nature de marché inconnue « prestations » : valeurs possibles « fournitures », « services » ou « travaux »."
        );
        let e = cli_json("services", "-1", "2026-12-01").expect_err("negative");
        assert!(e.to_string().contains("strictement positif"), "{e}");
        let e = cli_json("services", "0", "2026-12-01").expect_err("zero");
        assert!(e.to_string().contains("strictement positif"), "{e}");
        let e = cli_json("services", "350000", "2026-12-32").expect_err("date");
        assert!(
            e.to_string()
                .starts_with("Date invalide « 2026-12-32 » pour « date de lancement »"),
            "{e}"
        );
        let e = cli_json("services", "350000", "2028-01-01").expect_err("no thresholds yet");
        assert!(e.to_string().starts_with("Aucune valeur en vigueur"), "{e}");
    }
}
