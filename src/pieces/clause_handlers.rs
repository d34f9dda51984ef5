//! Pages of the clause library, for the groupement (`/g/{gid}/clauses`) and for one
//! consultation (`/g/{gid}/consultations/{cid}/clauses`): one set of handlers, the scope read
//! from the path.

use super::clause_vars;
use super::clauses::{self, Clause, Origin};
use super::handlers::{cid_of, messages};
use crate::auth::{CurrentUser, Role};
use crate::consultations::service as consultations;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);

const GROUPEMENT_PATHS: [&str; 4] = [
    "/g/{gid}/clauses",
    "/g/{gid}/clauses/{name}",
    "/g/{gid}/clauses/{name}/preview",
    "/g/{gid}/clauses/{name}/reset",
];
const CONSULTATION_PATHS: [&str; 4] = [
    "/g/{gid}/consultations/{cid}/clauses",
    "/g/{gid}/consultations/{cid}/clauses/{name}",
    "/g/{gid}/consultations/{cid}/clauses/{name}/preview",
    "/g/{gid}/consultations/{cid}/clauses/{name}/reset",
];

/// Routes of the clause library (both scopes): list, edit form, save, preview, reset.
pub fn routes() -> Vec<RouteEntry> {
    let mut r = Vec::new();
    for [list_path, one, preview_path, reset_path] in [GROUPEMENT_PATHS, CONSULTATION_PATHS] {
        r.push(route(Method::GET, list_path, COORD, get(list)));
        r.push(route(Method::GET, one, COORD, get(edit)));
        r.push(route(Method::POST, one, COORD, post(save)));
        r.push(route(Method::POST, preview_path, COORD, post(preview)));
        r.push(route(Method::POST, reset_path, COORD, post(reset)));
    }
    r
}

/// The scope of a request: groupement, optional consultation, clause name.
struct Scope {
    gid: i32,
    cid: Option<i32>,
    name: String,
}

impl Scope {
    fn from_path(p: &HashMap<String, String>) -> Result<Self, AppError> {
        let gid = p
            .get("gid")
            .and_then(|g| g.parse().ok())
            .ok_or(AppError::NotFound)?;
        let cid = p.get("cid").map(|c| cid_of(c)).transpose()?;
        Ok(Self {
            gid,
            cid,
            name: p.get("name").cloned().unwrap_or_default(),
        })
    }

    fn base(&self) -> String {
        match self.cid {
            Some(cid) => format!("/g/{}/consultations/{cid}/clauses", self.gid),
            None => format!("/g/{}/clauses", self.gid),
        }
    }
}

/// The French title of a clause (its identifier if unknown, the handler then answers 404).
fn title_of(name: &str) -> &str {
    crate::docgen::clause_info(name).map_or(name, |c| c.title)
}

#[derive(Serialize)]
struct ListRow {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    origin: &'static str,
    modified: bool,
    updated: String,
}

#[derive(Serialize)]
struct ListView {
    base: String,
    scope_label: String,
    consultation_id: Option<i32>,
    rows: Vec<ListRow>,
}

async fn scope_label(st: &AppState, s: &Scope) -> AppResult<String> {
    Ok(match s.cid {
        Some(cid) => format!(
            "consultation {}",
            consultations::get(&st.db, s.gid, cid).await?.reference
        ),
        None => "groupement (toutes ses consultations)".to_owned(),
    })
}

fn updated(c: &Clause, cid: Option<i32>) -> String {
    c.own(cid)
        .map(|o| {
            format!(
                "{} par {}",
                crate::calendar::french_datetime(
                    &o.updated_at.with_timezone(&chrono_tz::Europe::Paris)
                ),
                o.updated_by
            )
        })
        .unwrap_or_default()
}

async fn list(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(p): Path<HashMap<String, String>>,
) -> AppResult<Response> {
    let s = Scope::from_path(&p)?;
    let label = scope_label(&st, &s).await?;
    let rows = clauses::library(&st.db, s.gid, s.cid)
        .await?
        .iter()
        .map(|c| ListRow {
            name: c.name,
            title: c.title,
            description: c.description,
            origin: c.effective().1.label(),
            modified: c.effective().1 != Origin::Default,
            updated: updated(c, s.cid),
        })
        .collect();
    let view = ListView {
        base: s.base(),
        scope_label: label,
        consultation_id: s.cid,
        rows,
    };
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    let page = Page::new("Bibliothèque de clauses", Some(&user), csrf, view).flash(flash);
    Ok(st.templates.page("pieces/clauses", &page)?.into_response())
}

