//! Mentions a rejection letter (NOTI3) notified after the award must carry.
//!
//! R2181-3 CCP: the notification gives the reasons for the rejection and, when it is made after
//! the award, the name of the attributaire and the reasons for choosing its offer (1°) and the
//! date from which the buyer may sign the marché in compliance with R2182-1 (2°). The
//! délais et voies de recours are not required by a text but are the NOTI3 form's rubric F and
//! good practice since CE Ass. 4 avril 2014 *Tarn-et-Garonne* (DOMAIN §5.2).
//!
//! The letter also states how it was sent (the standstill is 11 days when the notification is
//! sent electronically, 16 otherwise: R2182-1, so the channel is part of R2181-3 2°), names the
//! référé précontractuel (CJA L551-1) and the recours en contestation de validité du contrat
//! (CE Ass. 4 avril 2014 n° 358994), and, to a tenderer whose offer was ranked, how to ask for the
//! characteristics and relative advantages of the chosen offer, with the buyer's contact (R2181-4:
//! answered within fifteen days of the request) — [`check_noti3_offer_mentions`].

/// One required mention: its French description and the phrases that show it is present.
struct Mention {
    label: &'static str,
    any_of: &'static [&'static str],
}

const MENTIONS: [Mention; 8] = [
    Mention {
        label: "les motifs du rejet de la candidature ou de l'offre (R2181-3 alinéa 1)",
        any_of: &[
            "motifs du rejet",
            "motif du rejet",
            "motifs de rejet",
            "motifs de ce rejet",
        ],
    },
    Mention {
        label: "le nom de l'attributaire (R2181-3 1°)",
        any_of: &[
            "nom de l'attributaire",
            "attributaire du marché est",
            "offre retenue est celle de",
        ],
    },
    Mention {
        label: "les motifs du choix de l'offre de l'attributaire (R2181-3 1°)",
        any_of: &[
            "motifs du choix",
            "motifs ayant conduit au choix",
            "raisons du choix",
        ],
    },
    Mention {
        label: "la date de fin du délai de suspension, à partir de laquelle le marché peut être signé (R2181-3 2°, R2182-1)",
        any_of: &[
            "fin du délai de suspension",
            "date à partir de laquelle le marché peut être signé",
            "ne pourra être signé avant le",
            "peut être signé à compter du",
        ],
    },
    Mention {
        label: "les délais et voies de recours (formulaire NOTI3, rubrique F)",
        any_of: &["voies de recours", "voie de recours"],
    },
    Mention {
        label: "le mode d'envoi de la lettre, qui fixe la durée du délai de suspension (R2182-1)",
        any_of: &[
            "envoyée le",
            "par courriel à l'adresse",
            "par lettre recommandée avec demande d'avis de réception",
        ],
    },
    Mention {
        label: "le référé précontractuel, ouvert jusqu'à la signature du contrat (article L551-1 du code de justice administrative)",
        any_of: &["référé précontractuel"],
    },
    Mention {
        label: "le recours en contestation de la validité du contrat (CE, Ass., 4 avril 2014, Tarn-et-Garonne, n° 358994)",
        any_of: &[
            "contestation de la validité du contrat",
            "validité du contrat",
        ],
    },
];

/// Mentions owed to a tenderer whose offer was ranked, i.e. not rejected as irregular,
/// unacceptable or inappropriate (R2181-4).
const OFFER_MENTIONS: [Mention; 2] = [
    Mention {
        label: "la faculté de demander les caractéristiques et les avantages relatifs de l'offre retenue, communiqués dans les quinze jours de la demande (R2181-4)",
        any_of: &["avantages relatifs de l'offre retenue"],
    },
    Mention {
        label: "le service et l'adresse électronique de l'acheteur auxquels adresser cette demande (R2181-4)",
        any_of: &["adressez votre demande au"],
    },
];

/// Lower-case text with Markdown marks removed and typographic apostrophes and spaces folded.
fn normalize(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut last_space = true;
    for c in md.chars() {
        let c = match c {
            '’' | 'ʼ' => '\'',
            '*' | '_' | '#' | '|' | '\\' | '`' => continue,
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.extend(c.to_lowercase());
            last_space = false;
        }
    }
    out
}

