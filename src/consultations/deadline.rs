//! The offers deadline after publication: it moves only by a formal extension.
//!
//! - Before publication the deadline is edited with the consultation.
//! - Once published, the date and time limit announced to every candidate is a rule of the
//!   competition (equal treatment, L3; R2143-2 eliminates a pli received after it). It may only
//!   be **extended** (R2151-4: when the consultation documents change significantly, or
//!   for any reason that leaves every candidate the same time), never brought forward, and
//!   only **before it passes**: once it has passed the plis are opened and the competition is
//!   closed — moving it back would unseal offers that came late, or re-seal opened ones.
//! - Each extension is journaled with its reason and announced, in the same transaction, to
//!   every candidate known ([`super::candidates`]: the register of withdrawals, the SAD's
//!   admitted candidates, the tenderers); the journal gives how many were told.

use super::lifecycle::Status;
use super::service::{self as consultations, offers_deadline};
use crate::audit::{self, Actor};
use crate::calendar::{french_datetime, paris_datetime};
use crate::db::entities::consultation;
use crate::error::AppError;
use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};

/// The offers deadline of a consultation as an instant, if fixed.
#[must_use]
pub fn deadline_utc(c: &consultation::Model) -> Option<DateTime<Utc>> {
    offers_deadline(c).map(|d| paris_datetime(d.date(), d.hour(), d.minute()).with_timezone(&Utc))
}

/// French writing of the deadline (« 15 janvier 2027 à 12 h 00 »).
#[must_use]
pub fn deadline_label(c: &consultation::Model) -> String {
    deadline_utc(c).map_or_else(
        || "non fixée".to_owned(),
        |d| french_datetime(&d.with_timezone(&chrono_tz::Europe::Paris)),
    )
}

/// Checks an extension of the offers deadline (pure).
///
/// # Errors
/// A French message naming the rule.
pub fn check_extension(
    status: Status,
    current: Option<DateTime<Utc>>,
    proposed: DateTime<Utc>,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<(), String> {
    if !matches!(status, Status::Publiee) {
        return Err(format!(
            "La consultation est « {} » : la date limite ne se prolonge qu'une fois la consultation publiée et \
             avant que cette date ne passe (avant publication, elle se modifie avec la consultation).",
            status.label()
        ));
    }
    let Some(current) = current else {
        return Err("La consultation publiée n'a pas de date limite de remise des offres.".into());
    };
    if now >= current {
        return Err(
            "La date limite de remise des offres est passée : les plis sont ouverts, elle ne peut plus être \
             déplacée (R2143-2 ; égalité de traitement des candidats)."
                .into(),
        );
    }
    if proposed <= current {
        return Err(
            "Une prolongation repousse la date limite, elle ne l'avance jamais : les candidats ont \
             préparé leur offre pour la date annoncée (R2151-4 ; égalité de traitement)."
                .into(),
        );
    }
    let r = reason.trim().chars().count();
    if !(15..=2000).contains(&r) {
        return Err(
            "Le motif de la prolongation est obligatoire (15 à 2000 caractères), par exemple la \
             modification importante des documents de la consultation (R2151-4)."
                .into(),
        );
    }
    Ok(())
}

/// Extends the offers deadline of a published consultation (coordonnateur), journaled with
/// its reason and announced to every candidate known (withdrawals, SAD admitted, tenderers).
///
/// # Errors
/// `Conflict` when the rule refuses; `Validation` on an unreadable date; database errors.
pub async fn extend(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    proposed: &str,
    reason: &str,
) -> Result<Extended, AppError> {
    let tx = audit::begin(db).await?;
    let done = extend_in(&tx, now, actor, gid, cid, proposed, reason).await?;
    tx.commit().await?;
    Ok(done)
}

/// An extension done: the consultation as updated, and how many candidates were told.
#[derive(Clone, Debug)]
pub struct Extended {
    pub consultation: consultation::Model,
    pub announced_to: usize,
}

/// [`extend`] in the caller's transaction (a modification of the DCE extends the deadline in
/// its own).
///
/// # Errors
/// As [`extend`].
pub async fn extend_in<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    proposed: &str,
    reason: &str,
) -> Result<Extended, AppError> {
    let at = crate::calendar::parse_paris_instant(proposed)
        .map_err(|e| AppError::field("date_limite", e))?;
    let c = consultations::get(tx, gid, cid).await?;
    let status = Status::from_code(&c.status).map_err(|e| anyhow::anyhow!("{e}"))?;
    let current = deadline_utc(&c);
    check_extension(status, current, at, now, reason).map_err(AppError::Conflict)?;
    let before = offers_deadline(&c).map(|d| d.format("%Y-%m-%dT%H:%M").to_string());
    let local: NaiveDateTime = at.with_timezone(&chrono_tz::Europe::Paris).naive_local();
    let after = local.format("%Y-%m-%dT%H:%M").to_string();
    let previous_label = deadline_label(&c);
    let mut a: consultation::ActiveModel = c.into();
    a.offers_deadline = Set(Some(after.clone()));
    a.updated_at = Set(now);
    let row = a.update(tx).await?;
    let new_label = french_datetime(&at.with_timezone(&chrono_tz::Europe::Paris));
    let announced_to = super::candidates::announce(
        tx,
        now,
        actor,
        &row,
        "prolongation_delai",
        &serde_json::json!({
            "previous": previous_label, "deadline": new_label, "reason": reason.trim(),
        }),
    )
    .await?;
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.prolongation_delai",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: serde_json::json!({
                "before": before, "after": after, "motif": reason.trim(),
                "annonce_aux_candidats": announced_to,
                "nouvelle_date_limite": new_label,
            }),
        },
    )
    .await?;
    Ok(Extended {
        consultation: row,
        announced_to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, d, h, 0, 0)
            .single()
            .expect("date")
    }
    const WHY: &str = "CCTP modifié : nouvelle annexe d'interopérabilité";

    #[test]
    fn an_extension_is_later_before_the_deadline_with_a_reason() {
        let cur = Some(t(15, 11));
        assert_eq!(
            check_extension(Status::Publiee, cur, t(22, 11), t(10, 9), WHY),
            Ok(())
        );
        // Earlier: refused (it would unseal the prices).
        let e =
            check_extension(Status::Publiee, cur, t(12, 11), t(10, 9), WHY).expect_err("earlier");
        assert!(e.contains("jamais"), "{e}");
        // Once passed: never.
        let e =
            check_extension(Status::Publiee, cur, t(22, 11), t(15, 11), WHY).expect_err("passed");
        assert!(e.contains("R2143-2"), "{e}");
        // Without reason.
        assert!(check_extension(Status::Publiee, cur, t(22, 11), t(10, 9), "parce que").is_err());
        // Not published (draft, sans suite, closed).
        for s in [Status::Brouillon, Status::SansSuite, Status::RemiseClose] {
            assert!(check_extension(s, cur, t(22, 11), t(10, 9), WHY).is_err());
        }
    }
}
