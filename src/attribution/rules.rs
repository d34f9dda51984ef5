//! Pure rules from the decision to the notification: the states of an attribution, the
//! certificates of the NOTI1 and the cascade to the next-ranked bidder, the signature gate,
//! the one-time acknowledgement token. The standstill and the avis d'attribution dates come
//! from the legal calendar (`consultations::rules::deadlines`, R2182-1, R2183-1).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Where one attempt to award a lot stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributionStatus {
    /// NOTI1 sent, certificates awaited (R2144-4).
    EnAttentePieces,
    /// Every certificate received: the offer is retained.
    Retenue,
    /// Certificates not received in time: the offer is rejected (R2144-7).
    Defaillante,
    /// The marché is signed (after the standstill, R2182-1).
    Signee,
    /// NOTI5 sent, receipt awaited (R2182-4).
    Notifiee,
    /// NOTI5 received by the titulaire: the marché has taken effect (R2182-4).
    EnVigueur,
}

impl AttributionStatus {
    pub const ALL: [AttributionStatus; 6] = [
        Self::EnAttentePieces,
        Self::Retenue,
        Self::Defaillante,
        Self::Signee,
        Self::Notifiee,
        Self::EnVigueur,
    ];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::EnAttentePieces => "en_attente_pieces",
            Self::Retenue => "retenue",
            Self::Defaillante => "defaillante",
            Self::Signee => "signee",
            Self::Notifiee => "notifiee",
            Self::EnVigueur => "en_vigueur",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::EnAttentePieces => "NOTI1 envoyé, pièces attendues",
            Self::Retenue => "Pièces reçues, offre retenue",
            Self::Defaillante => "Pièces non produites : offre rejetée",
            Self::Signee => "Marché signé",
            Self::Notifiee => "NOTI5 envoyé, réception attendue",
            Self::EnVigueur => "Notification reçue : marché en vigueur",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The attempt that currently holds the lot (every state but a failure).
    #[must_use]
    pub fn is_current(self) -> bool {
        self != Self::Defaillante
    }
}

/// Errors of the attribution rules, in French.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AttributionError {
    #[error(
        "La date limite de production des pièces doit être postérieure à maintenant (R2144-4) : {0}."
    )]
    DeadlineInPast(String),
    #[error(
        "La date limite de production des pièces ne peut dépasser {max} jours : un délai plus long retarde la signature sans raison (R2144-4)."
    )]
    DeadlineTooFar { max: i64 },
    #[error(
        "Le délai de production des pièces n'est pas expiré (jusqu'au {0}) : l'offre ne peut pas encore être rejetée (R2144-7)."
    )]
    DeadlineNotPassed(String),
    #[error(
        "Toutes les pièces ont été reçues : l'offre ne peut pas être rejetée pour défaut de production (R2144-7)."
    )]
    NothingMissing,
}

/// Longest delay the buyer may set for the certificates, in days (a practice bound: the
/// NOTI1 delay is set by the buyer, R2144-4; DAJ practice is a few days to two weeks).
pub const MAX_CERTIFICATE_DAYS: i64 = 30;

/// The evidence asked of a bidder established in France (NOTI1 rubric F; Code du travail
/// L8222-1, D8222-5, D8254-2; R2143-7 to R2143-10 CCP).
pub const CERTIFICATES_FRANCE: [&str; 5] = [
    "l'attestation de vigilance délivrée par l'URSSAF datant de moins de six mois (articles L8222-1 et D8222-5 du code du travail)",
    "l'attestation de régularité fiscale",
    "un extrait K ou Kbis datant de moins de trois mois",
    "l'attestation d'assurance de responsabilité civile professionnelle en cours de validité",
    "le cas échéant, la liste nominative des salariés étrangers soumis à autorisation de travail (article D8254-2 du code du travail)",
];

/// Equivalent evidence for a bidder established abroad (NOTI1 rubric G).
pub const CERTIFICATES_ABROAD: [&str; 1] = [
    "les documents équivalents délivrés par les administrations et organismes du pays d'origine ou d'établissement, accompagnés d'une traduction en français",
];

/// One certificate asked in the NOTI1 and when it was received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub label: String,
    pub received_on: Option<NaiveDate>,
}

/// The list of certificates a NOTI1 asks for, none received yet.
#[must_use]
pub fn requested_certificates() -> Vec<Certificate> {
    CERTIFICATES_FRANCE
        .iter()
        .map(|l| Certificate {
            label: (*l).to_owned(),
            received_on: None,
        })
        .collect()
}

