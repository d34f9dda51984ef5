//! The « Document de référence » page of the groupement (coordonnateur): the version in force,
//! the upload form, the history with downloads, and the return to the built-in look.

use super::Uploaded;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Serialize;
use std::sync::Arc;
use tower_sessions::Session;

/// The upload form was cut or over the size limit.
const UNREADABLE: &str = "Le formulaire d'envoi est incomplet ou dépasse la taille autorisée : déposez un fichier .docx de 5 Mo au plus.";
const COORD: Access = Access::Roles(&[Role::Coordonnateur]);
const PAGE: &str = "/g/{gid}/document-de-reference";

/// Routes of the reference document page.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(Method::GET, PAGE, COORD, get(page)),
        route(Method::POST, PAGE, COORD, post(upload)),
        route(
            Method::POST,
            "/g/{gid}/document-de-reference/retirer",
            COORD,
            post(restore_default),
        ),
        route(
            Method::GET,
            "/g/{gid}/document-de-reference/versions/{n}/fichier",
            COORD,
            get(download),
        ),
    ]
}

#[derive(Serialize)]
struct VersionRow {
    version: i32,
    file_name: Option<String>,
    sha256: Option<String>,
    at: String,
    by: String,
}

#[derive(Serialize)]
struct InForce {
    version: i32,
    file_name: String,
    styles: usize,
    header: bool,
    footer: bool,
    images: usize,
    fonts: String,
}

#[derive(Serialize)]
struct View {
    in_force: Option<InForce>,
    versions: Vec<VersionRow>,
    max_mb: usize,
}

async fn render(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    error: Option<AppError>,
) -> AppResult<Response> {
    let (errors, status) = error.map_or((vec![], StatusCode::OK), |e| (e.messages(), e.status()));
    let history = super::history(&st.db, gid).await?;
    let current = super::current(&st.db, gid).await?;
    let in_force = match (current, history.first()) {
        (Some(r), Some(v)) => {
            let s = r.summary();
            Some(InForce {
                version: v.version,
                file_name: v.file_name.clone().unwrap_or_default(),
                styles: s.styles,
                header: s.header,
                footer: s.footer,
                images: s.images,
                fonts: s.fonts.join(", "),
            })
        }
        _ => None,
    };
    let versions = history
        .into_iter()
        .map(|v| VersionRow {
            version: v.version,
            file_name: v.file_name,
            sha256: v.sha256,
            at: crate::calendar::french_datetime(
                &v.created_at.with_timezone(&chrono_tz::Europe::Paris),
            ),
            by: v.created_by,
        })
        .collect();
    let view = View {
        in_force,
        versions,
        max_mb: crate::docgen::reference::MAX_UPLOAD_BYTES / (1024 * 1024),
    };
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new("Document de référence", Some(user), csrf, view)
        .flash(flash)
        .errors(errors);
    Ok((status, st.templates.page("reference_doc/page", &page)?).into_response())
}

async fn page(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Response> {
    render(&st, &user, &session, gid, None).await
}

async fn upload(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
    form: Multipart,
) -> AppResult<Response> {
    let stored = match crate::web::upload::file_part(form, "fichier", UNREADABLE).await {
        Ok((name, bytes)) => {
            super::upload(&st.db, st.clock.now(), &user.actor(), gid, &name, bytes).await
        }
        Err(e) => Err(e),
    };
    let message = match stored {
        Ok(Uploaded::New(v, s)) => format!(
            "Document de référence enregistré (version {v}) : {} styles{}{}{}. Il s'applique aux prochains documents générés.",
            s.styles,
            if s.header { ", un en-tête" } else { "" },
            if s.footer { ", un pied de page" } else { "" },
            if s.images > 0 {
                format!(", {} image(s)", s.images)
            } else {
                String::new()
            },
        ),
        Ok(Uploaded::Unchanged(v)) => format!(
            "Ce fichier est déjà le document de référence en vigueur (version {v}) : rien n'a changé."
        ),
        Err(e @ AppError::Validation(_)) => {
            return render(&st, &user, &session, gid, Some(e)).await;
        }
        Err(e) => return Err(e),
    };
    security::set_flash(&session, message).await?;
    Ok(Redirect::to(&format!("/g/{gid}/document-de-reference")).into_response())
}

async fn restore_default(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Response> {
    let v = super::restore_default(&st.db, st.clock.now(), &user.actor(), gid).await?;
    security::set_flash(
        &session,
        format!(
            "Présentation par défaut rétablie (version {v}) : les prochains documents générés reprennent la présentation de Coordo."
        ),
    )
    .await?;
    Ok(Redirect::to(&format!("/g/{gid}/document-de-reference")).into_response())
}

async fn download(
    State(st): State<AppState>,
    Path((gid, n)): Path<(i32, String)>,
) -> AppResult<Response> {
    let n: i32 = n.parse().map_err(|_| AppError::NotFound)?;
    let (name, bytes) = super::file(&st.db, gid, n).await?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                crate::mail::DOCX_CONTENT_TYPE.to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