#[derive(Serialize)]
struct EditView {
    base: String,
    scope_label: String,
    consultation_id: Option<i32>,
    name: String,
    title: &'static str,
    description: &'static str,
    origin: &'static str,
    default_source: &'static str,
    groupement_source: Option<String>,
    source: String,
    has_own: bool,
    updated: String,
    preview_html: Option<String>,
    /// Why there is no preview (the text in force does not render against this context).
    preview_error: Option<String>,
    variables: Vec<clause_vars::Variable>,
    max_bytes: usize,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SourceForm {
    source: String,
}

/// What the edit page shows besides the stored clause: the text being edited, its preview,
/// and the error that re-renders it.
#[derive(Default)]
struct Draft {
    source: Option<String>,
    preview_html: Option<String>,
    error: Option<AppError>,
}

async fn render_edit(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    s: &Scope,
    draft: Draft,
) -> AppResult<Response> {
    let Draft {
        source,
        preview_html,
        error,
    } = draft;
    let (errors, status) = error.map_or((vec![], StatusCode::OK), |e| (messages(&e), e.status()));
    let label = scope_label(st, s).await?;
    let c = clauses::clause(&st.db, s.gid, s.cid, &s.name).await?;
    let source = source.unwrap_or_else(|| c.effective().0.to_owned());
    let ctx = clauses::check_context(&st.db, s.gid, s.cid, st.clock.now()).await?;
    // The preview is shown on every load; after a failed save the error says it all.
    let (preview_html, preview_error) = match (preview_html, errors.is_empty()) {
        (Some(html), _) => (Some(html), None),
        (None, false) => (None, None),
        (None, true) => match clauses::preview(&st.engine, &s.name, &source, &ctx) {
            Ok(html) => (Some(html), None),
            Err(e) => (None, messages(&e).into_iter().next()),
        },
    };
    let view = EditView {
        base: s.base(),
        scope_label: label,
        consultation_id: s.cid,
        name: c.name.to_owned(),
        title: c.title,
        description: c.description,
        origin: c.effective().1.label(),
        default_source: c.default_source,
        groupement_source: if s.cid.is_some() {
            c.groupement.as_ref().map(|g| g.source.clone())
        } else {
            None
        },
        source,
        has_own: c.own(s.cid).is_some(),
        updated: updated(&c, s.cid),
        preview_html,
        preview_error,
        variables: clause_vars::available(&ctx),
        max_bytes: st.engine.limits().max_clause_bytes,
    };
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new(format!("Clause « {} »", c.title), Some(user), csrf, view)
        .flash(flash)
        .errors(errors);
    Ok((status, st.templates.page("pieces/clause", &page)?).into_response())
}

async fn edit(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(p): Path<HashMap<String, String>>,
) -> AppResult<Response> {
    let s = Scope::from_path(&p)?;
    render_edit(&st, &user, &session, &s, Draft::default()).await
}

async fn preview(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(p): Path<HashMap<String, String>>,
    Form(f): Form<SourceForm>,
) -> AppResult<Response> {
    let s = Scope::from_path(&p)?;
    clauses::clause(&st.db, s.gid, s.cid, &s.name).await?;
    let ctx = clauses::check_context(&st.db, s.gid, s.cid, st.clock.now()).await?;
    let source = f.source.replace("\r\n", "\n");
    match clauses::preview(&st.engine, &s.name, &source, &ctx) {
        Ok(html) => {
            let draft = Draft {
                source: Some(source),
                preview_html: Some(html),
                error: None,
            };
            render_edit(&st, &user, &session, &s, draft).await
        }
        Err(e @ AppError::Validation(_)) => {
            let draft = Draft {
                source: Some(source),
                preview_html: None,
                error: Some(e),
            };
            render_edit(&st, &user, &session, &s, draft).await
        }
        Err(e) => Err(e),
    }
}

async fn save(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(p): Path<HashMap<String, String>>,
    Form(f): Form<SourceForm>,
) -> AppResult<Response> {
    let s = Scope::from_path(&p)?;
    let r = clauses::save(
        &st.db,
        &st.engine,
        st.clock.now(),
        &user.actor(),
        s.gid,
        s.cid,
        &s.name,
        &f.source,
    )
    .await;
    match r {
        Ok(changed) => {
            let title = title_of(&s.name);
            let msg = if changed {
                format!("Clause « {title} » enregistrée.")
            } else {
                format!("Clause « {title} » inchangée.")
            };
            security::set_flash(&session, msg).await?;
            Ok(Redirect::to(&format!("{}/{}", s.base(), s.name)).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let draft = Draft {
                source: Some(f.source),
                preview_html: None,
                error: Some(e),
            };
            render_edit(&st, &user, &session, &s, draft).await
        }
        Err(e) => Err(e),
    }
}

async fn reset(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(p): Path<HashMap<String, String>>,
) -> AppResult<Response> {
    let s = Scope::from_path(&p)?;
    let had = clauses::reset(&st.db, st.clock.now(), &user.actor(), s.gid, s.cid, &s.name).await?;
    let title = title_of(&s.name);
    let msg = if had {
        format!("Clause « {title} » rétablie.")
    } else {
        format!("La clause « {title} » n'était pas modifiée à ce niveau.")
    };
    security::set_flash(&session, msg).await?;
    Ok(Redirect::to(&format!("{}/{}", s.base(), s.name)).into_response())
}
