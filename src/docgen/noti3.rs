//! Mentions a rejection letter (NOTI3) notified after the award must carry.
//!
//! R2181-3 CCP: the notification gives the reasons for the rejection and, when it is made after
//! the award, the name of the attributaire and the reasons for choosing its offer (1°) and the
//! date from which the buyer may sign the marché in compliance with R2182-1 (2°). The
//! délais et voies de recours are not required by a text but are the NOTI3 form's rubric F and
//! good practice since CE Ass. 4 avril 2014 *Tarn-et-Garonne* (DOMAIN §5.2).

/// One required mention: its French description and the phrases that show it is present.
struct Mention {
    label: &'static str,
    any_of: &'static [&'static str],
}

const MENTIONS: [Mention; 5] = [
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
    let text = normalize(markdown);
    let missing: Vec<String> = MENTIONS
        .iter()
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

    const COMPLETE: &str = "## D – Motifs du rejet\nOffre classée 2e.\n\n\
        **Nom de l’attributaire :** ACME\n\n**Motifs du choix** : meilleure note.\n\n\
        Le marché ne pourra être signé avant le 2 février 2027 (fin du délai de suspension).\n\n\
        ## F – Délais et *voies de recours*\n";

    #[test]
    fn complete_letter_passes() {
        assert_eq!(check_noti3_mentions(COMPLETE), Ok(()));
    }

    #[test]
    fn each_missing_mention_is_listed_in_french() {
        let errs = check_noti3_mentions("Votre offre n'a pas été retenue.").unwrap_err();
        assert_eq!(errs.len(), 5);
        assert!(errs[0].contains("motifs du rejet"));
        assert!(errs[1].contains("nom de l'attributaire"));
        assert!(errs[2].contains("motifs du choix"));
        assert!(errs[3].contains("délai de suspension"));
        assert!(errs[4].contains("voies de recours"));
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
        let md = "Motifs\ndu **rejet** ; nom de l'attributaire ; motifs du choix ; fin du délai de\nsuspension ; voies de recours";
        assert_eq!(check_noti3_mentions(md), Ok(()));
    }
}
