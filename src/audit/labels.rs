//! The journal in people's words: each action code (`pieces.clause_modifiee`) read as
//! « Pièces : clause modifiée ». The codes stay in the journal and its chain; only the page
//! and exports translate them.

/// The French label of an area prefix.
fn area(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "attribution" => "Attribution",
        "cao" => "CAO",
        "compte" => "Compte",
        "connexion" => "Connexion",
        "consultation" => "Consultation",
        "courriel" => "Courriel",
        "documents" => "Documents",
        "dossier" => "Dossier",
        "lettre" => "Lettre",
        "marche" => "Marché",
        "offres" => "Offres",
        "pieces" => "Pièces",
        "registre" => "Registre",
        "visa" => "Visas",
        _ => return None,
    })
}

/// Words of the codes written without their accents (identifiers are ASCII).
fn word(w: &str) -> &str {
    match w {
        "activee" => "activée",
        "ajoute" => "ajouté",
        "ajoutee" => "ajoutée",
        "api" => "d'API",
        "creation" => "création",
        "criteres" => "critères",
        "delai" => "du délai",
        "deport" => "déport",
        "deposee" => "déposée",
        "desactivee" => "désactivée",
        "donne" => "donné",
        "donnees" => "données",
        "dqe" => "DQE",
        "echec" => "échec",
        "enregistre" => "enregistré",
        "enregistrees" => "enregistrées",
        "envoyees" => "envoyées",
        "importes" => "importés",
        "publiee" => "publiée",
        "repondue" => "répondue",
        "enregistree" => "enregistrée",
        "methode" => "méthode",
        "modifie" => "modifié",
        "modifiee" => "modifiée",
        "oab" => "OAB",
        "parametres" => "paramètres",
        "pieces" => "pièces",
        "procedure" => "procédure",
        "retablie" => "rétablie",
        "retiree" => "retirée",
        "reussie" => "réussie",
        "revocation" => "révocation",
        "revoquee" => "révoquée",
        "rectifie" => "rectifié",
        "reference" => "référence",
        "termine" => "terminé",
        "dce" => "DCE",
        "decision" => "décision",
        other => other,
    }
}

/// « Pièces : clause modifiée » for `pieces.clause_modifiee`; an unknown code is shown as it is.
#[must_use]
pub fn action_label(code: &str) -> String {
    let Some((prefix, rest)) = code.split_once('.') else {
        return code.to_owned();
    };
    let Some(area) = area(prefix) else {
        return code.to_owned();
    };
    let words: Vec<&str> = rest
        .split('_')
        .filter(|w| !w.is_empty())
        .map(word)
        .collect();
    format!("{area} : {}", words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_french_labels() {
        assert_eq!(
            action_label("pieces.clause_modifiee"),
            "Pièces : clause modifiée"
        );
        assert_eq!(
            action_label("consultation.prolongation_delai"),
            "Consultation : prolongation du délai"
        );
        assert_eq!(action_label("compte.jeton_api"), "Compte : jeton d'API");
        assert_eq!(action_label("offres.dqe_decision"), "Offres : DQE décision");
        assert_eq!(action_label("connexion.reussie"), "Connexion : réussie");
        assert_eq!(
            action_label("registre.membre_modifie"),
            "Registre : membre modifié"
        );
        assert_eq!(
            action_label("consultation.candidats_admis_importes"),
            "Consultation : candidats admis importés"
        );
        assert_eq!(
            action_label("consultation.invitations_envoyees"),
            "Consultation : invitations envoyées"
        );
        // Unknown areas and malformed codes are shown as stored.
        assert_eq!(action_label("test"), "test");
        assert_eq!(action_label("inconnu.x"), "inconnu.x");
    }
}
