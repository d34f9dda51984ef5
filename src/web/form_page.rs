//! The common end of a handler that shows a page with a form: the message left by the last
//! action (flash), a fresh CSRF token, and — when a form was refused — its errors with the
//! status 422, so the page is shown again with what was typed.

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tower_sessions::Session;

/// Renders `template` with `view`: 200, or 422 with `errors` shown at the top.
///
/// # Errors
/// Session or template errors.
pub async fn render<T: Serialize>(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    template: &str,
    title: String,
    view: T,
    errors: Vec<String>,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let flash = security::take_flash(session).await?;
    let csrf = security::csrf_token(session).await?;
    let page = Page::new(title, Some(user), csrf, view)
        .flash(flash)
        .errors(errors);
    Ok((status, st.templates.page(template, &page)?).into_response())
}
