//! The kinds of emails in people's words, for the Courriels page (the code stays stored).

use crate::docgen::DocKind;

/// « Convocation à la CAO » for `cao_convocation`; a letter's kind takes its document's name;
/// an unknown code is shown as stored.
#[must_use]
pub fn kind_label(kind: &str) -> String {
    match kind {
        "cao_convocation" => "Convocation à la CAO".to_owned(),
        "offres_rectification_prix" => "Rectification d'un prix (avis à la CAO)".to_owned(),
        "pieces_contractuelles" => "Pièces contractuelles aux membres".to_owned(),
        "prolongation_delai" => "Prolongation de la date limite (aux candidats)".to_owned(),
        "modification_dce" => "Modification du DCE (aux candidats)".to_owned(),
        "reponse_question" => "Réponse à une question (aux candidats)".to_owned(),
        "sad_invitation" => "Invitation à soumissionner (marché spécifique d'un SAD)".to_owned(),
        "visa_demande" => "Demande de visa".to_owned(),
        "visa_rappel" => "Rappel de visa".to_owned(),
        "visa_synthese" => "Synthèse du tour de visa".to_owned(),
        other => other
            .parse::<DocKind>()
            .map_or_else(|_| other.to_owned(), |k| k.label_fr().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_in_french() {
        assert_eq!(kind_label("cao_convocation"), "Convocation à la CAO");
        assert_eq!(
            kind_label("noti3"),
            "Notification de rejet de candidature ou d'offre"
        );
        assert_eq!(kind_label("autre_chose"), "autre_chose");
    }
}
