//! Questions of the candidates during the consultation, and the answers sent to every
//! candidate known (`candidates::announce`) without naming who asked: equal treatment, and
//! the R2132-6 delay — at the latest six days (four in urgency) before the offers deadline.
//! An answer that comes later needs the deadline extended first (R2151-4 1°), so that every
//! candidate keeps the same time to use it.

use super::candidates;
use super::lifecycle::Status;
use super::service as consultations;
use crate::audit::{self, Actor};
use crate::calendar::french_date;
use crate::db::entities::question;
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;

/// Longest question or answer kept.
pub const MAX_CHARS: usize = 5000;

/// Checks a question or an answer as typed (pure).
///
/// # Errors
/// The French message.
pub fn check_text(what: &str, text: &str) -> Result<String, String> {
    let t = text.trim();
    let n = t.chars().count();
    if n < 5 {
        return Err(format!(
            "{what} est vide ou trop courte (5 caractères au moins)"
        ));
    }
    if n > MAX_CHARS {
        return Err(format!("{what} dépasse {MAX_CHARS} caractères"));
    }
    Ok(t.to_owned())
}

/// Whether an answer may still be sent on `today` (pure): at the latest on `latest`, the last
/// day of R2132-6 computed by the legal calendar.
///
/// # Errors
/// The French reason, with the way out.
pub fn answer_allowed(today: NaiveDate, latest: Option<NaiveDate>) -> Result<(), String> {
    match latest {
        None => Err("La date limite de remise des offres n'est pas fixée : le délai de réponse aux questions est incalculable (R2132-6).".into()),
        Some(l) if today > l => Err(format!(
            "Les réponses aux questions doivent parvenir aux candidats au plus tard le {} (six jours avant la date limite, quatre en urgence : R2132-6). Prolongez d'abord la date limite de remise des offres, d'une durée qui laisse ce délai à chacun (R2151-4 1°), puis envoyez la réponse.",
            french_date(l)
        )),
        Some(_) => Ok(()),
    }
}

/// The questions of a consultation, by number.
///
/// # Errors
/// Database errors.
pub async fn list<C: ConnectionTrait>(db: &C, cid: i32) -> Result<Vec<question::Model>, AppError> {
    Ok(question::Entity::find()
        .filter(question::Column::ConsultationId.eq(cid))
        .order_by_asc(question::Column::Number)
        .all(db)
        .await?)
}

fn published_only(status: &str) -> Result<(), AppError> {
    if status == Status::Publiee.code() {
        Ok(())
    } else {
        Err(AppError::Conflict("Les questions des candidats se reçoivent et se répondent pendant la consultation publiée, avant la date limite de remise des offres.".into()))
    }
}

/// Records a question received (its author is kept for the coordonnateur only; the journal
/// does not name it).
///
/// # Errors
/// `Validation`; `Conflict` when the consultation is not published; database errors.
pub async fn ask(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    asked_by: &str,
    text: &str,
) -> Result<question::Model, AppError> {
    let mut errs = crate::error::FieldErrors::new();
    let who = asked_by.trim();
    if who.is_empty() || who.chars().count() > 200 {
        errs.entry("asked_by".into()).or_default().push(
            "le candidat qui pose la question est obligatoire (200 caractères au plus)".into(),
        );
    }
    let text = check_text("la question", text).unwrap_or_else(|e| {
        errs.entry("text".into()).or_default().push(e);
        String::new()
    });
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    published_only(&c.status)?;
    let number = i32::try_from(list(&tx, cid).await?.len()).unwrap_or(i32::MAX - 1) + 1;
    let row = question::ActiveModel {
        consultation_id: Set(cid),
        number: Set(number),
        asked_by: Set(who.to_owned()),
        asked_on: Set(now.with_timezone(&chrono_tz::Europe::Paris).date_naive()),
        text: Set(text),
        answer: Set(None),
        answered_at: Set(None),
        answered_by: Set(None),
        announced_to: Set(None),
        created_at: Set(now),
        created_by: Set(actor.label.clone()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.question_enregistree",
            entity: "consultation",
            entity_id: cid.to_string(),
            // The author stays out of the journal, which others read while the offers are sealed.
            summary: json!({"numero": number}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Answers question `qid` and sends the question and its answer to every candidate known,
/// without naming who asked. Returns the number of candidates told.
///
/// # Errors
/// `Validation`; `Conflict` (not published, already answered, too late: R2132-6); database
/// errors.
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    qid: i32,
    text: &str,
) -> Result<usize, AppError> {
    let text = check_text("la réponse", text).map_err(|e| AppError::field("answer", e))?;
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let d = consultations::detail(db, gid, cid, today).await?;
    published_only(&d.c.status)?;
    let latest = d
        .calendar
        .as_ref()
        .and_then(|c| c.as_ref().ok())
        .and_then(|c| c.answers_deadline);
    answer_allowed(today, latest).map_err(AppError::Conflict)?;
    let tx = audit::begin(db).await?;
    let q = question::Entity::find_by_id(qid)
        .filter(question::Column::ConsultationId.eq(cid))
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if q.answer.is_some() {
        return Err(AppError::Conflict(format!(
            "La question n° {} a déjà reçu sa réponse, envoyée à tous les candidats : une précision se donne par une nouvelle réponse.",
            q.number
        )));
    }
    let c = consultations::get(&tx, gid, cid).await?;
    let told = candidates::announce(
        &tx,
        now,
        actor,
        &c,
        "reponse_question",
        &json!({
            "number": q.number, "question": q.text, "answer": text,
            "deadline": super::deadline::deadline_label(&c),
        }),
    )
    .await?;
    let number = q.number;
    let mut a: question::ActiveModel = q.into();
    a.answer = Set(Some(text));
    a.answered_at = Set(Some(now));
    a.answered_by = Set(Some(actor.label.clone()));
    a.announced_to = Set(Some(i32::try_from(told).unwrap_or(i32::MAX)));
    a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.question_repondue",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: json!({"numero": number, "envoyee_a": told}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(told)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, day).expect("date")
    }

    #[test]
    fn an_answer_leaves_at_the_latest_on_the_last_day_of_r2132_6() {
        assert!(answer_allowed(d(8), Some(d(8))).is_ok());
        let e = answer_allowed(d(9), Some(d(8))).unwrap_err();
        assert!(e.contains("8 janvier 2027") && e.contains("R2151-4"), "{e}");
        assert!(
            answer_allowed(d(1), None)
                .unwrap_err()
                .contains("incalculable")
        );
    }

    #[test]
    fn questions_and_answers_are_texts_of_reasonable_length() {
        assert_eq!(
            check_text("la question", "  Quel format ?  "),
            Ok("Quel format ?".into())
        );
        assert!(
            check_text("la question", " ok ")
                .unwrap_err()
                .contains("trop courte")
        );
        assert!(
            check_text("la réponse", &"x".repeat(MAX_CHARS + 1))
                .unwrap_err()
                .contains("5000")
        );
    }
}
