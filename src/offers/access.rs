//! Who may see the offers, and the seal of the plis until the offers deadline.
//!
//! - The plis stay sealed until the date and time limit of receipt fixed in the consultation
//!   documents (equal treatment, L3 CCP; the profil d'acheteur keeps them encrypted until then):
//!   before it nobody can see or enter their content or price, and the register shows only how
//!   many plis were received and when. A pli received after the limit is eliminated unopened
//!   (R2143-2); « 12 h 00 » means 12:00:00, a pli at 12:00:29 is late (TA Versailles,
//!   8 février 2023, n° 2300644), so a pli received exactly at the limit is on time.
//! - Once opened, only those who analyse or choose the offers see them: the coordonnateur (who
//!   runs the procedure for the members, convention art. 5.4), the AMOA (analysis, consultative
//!   voice) and the members of the CAO (CGCT L1414-2). A member's référent or a lecteur never does.
//! - The deadline is a Paris wall-clock time (`consultations::service::offers_deadline`),
//!   compared with the injected clock as an instant.

use crate::auth::{CaoSeat, CurrentUser, Role};
use crate::db::entities::consultation;
use crate::error::AppError;
use chrono::{DateTime, Utc};

pub use crate::consultations::deadline::{deadline_label, deadline_utc};

/// Whether the plis may be opened at `now` (deadline fixed and reached).
#[must_use]
pub fn is_opened(c: &consultation::Model, now: DateTime<Utc>) -> bool {
    deadline_utc(c).is_some_and(|d| now >= d)
}

/// Refuses any access to the content of the plis before the deadline (409, French reason).
///
/// # Errors
/// `Conflict` while the plis are sealed or when no deadline is fixed.
pub fn ensure_opened(c: &consultation::Model, now: DateTime<Utc>) -> Result<(), AppError> {
    match deadline_utc(c) {
        None => Err(AppError::Conflict(
            "La date limite de remise des offres n'est pas fixée : les plis restent scellés."
                .into(),
        )),
        Some(_) if !is_opened(c, now) => Err(AppError::Conflict(format!(
            "Les plis sont scellés jusqu'à la date limite de remise des offres ({}) : \
             ni leur contenu ni leur prix ne peuvent être consultés ou saisis avant cette date.",
            deadline_label(c)
        ))),
        Some(_) => Ok(()),
    }
}

/// Whether `user` may see the offers once opened: coordonnateur, AMOA, CAO.
#[must_use]
pub fn may_see_offers(user: &CurrentUser) -> bool {
    user.role.sees_offers()
}

/// Refuses a caller who is not among those who analyse or choose the offers.
///
/// # Errors
/// `Forbidden` for a référent, a lecteur.
pub fn ensure_may_see_offers(user: &CurrentUser) -> Result<(), AppError> {
    if may_see_offers(user) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "les offres ne sont accessibles qu'au coordonnateur, à l'AMOA et aux membres de la CAO"
                .into(),
        ))
    }
}

/// Whether `user` scores the offers. Every `cao` account of the groupement may score
/// (titulaire, suppléant or président): the tool does not check who sits at a given séance.
#[must_use]
pub fn is_evaluator(user: &CurrentUser) -> bool {
    user.role == Role::Cao
}

/// Whether `user` presides the CAO (the coordonnateur's representative, CGCT L1414-3).
#[must_use]
pub fn is_president(user: &CurrentUser) -> bool {
    user.role == Role::Cao && user.cao_seat == Some(CaoSeat::President)
}

/// Refuses a caller who is not the président of the CAO.
///
/// # Errors
/// `Forbidden`.
pub fn ensure_president(user: &CurrentUser) -> Result<(), AppError> {
    if is_president(user) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "cette décision revient au président de la CAO".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn consultation(deadline: Option<&str>) -> consultation::Model {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .expect("date");
        consultation::Model {
            id: 1,
            groupement_id: 1,
            reference: "R".into(),
            objet: "O".into(),
            nature: "services".into(),
            cpv: "48000000-8".into(),
            ccag: "tic".into(),
            vat_rate: "20".into(),
            status: "publiee".into(),
            procedure_chosen: None,
            procedure_justification: None,
            launch_date: None,
            publication_date: None,
            offers_deadline: deadline.map(str::to_owned),
            questions_deadline: None,
            offers_validity_days: None,
            electronic: true,
            preinformation: false,
            urgence: false,
            status_motif: None,
            rejection_letters_sent_on: None,
            signed_on: None,
            notified_on: None,
            technique: crate::consultations::rules::technique::Technique::Aucune,
            execution: None,
            attributaires: None,
            sad_reference: None,
            technique_justification: None,
            dce_modification_open: false,
            created_at: at,
            updated_at: at,
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .expect("date")
    }

    #[test]
    fn the_seal_breaks_at_the_paris_deadline_exactly() {
        // 15 January 2027 12:00 in Paris is 11:00 UTC (winter time).
        let c = consultation(Some("2027-01-15T12:00"));
        assert_eq!(deadline_utc(&c), Some(utc(2027, 1, 15, 11, 0, 0)));
        assert!(!is_opened(&c, utc(2027, 1, 15, 10, 59, 59)));
        assert!(is_opened(&c, utc(2027, 1, 15, 11, 0, 0)));
        let e = ensure_opened(&c, utc(2027, 1, 15, 10, 59, 59)).expect_err("sealed");
        assert!(
            e.message().contains("15 janvier 2027 à 12 h 00"),
            "{}",
            e.message()
        );
        assert_eq!(e.status(), axum::http::StatusCode::CONFLICT);
    }

    #[test]
    fn summer_time_deadline_is_two_hours_ahead_of_utc() {
        let c = consultation(Some("2027-06-15T12:00"));
        assert_eq!(deadline_utc(&c), Some(utc(2027, 6, 15, 10, 0, 0)));
    }

    #[test]
    fn without_deadline_the_plis_stay_sealed() {
        let c = consultation(None);
        assert!(!is_opened(&c, utc(2030, 1, 1, 0, 0, 0)));
        assert!(ensure_opened(&c, utc(2030, 1, 1, 0, 0, 0)).is_err());
    }

    fn user(role: Role, seat: Option<CaoSeat>) -> CurrentUser {
        CurrentUser {
            id: 1,
            email: "x@y.fr".into(),
            display_name: "X".into(),
            role,
            groupement_id: Some(1),
            member_id: None,
            cao_seat: seat,
            via_token: false,
            must_change_password: false,
            totp_enabled: false,
        }
    }

    #[test]
    fn only_coordonnateur_amoa_and_cao_see_offers() {
        assert!(may_see_offers(&user(Role::Coordonnateur, None)));
        assert!(may_see_offers(&user(Role::Amoa, None)));
        assert!(may_see_offers(&user(Role::Cao, Some(CaoSeat::Suppleant))));
        assert!(!may_see_offers(&user(Role::Referent, None)));
        assert!(!may_see_offers(&user(Role::Lecteur, None)));
        assert!(is_president(&user(Role::Cao, Some(CaoSeat::President))));
        assert!(!is_president(&user(Role::Cao, Some(CaoSeat::Titulaire))));
        assert!(ensure_president(&user(Role::Coordonnateur, None)).is_err());
    }
}