/// Checks that a rendered NOTI3 (Markdown) carries every mention of R2181-3 for a rejection
/// notified after the award, plus the voies de recours.
///
/// # Errors
/// The French descriptions of the missing mentions, in the order of the form.
pub fn check_noti3_mentions(markdown: &str) -> Result<(), Vec<String>> {
    check(markdown, MENTIONS.iter())
}

/// [`check_noti3_mentions`] plus what a tenderer whose offer was ranked must be told (R2181-4):
/// that it may ask for the characteristics and relative advantages of the chosen offer, and to
/// whom.
///
/// # Errors
/// The French descriptions of the missing mentions, in the order of the form.
pub fn check_noti3_offer_mentions(markdown: &str) -> Result<(), Vec<String>> {
    check(markdown, MENTIONS.iter().chain(OFFER_MENTIONS.iter()))
}

fn check<'a>(
    markdown: &str,
    mentions: impl Iterator<Item = &'a Mention>,
) -> Result<(), Vec<String>> {
    let text = normalize(markdown);
    let missing: Vec<String> = mentions
        .filter(|m| !m.any_of.iter().any(|p| text.contains(p)))
        .map(|m| format!("mention obligatoire absente : {}", m.label))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPLETE: &str = "Lettre envoyée le 18 février 2027 par courriel à l'adresse a@b.fr.\n\n\
        ## D – Motifs du rejet\nOffre classée 2e.\n\n\
        **Nom de l’attributaire :** ACME\n\n**Motifs du choix** : meilleure note.\n\n\
        Le marché ne pourra être signé avant le 2 février 2027 (fin du délai de suspension).\n\n\
        ## F – Délais et *voies de recours*\n- **référé précontractuel** ;\n\
        - recours en contestation de la validité du contrat.\n";

    const OFFER: &str = "Vous pouvez demander les caractéristiques et les avantages relatifs \
        de l'offre retenue (R2181-4). Adressez votre demande au service des marchés : courriel m@x.fr.";

    #[test]
    fn complete_letter_passes() {
        assert_eq!(check_noti3_mentions(COMPLETE), Ok(()));
    }

    #[test]
    fn each_missing_mention_is_listed_in_french() {
        let errs = check_noti3_mentions("Votre offre n'a pas été retenue.").unwrap_err();
        assert_eq!(errs.len(), 8);
        assert!(errs[0].contains("motifs du rejet"));
        assert!(errs[1].contains("nom de l'attributaire"));
        assert!(errs[2].contains("motifs du choix"));
        assert!(errs[3].contains("délai de suspension"));
        assert!(errs[4].contains("voies de recours"));
        assert!(errs[5].contains("mode d'envoi"));
        assert!(errs[6].contains("L551-1"));
        assert!(errs[7].contains("358994"));
    }

    #[test]
    fn a_ranked_offer_is_told_how_to_ask_for_the_advantages_of_the_chosen_offer() {
        assert_eq!(check_noti3_mentions(COMPLETE), Ok(()));
        let errs = check_noti3_offer_mentions(COMPLETE).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(errs[0].contains("R2181-4"));
        assert!(errs[1].contains("adresse électronique"));
        let full = format!("{COMPLETE}\n{OFFER}");
        assert_eq!(check_noti3_offer_mentions(&full), Ok(()));
    }

    #[test]
    fn a_letter_without_its_channel_or_the_referes_is_refused() {
        let no_channel = COMPLETE.replace(
            "Lettre envoyée le 18 février 2027 par courriel à l'adresse a@b.fr.",
            "",
        );
        let errs = check_noti3_mentions(&no_channel).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("R2182-1"));
        let no_refere = COMPLETE.replace("référé précontractuel", "référé");
        assert!(check_noti3_mentions(&no_refere).unwrap_err()[0].contains("L551-1"));
    }

    #[test]
    fn only_the_missing_one_is_reported() {
        let without_remedies = COMPLETE.replace("voies de recours", "contacts");
        let errs = check_noti3_mentions(&without_remedies).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].contains("voies de recours"));
    }

    #[test]
    fn line_breaks_and_emphasis_inside_a_phrase_do_not_hide_it() {
        let md = "Motifs\ndu **rejet** ; nom de l'attributaire ; motifs du choix ; fin du délai de\nsuspension ; voies de recours ; lettre envoyée le 2 mars ; référé\nprécontractuel ; contestation de la *validité du contrat*";
        assert_eq!(check_noti3_mentions(md), Ok(()));
    }
}
