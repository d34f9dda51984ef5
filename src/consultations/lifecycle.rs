//! Lifecycle of a consultation: statuses, allowed transitions and their legal conditions.
//! Pure: the caller gathers the facts in a [`TransitionContext`].

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Status of a consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Brouillon,
    PiecesEnVisa,
    PretePublier,
    Publiee,
    RemiseClose,
    Analyse,
    AttributionDecidee,
    LettresEnvoyees,
    Suspension,
    Signee,
    Notifiee,
    Close,
    SansSuite,
    Infructueuse,
}

use Status::*;

impl Status {
    pub const ALL: [Status; 14] = [
        Brouillon,
        PiecesEnVisa,
        PretePublier,
        Publiee,
        RemiseClose,
        Analyse,
        AttributionDecidee,
        LettresEnvoyees,
        Suspension,
        Signee,
        Notifiee,
        Close,
        SansSuite,
        Infructueuse,
    ];

    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Brouillon => "Brouillon",
            PiecesEnVisa => "Pièces en visa",
            PretePublier => "Prête à publier",
            Publiee => "Publiée",
            RemiseClose => "Remise des offres close",
            Analyse => "Analyse des offres",
            AttributionDecidee => "Attribution décidée",
            LettresEnvoyees => "Lettres d'information envoyées",
            Suspension => "Délai de suspension en cours",
            Signee => "Marché signé",
            Notifiee => "Marché notifié",
            Close => "Close",
            SansSuite => "Déclarée sans suite",
            Infructueuse => "Déclarée infructueuse",
        }
    }

    /// snake_case code, identical to the serde form.
    pub fn code(self) -> &'static str {
        match self {
            Brouillon => "brouillon",
            PiecesEnVisa => "pieces_en_visa",
            PretePublier => "prete_publier",
            Publiee => "publiee",
            RemiseClose => "remise_close",
            Analyse => "analyse",
            AttributionDecidee => "attribution_decidee",
            LettresEnvoyees => "lettres_envoyees",
            Suspension => "suspension",
            Signee => "signee",
            Notifiee => "notifiee",
            Close => "close",
            SansSuite => "sans_suite",
            Infructueuse => "infructueuse",
        }
    }

    /// Parses a snake_case code.
    pub fn from_code(code: &str) -> Result<Status, LifecycleError> {
        Status::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
            .ok_or_else(|| LifecycleError::UnknownStatus(code.to_string()))
    }

    /// Final states: no transition leaves them.
    pub fn is_terminal(self) -> bool {
        matches!(self, Close | SansSuite | Infructueuse)
    }

    /// True before notification of the marché: the procedure may still be declared sans suite
    /// (R2185-1; convention art. 5.4).
    pub fn before_notification(self) -> bool {
        !matches!(self, Notifiee | Close | SansSuite | Infructueuse)
    }

    /// Targets reachable from this status (conditions apart).
    pub fn allowed_targets(self) -> &'static [Status] {
        match self {
            Brouillon => &[PiecesEnVisa, SansSuite],
            PiecesEnVisa => &[PretePublier, Brouillon, SansSuite],
            PretePublier => &[Publiee, PiecesEnVisa, SansSuite],
            Publiee => &[RemiseClose, SansSuite],
            RemiseClose => &[Analyse, Infructueuse, SansSuite],
            Analyse => &[AttributionDecidee, Infructueuse, SansSuite],
            AttributionDecidee => &[LettresEnvoyees, SansSuite],
            LettresEnvoyees => &[Suspension, Signee, SansSuite],
            Suspension => &[Signee, SansSuite],
            Signee => &[Notifiee, SansSuite],
            Notifiee => &[Close],
            Close | SansSuite | Infructueuse => &[],
        }
    }

    /// What the coordonnateur must do on entering this status (French, with articles).
    pub fn duties(self) -> &'static [&'static str] {
        match self {
            PiecesEnVisa => &[
                "Soumettre chaque pièce au visa préalable de chaque membre (convention art. 5.4 et 6.2).",
            ],
            Publiee => &[
                "Mettre le DCE à disposition sur le profil d'acheteur (R2132-2) et répondre aux questions au plus tard 6 jours avant la remise des offres (R2132-6).",
            ],
            AttributionDecidee => &[
                "Demander à l'attributaire pressenti ses certificats et attestations (NOTI1, R2144-4).",
            ],
            LettresEnvoyees => &[
                "Informer chaque évincé des motifs du rejet, du nom de l'attributaire et de la date à partir de laquelle le marché peut être signé (R2181-1, R2181-3).",
            ],
            Suspension => &["Respecter le délai de suspension avant la signature (R2182-1)."],
            Signee => &[
                "Notifier le marché au titulaire (R2182-4) ; envoyer l'avis d'attribution dans les 30 jours pour une procédure formalisée (R2183-1).",
            ],
            Notifiee => &[
                "Publier les données essentielles dans les 2 mois (R2196-1) et transmettre les pièces contractuelles à chaque membre (convention art. 5.4).",
            ],
            Close => &[
                "Conserver les pièces de la procédure 5 ans à compter de la signature (R2184-12).",
            ],
            SansSuite => &[
                "Informer sans délai les candidats et soumissionnaires des motifs de la décision (R2185-2).",
            ],
            Infructueuse => &[
                "Informer les candidats et soumissionnaires (R2185-2) ; relancer, ou recourir à la procédure avec négociation (R2124-3 6°) ou à un marché sans publicité (R2122-2) si leurs conditions sont réunies.",
            ],
            _ => &[],
        }
    }
}