/// Checks the deadline the coordonnateur sets in the NOTI1 (R2144-4): in the future, at most
/// [`MAX_CERTIFICATE_DAYS`] days ahead.
///
/// # Errors
/// [`AttributionError::DeadlineInPast`], [`AttributionError::DeadlineTooFar`].
pub fn check_certificates_deadline(
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    shown: &str,
) -> Result<(), AttributionError> {
    if deadline <= now {
        return Err(AttributionError::DeadlineInPast(shown.to_owned()));
    }
    if deadline - now > Duration::days(MAX_CERTIFICATE_DAYS) {
        return Err(AttributionError::DeadlineTooFar {
            max: MAX_CERTIFICATE_DAYS,
        });
    }
    Ok(())
}

/// The labels of the certificates still missing.
#[must_use]
pub fn missing(certs: &[Certificate]) -> Vec<&str> {
    certs
        .iter()
        .filter(|c| c.received_on.is_none())
        .map(|c| c.label.as_str())
        .collect()
}

/// Whether the offer may be rejected for missing certificates: the deadline has passed and at
/// least one certificate is missing (R2144-7: « son offre est rejetée » and the next-ranked
/// bidder is asked).
///
/// # Errors
/// [`AttributionError::DeadlineNotPassed`], [`AttributionError::NothingMissing`].
pub fn may_declare_failure(
    certs: &[Certificate],
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    shown: &str,
) -> Result<(), AttributionError> {
    if missing(certs).is_empty() {
        return Err(AttributionError::NothingMissing);
    }
    if now <= deadline {
        return Err(AttributionError::DeadlineNotPassed(shown.to_owned()));
    }
    Ok(())
}

/// The next bidder to ask after failures (R2144-7, R2181-7): the best-ranked pli that has not
/// failed yet. `ranking` lists pli ids in rank order (ties already broken by the caller).
#[must_use]
pub fn next_ranked(ranking: &[i32], failed: &[i32]) -> Option<i32> {
    ranking.iter().copied().find(|p| !failed.contains(p))
}

/// Whether the signature may happen on `today` (R2182-1): when a standstill applies, from the
/// day after its last day (`earliest`), sending day counted as day 1; no standstill for a
/// MAPA or a single tenderer (R2182-2), signalled by `earliest == None` with `applies ==
/// false`.
///
/// # Errors
/// The French reason: letters not sent yet, or the standstill still running.
pub fn signature_gate(
    applies: bool,
    letters_sent: bool,
    earliest: Option<NaiveDate>,
    last_day: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), String> {
    if !letters_sent {
        return Err("les lettres de rejet (NOTI3) n'ont pas été envoyées : le délai de suspension n'a pas commencé (R2181-1, R2182-1).".into());
    }
    if !applies {
        return Ok(());
    }
    match (earliest, last_day) {
        (Some(e), Some(l)) if today < e => Err(format!(
            "le délai de suspension court jusqu'au {} inclus : le marché ne peut être signé qu'à compter du {} (R2182-1).",
            crate::calendar::french_date(l),
            crate::calendar::french_date(e)
        )),
        (Some(_), _) => Ok(()),
        _ => Err("la date de fin du délai de suspension est incalculable : complétez le calendrier de la consultation (R2182-1).".into()),
    }
}

/// The standstill of rejection letters sent on `sent_on` (R2182-1): 11 days when sent
/// electronically, 16 otherwise, the sending day counting as day 1 (DAJ; CE 2 août 2011
/// n° 347526): sending on 28 December by post, last day 12 January, signature from 13 January.
/// The durations are the dated parameters in force on `reference` (launch of the consultation).
///
/// # Errors
/// No parameter in force on `reference` (French).
pub fn standstill(
    sent_on: NaiveDate,
    electronic: bool,
    reference: NaiveDate,
) -> Result<super::letters::StandstillDates, String> {
    use crate::consultations::rules::params;
    let series = if electronic {
        &params::STANDSTILL_ELECTRONIC
    } else {
        &params::STANDSTILL_OTHER
    };
    let days = series.at(reference).map_err(|e| e.to_string())?.value;
    Ok(super::letters::StandstillDates {
        electronic,
        days,
        sent_on,
        ends_on: crate::calendar::add_calendar_days(sent_on, i64::from(days) - 1),
        signature_from: crate::calendar::add_calendar_days(sent_on, i64::from(days)),
        exempt: None,
    })
}

/// The letters' dates when no standstill runs (R2182-2, `why`): the marché may be signed from
/// the day the letters are sent.
#[must_use]
pub fn no_standstill(
    sent_on: NaiveDate,
    electronic: bool,
    why: &'static str,
) -> super::letters::StandstillDates {
    super::letters::StandstillDates {
        electronic,
        days: 0,
        sent_on,
        ends_on: sent_on,
        signature_from: sent_on,
        exempt: Some(why),
    }
}

