//! The variables a clause can insert, in words: what the editor lists next to the text so a
//! buyer can write a clause without knowing Handlebars (name, meaning, example value read from
//! the context the clause is checked against).

use serde::Serialize;
use serde_json::Value;

/// (path in the context, French meaning).
const VARIABLES: [(&str, &str); 26] = [
    ("buyer.name", "Nom du coordonnateur (acheteur)"),
    ("buyer.address", "Adresse du coordonnateur"),
    ("buyer.email", "Courriel du coordonnateur"),
    ("buyer.phone", "Téléphone du coordonnateur"),
    ("groupement.name", "Nom du groupement de commandes"),
    ("consultation.reference", "Référence de la consultation"),
    ("consultation.object", "Objet de la consultation"),
    ("consultation.procedure_label", "Procédure de passation"),
    ("consultation.contract_form", "Forme du marché"),
    ("consultation.duration_months", "Durée du marché, en mois"),
    (
        "consultation.validity_days",
        "Délai de validité des offres, en jours",
    ),
    ("ccag.short", "CCAG applicable (forme courte)"),
    ("ccap.payment_days", "Délai global de paiement, en jours"),
    (
        "ccap.penalty_cap_percent",
        "Plafond des pénalités, en % du montant HT",
    ),
    (
        "ccap.penalty_exemption_ht",
        "Seuil d'exonération des pénalités, en euros HT",
    ),
    ("ccap.advance_rate", "Taux de l'avance, en %"),
    ("ccap.price_type", "Type de prix"),
    ("ccap.revision_index", "Indice de révision des prix"),
    ("cctp.hosting", "Hébergement des données"),
    (
        "cctp.availability_rate",
        "Taux de disponibilité exigé, en %",
    ),
    ("court.name", "Tribunal administratif compétent"),
    ("court.address", "Adresse du tribunal"),
    ("court.phone", "Téléphone du tribunal"),
    ("court.email", "Courriel du greffe du tribunal"),
    ("court.website", "Site du tribunal"),
    (
        "oab_threshold_percent",
        "Seuil de détection des offres anormalement basses, en %",
    ),
];

/// One variable as the editor lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Variable {
    /// Path in the context (`court.name`).
    pub path: &'static str,
    /// What to type in the clause (`{{court.name}}`).
    pub snippet: String,
    /// French meaning.
    pub meaning: &'static str,
    /// The value in the context the clause is checked against, as text.
    pub example: String,
}

fn lookup<'a>(ctx: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(ctx, |node, seg| node.get(seg))
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) if s.trim().is_empty() => "(vide)".to_owned(),
        Value::String(s) => s.clone(),
        Value::Null => "(vide)".to_owned(),
        Value::Bool(true) => "oui".to_owned(),
        Value::Bool(false) => "non".to_owned(),
        other => other.to_string(),
    }
}

/// The variables present in `ctx` (a variable the context lacks cannot be inserted).
#[must_use]
pub fn available(ctx: &Value) -> Vec<Variable> {
    VARIABLES
        .iter()
        .filter_map(|(path, meaning)| {
            lookup(ctx, path).map(|v| Variable {
                path,
                snippet: format!("{{{{{path}}}}}"),
                meaning,
                example: as_text(v),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pieces::clauses::example_dce_context;

    #[test]
    fn every_listed_variable_exists_in_the_examples_and_renders() {
        let ctx = example_dce_context();
        let vars = available(&ctx);
        assert_eq!(vars.len(), VARIABLES.len(), "{vars:?}");
        let court = vars.iter().find(|v| v.path == "court.name").expect("court");
        assert_eq!(court.snippet, "{{court.name}}");
        assert_eq!(court.example, "Tribunal administratif de Lille");
        let engine = crate::docgen::DocEngine::new().expect("engine");
        let all: String = vars.iter().map(|v| v.snippet.clone()).collect();
        engine
            .check_template(&all, &ctx)
            .expect("every snippet renders");
    }

    #[test]
    fn a_variable_missing_from_the_context_is_not_offered() {
        let vars = available(&serde_json::json!({"court": {"name": "TA"}}));
        assert_eq!(vars.len(), 1);
        assert_eq!(vars[0].example, "TA");
    }
}