/// Facts the caller gathers before a transition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransitionContext {
    pub dce_has_pieces: bool,
    pub all_visas_complete: bool,
    pub offers_deadline_passed: bool,
    pub analysis_complete: bool,
    pub cao_required: bool,
    pub cao_decision_recorded: bool,
    pub rejection_letters_sent: bool,
    /// Formalised procedure with more than one tenderer (R2182-1, R2182-2).
    pub standstill_applicable: bool,
    pub standstill_over: bool,
    pub attributaire_documents_received: bool,
    pub members_validation_complete: bool,
    pub contract_pieces_sent_to_members: bool,
    /// No offer, or only irregular, unacceptable or inappropriate offers.
    pub no_acceptable_offer: bool,
    /// Motif d'intérêt général of a déclaration sans suite.
    pub motif: Option<String>,
    /// What forbids publishing the award criteria (`dossier::rules::award_criteria_problems`).
    pub award_criteria_problems: Vec<String>,
    /// The current version of the RC announces the grid in force (R2152-11).
    pub rc_announces_the_grid: bool,
    /// What the technique d'achat forbids publishing (`technique_choice::publication_problems`).
    pub technique_problems: Vec<String>,
}

/// Minimum length of a motif d'intérêt général.
pub const MIN_MOTIF_CHARS: usize = 15;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LifecycleError {
    #[error(
        "Transition impossible de « {from} » vers « {to} » : transitions possibles depuis cet état : {allowed}."
    )]
    NotAllowed {
        from: &'static str,
        to: &'static str,
        allowed: String,
    },
    #[error("Transition impossible de « {from} » vers « {to} » : {reason}")]
    Refused {
        from: &'static str,
        to: &'static str,
        reason: String,
    },
    #[error(
        "Statut de consultation inconnu « {0} » : valeurs possibles brouillon, pieces_en_visa, prete_publier, publiee, remise_close, analyse, attribution_decidee, lettres_envoyees, suspension, signee, notifiee, close, sans_suite, infructueuse."
    )]
    UnknownStatus(String),
}

const VISAS: &str = "Toutes les pièces du DCE doivent avoir un visa complet de chaque membre, sur leur dernière version, avant publication (convention art. 5.4 et 6.2).";

fn signature_checks(ctx: &TransitionContext) -> Result<(), String> {
    if !ctx.attributaire_documents_received {
        return Err("les certificats et attestations de l'attributaire (NOTI1) n'ont pas été reçus (R2144-4, R2144-7).".to_string());
    }
    if !ctx.members_validation_complete {
        return Err("chaque membre doit avoir validé le marché par écrit avant sa signature par le coordonnateur (convention art. 6.2).".to_string());
    }
    Ok(())
}