/// SHA-256 (hex) of an acknowledgement token: only the hash is stored, so the database alone
/// does not allow acknowledging on the titulaire's behalf.
#[must_use]
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Whether `token` has the shape of the tokens Coordo sends (64 lowercase hex digits).
#[must_use]
pub fn token_well_formed(token: &str) -> bool {
    token.len() == 64
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn at(day: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 2, day, h, 0, 0)
            .single()
            .expect("instant")
    }

    #[test]
    fn status_codes_round_trip_and_failure_is_not_current() {
        for s in AttributionStatus::ALL {
            assert_eq!(AttributionStatus::parse(s.code()), Some(s));
        }
        assert_eq!(AttributionStatus::parse("inconnu"), None);
        assert!(!AttributionStatus::Defaillante.is_current());
        assert!(AttributionStatus::EnAttentePieces.is_current());
    }

    #[test]
    fn certificates_deadline_bounds() {
        let now = at(10, 10);
        assert_eq!(
            check_certificates_deadline(at(10, 10), now, "10/02/2027"),
            Err(AttributionError::DeadlineInPast("10/02/2027".into()))
        );
        assert!(check_certificates_deadline(at(17, 12), now, "x").is_ok());
        let far = now + Duration::days(31);
        assert_eq!(
            check_certificates_deadline(far, now, "x"),
            Err(AttributionError::DeadlineTooFar { max: 30 })
        );
        let msg = AttributionError::DeadlineInPast("10/02/2027".into()).to_string();
        assert!(msg.contains("R2144-4"), "{msg}");
    }

    #[test]
    fn failure_only_after_deadline_with_something_missing() {
        let mut certs = requested_certificates();
        assert_eq!(certs.len(), 5);
        let deadline = at(17, 12);
        assert_eq!(
            may_declare_failure(&certs, deadline, at(17, 12), "17/02"),
            Err(AttributionError::DeadlineNotPassed("17/02".into()))
        );
        assert!(may_declare_failure(&certs, deadline, at(17, 13), "17/02").is_ok());
        for c in &mut certs {
            c.received_on = Some(d(2027, 2, 15));
        }
        assert!(missing(&certs).is_empty());
        assert_eq!(
            may_declare_failure(&certs, deadline, at(20, 9), "17/02"),
            Err(AttributionError::NothingMissing)
        );
    }

    #[test]
    fn cascade_takes_the_best_ranked_not_failed() {
        assert_eq!(next_ranked(&[7, 3, 9], &[]), Some(7));
        assert_eq!(next_ranked(&[7, 3, 9], &[7]), Some(3));
        assert_eq!(next_ranked(&[7, 3, 9], &[7, 3]), Some(9));
        assert_eq!(next_ranked(&[7, 3, 9], &[7, 3, 9]), None);
        assert_eq!(next_ranked(&[], &[]), None);
    }

    #[test]
    fn signature_refused_one_day_before_end_accepted_day_after() {
        // Electronic letters sent Thursday 18 Feb 2027: 11 days, sending day = day 1, last day
        // Sunday 28 Feb, signature from Monday 1 March (R2182-1; DOMAIN §5.3).
        let last = d(2027, 2, 28);
        let first = d(2027, 3, 1);
        let before = signature_gate(true, true, Some(first), Some(last), d(2027, 2, 27));
        let msg = before.expect_err("one day before the end");
        assert!(msg.contains("28 février 2027"), "{msg}");
        assert!(
            msg.contains("1er mars 2027") || msg.contains("1 mars 2027"),
            "{msg}"
        );
        assert!(signature_gate(true, true, Some(first), Some(last), last).is_err());
        assert!(signature_gate(true, true, Some(first), Some(last), first).is_ok());
    }

    #[test]
    fn signature_without_standstill_needs_the_letters_only() {
        assert!(signature_gate(false, true, None, None, d(2027, 2, 18)).is_ok());
        let e = signature_gate(false, false, None, None, d(2027, 2, 18)).expect_err("no letters");
        assert!(e.contains("NOTI3"), "{e}");
        assert!(signature_gate(true, true, None, None, d(2027, 2, 18)).is_err());
    }

    #[test]
    fn standstill_counts_the_sending_day_as_day_one() {
        let post = standstill(d(2026, 12, 28), false, d(2026, 11, 2)).expect("params");
        assert_eq!(
            (post.days, post.ends_on, post.signature_from),
            (16, d(2027, 1, 12), d(2027, 1, 13))
        );
        let mail = standstill(d(2027, 2, 18), true, d(2026, 11, 2)).expect("params");
        assert_eq!(
            (mail.days, mail.ends_on, mail.signature_from),
            (11, d(2027, 2, 28), d(2027, 3, 1))
        );
    }

    #[test]
    fn tokens_are_hashed_and_checked_for_shape() {
        let t = "a".repeat(64);
        assert!(token_well_formed(&t));
        assert!(!token_well_formed(&"A".repeat(64)));
        assert!(!token_well_formed("abc"));
        assert_eq!(token_sha256(&t), token_sha256(&format!(" {t} ")));
        assert_eq!(token_sha256(&t).len(), 64);
        assert_ne!(token_sha256(&t), t);
    }
}
