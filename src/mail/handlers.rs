//! The outbox page of the coordonnateur: every email of the groupement with where it stands,
//! and the resend button for those `en_echec`.

use super::{AttachmentMeta, Status, outbox};
use crate::auth::{CurrentUser, Role};
use crate::db::entities::mail_message;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{Html, Redirect};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use serde::Serialize;
use std::sync::Arc;
use tower_sessions::Session;

/// Emails shown on the page.
const PAGE_LIMIT: u64 = 300;

/// Routes of this area.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/g/{gid}/courriels",
            Access::Roles(&[Role::Coordonnateur]),
            get(outbox_page),
        ),
        route(
            Method::POST,
            "/g/{gid}/courriels/{id}/renvoyer",
            Access::Roles(&[Role::Coordonnateur]),
            post(resend),
        ),
    ]
}

/// « 23 novembre 2026 à 11 h 00 », Paris time.
fn paris(dt: DateTime<Utc>) -> String {
    crate::calendar::french_datetime(&dt.with_timezone(&Paris))
}

/// Where an email stands, in French: "en attente", "envoyé", "en échec", or
/// « nouvel essai à 11 h 02 » (Paris; with the date when it is not today in Paris).
#[must_use]
pub fn state_label(row: &mail_message::Model, now: DateTime<Utc>) -> String {
    match Status::parse(&row.status) {
        Some(Status::EnAttente) if row.attempts > 0 && row.next_attempt_at > now => {
            let next = row.next_attempt_at.with_timezone(&Paris);
            if next.date_naive() == now.with_timezone(&Paris).date_naive() {
                format!("nouvel essai à {}", crate::calendar::french_time(&next))
            } else {
                format!(
                    "nouvel essai le {}",
                    crate::calendar::french_datetime(&next)
                )
            }
        }
        Some(s) => s.label().to_owned(),
        None => format!("état inconnu ({})", row.status),
    }
}

#[derive(Serialize)]
struct Row {
    id: i32,
    created_at: String,
    kind: String,
    to: String,
    subject: String,
    attachments: String,
    state: String,
    state_class: &'static str,
    attempts: i32,
    sent_at: String,
    last_error: String,
    failed: bool,
}

#[derive(Serialize)]
struct OutboxView {
    rows: Vec<Row>,
    pending: usize,
    sent: usize,
    failed: usize,
    target: String,
}

fn row_view(r: mail_message::Model, now: DateTime<Utc>) -> Row {
    let metas: Vec<AttachmentMeta> = serde_json::from_str(&r.attachments).unwrap_or_default();
    let status = Status::parse(&r.status);
    Row {
        id: r.id,
        created_at: paris(r.created_at),
        state: state_label(&r, now),
        state_class: match status {
            Some(Status::Envoye) => "ok",
            Some(Status::EnEchec) => "error",
            _ => "warn",
        },
        kind: super::kinds::kind_label(&r.kind),
        to: match r.to_name {
            Some(n) => format!("{n} <{}>", r.to_addr),
            None => r.to_addr,
        },
        subject: r.subject,
        attachments: metas
            .iter()
            .map(|m| m.filename.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        attempts: r.attempts,
        sent_at: r.sent_at.map(paris).unwrap_or_default(),
        last_error: r.last_error.unwrap_or_default(),
        failed: status == Some(Status::EnEchec),
    }
}

async fn outbox_page(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Html<String>> {
    let now = st.clock.now();
    let rows = outbox::latest(&st.db, gid, PAGE_LIMIT).await?;
    let count = |s: Status| rows.iter().filter(|r| r.status == s.as_str()).count();
    let view = OutboxView {
        pending: count(Status::EnAttente),
        sent: count(Status::Envoye),
        failed: count(Status::EnEchec),
        target: st.mailer.target().to_owned(),
        rows: rows.into_iter().map(|r| row_view(r, now)).collect(),
    };
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "mail/outbox",
        &Page::new("Courriels", Some(&user), csrf, view).flash(flash),
    )
}

async fn resend(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, id)): Path<(i32, String)>,
) -> AppResult<Redirect> {
    let id: i32 = id.parse().map_err(|_| AppError::NotFound)?;
    let row = outbox::get(&st.db, id)
        .await?
        .filter(|r| r.groupement_id == Some(gid))
        .ok_or(AppError::NotFound)?;
    outbox::resend(&st.db, st.clock.now(), &user.actor(), id).await?;
    security::set_flash(
        &session,
        format!(
            "Le courriel « {} » à {} est remis en file : il partira dans quelques secondes.",
            row.subject, row.to_addr
        ),
    )
    .await?;
    Ok(Redirect::to(&format!("/g/{gid}/courriels")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0)
            .single()
            .expect("date")
    }

    fn row(status: &str, attempts: i32, next: DateTime<Utc>) -> mail_message::Model {
        mail_message::Model {
            id: 1,
            groupement_id: Some(1),
            message_id: "<x@coordo>".into(),
            kind: "noti3".into(),
            to_addr: "a@b.fr".into(),
            to_name: None,
            subject: "s".into(),
            body_text: "t".into(),
            body_html: None,
            attachments: "[]".into(),
            status: status.into(),
            attempts,
            next_attempt_at: next,
            last_error: None,
            created_at: utc(23, 10, 0),
            sent_at: None,
        }
    }

    #[test]
    fn labels_in_french_with_paris_time() {
        let now = utc(23, 10, 0);
        assert_eq!(state_label(&row("en_attente", 0, now), now), "en attente");
        assert_eq!(state_label(&row("envoye", 1, now), now), "envoyé");
        assert_eq!(state_label(&row("en_echec", 8, now), now), "en échec");
        // November: Paris is UTC+1.
        assert_eq!(
            state_label(&row("en_attente", 2, utc(23, 10, 2)), now),
            "nouvel essai à 11 h 02"
        );
        // 23:30 UTC is already the next day in Paris.
        assert_eq!(
            state_label(&row("en_attente", 7, utc(23, 23, 30)), now),
            "nouvel essai le 24 novembre 2026 à 0 h 30"
        );
        // A retry whose time has come is simply waiting.
        assert_eq!(
            state_label(&row("en_attente", 2, utc(23, 9, 0)), now),
            "en attente"
        );
        assert_eq!(
            state_label(&row("perdu", 0, now), now),
            "état inconnu (perdu)"
        );
    }
}