fn check(from: Status, to: Status, ctx: &TransitionContext) -> Result<(), String> {
    let require = |ok: bool, msg: &str| if ok { Ok(()) } else { Err(msg.to_string()) };
    match (from, to) {
        (_, SansSuite) => {
            let motif = ctx.motif.as_deref().map(str::trim).unwrap_or("");
            let len = motif.chars().count();
            if len == 0 {
                Err("une déclaration sans suite exige un motif d'intérêt général (R2185-1, convention art. 5.4) : par exemple disparition du besoin, insuffisance de concurrence, irrégularité de la procédure ou budget insuffisant.".to_string())
            } else if len < MIN_MOTIF_CHARS {
                Err(format!(
                    "le motif d'intérêt général est trop court ({len} caractères, au moins {MIN_MOTIF_CHARS}) : il doit être communiqué aux candidats (R2185-2)."
                ))
            } else {
                Ok(())
            }
        }
        (_, Infructueuse) => require(
            ctx.no_acceptable_offer,
            "une procédure n'est infructueuse que si aucune offre n'a été reçue ou si toutes les offres sont irrégulières, inacceptables ou inappropriées (L2152-2 à L2152-4, R2185-1).",
        ),
        (Brouillon, PiecesEnVisa) => require(
            ctx.dce_has_pieces,
            "le DCE ne contient aucune pièce : ajoutez au moins le règlement de la consultation et l'acte d'engagement avant de les soumettre au visa des membres (convention art. 5.4).",
        ),
        (PiecesEnVisa, PretePublier) | (PretePublier, Publiee) => {
            if let Some(problem) = ctx
                .award_criteria_problems
                .first()
                .or(ctx.technique_problems.first())
            {
                return Err(format!("{problem}."));
            }
            require(
                ctx.rc_announces_the_grid,
                "la dernière version du règlement de la consultation n'annonce pas la grille des critères d'attribution en vigueur (R2152-11) : générez à nouveau le RC et soumettez-le au visa des membres.",
            )?;
            require(ctx.all_visas_complete, VISAS)
        }
        (Publiee, RemiseClose) => require(
            ctx.offers_deadline_passed,
            "la date limite de réception des offres n'est pas encore passée : la remise des offres ne peut pas être close.",
        ),
        (Analyse, AttributionDecidee) => {
            require(
                ctx.analysis_complete,
                "l'analyse des offres doit être achevée (rapport d'analyse et classement) avant la décision d'attribution.",
            )?;
            require(
                !ctx.cao_required || ctx.cao_decision_recorded,
                "la commission d'appel d'offres doit avoir choisi l'attributaire (procès-verbal de séance) : procédure formalisée d'une collectivité ou d'un établissement public local (CGCT L1414-2).",
            )
        }
        (AttributionDecidee, LettresEnvoyees) => require(
            ctx.rejection_letters_sent,
            "les lettres de rejet (NOTI3) doivent être envoyées à chaque candidat et soumissionnaire évincé (R2181-1, R2181-3).",
        ),
        (LettresEnvoyees, Suspension) => require(
            ctx.standstill_applicable,
            "aucun délai de suspension ne s'applique (procédure adaptée ou seul soumissionnaire, R2182-2) : passez directement à la signature.",
        ),
        (LettresEnvoyees, Signee) => {
            require(
                !ctx.standstill_applicable,
                "le délai de suspension doit d'abord courir (R2182-1) : passez par l'état « Délai de suspension en cours ».",
            )?;
            signature_checks(ctx)
        }
        (Suspension, Signee) => {
            require(
                ctx.standstill_over,
                "le délai de suspension n'est pas expiré : le marché ne peut pas être signé avant sa fin (R2182-1).",
            )?;
            signature_checks(ctx)
        }
        (Notifiee, Close) => require(
            ctx.contract_pieces_sent_to_members,
            "les pièces contractuelles doivent être transmises à chaque membre avant la clôture (convention art. 5.4).",
        ),
        _ => Ok(()),
    }
}

/// Moves a consultation from `from` to `to` when the transition exists and its conditions hold.
/// Sans suite is possible from any status before notification with a motif d'intérêt général
/// (R2185-1, convention art. 5.4); infructueuse from remise close or analyse (R2185-1).
pub fn transition(
    from: Status,
    to: Status,
    ctx: &TransitionContext,
) -> Result<Status, LifecycleError> {
    if to == SansSuite && !from.before_notification() && !from.is_terminal() {
        return Err(LifecycleError::Refused {
            from: from.label(),
            to: to.label(),
            reason: "le marché est notifié : la procédure ne peut plus être déclarée sans suite (R2185-1, convention art. 5.4).".to_string(),
        });
    }
    if !from.allowed_targets().contains(&to) {
        let allowed = if from.is_terminal() {
            "aucune (état final)".to_string()
        } else {
            from.allowed_targets()
                .iter()
                .map(|s| format!("« {} »", s.label()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(LifecycleError::NotAllowed {
            from: from.label(),
            to: to.label(),
            allowed,
        });
    }
    check(from, to, ctx).map_err(|reason| LifecycleError::Refused {
        from: from.label(),
        to: to.label(),
        reason,
    })?;
    Ok(to)
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
