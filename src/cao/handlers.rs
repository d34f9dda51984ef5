//! Composition pages and API of the CAO: thin adapters over [`super::service`]. The séance
//! routes are in [`super::seance_handlers`].

use super::forms::{self, AssignmentInput};
use super::{seances, service, store, views};
use crate::auth::{CurrentUser, Role};
use crate::db::entities::app_user;
use crate::error::{ApiResult, AppError, AppResult};
use crate::registry::service as registry;
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);

/// Routes of the composition and settings (the séances' are appended).
pub fn routes() -> Vec<RouteEntry> {
    let mut r = vec![
        route(Method::GET, "/g/{gid}/cao", Access::AnyUser, get(page)),
        route(
            Method::POST,
            "/g/{gid}/cao/assignments",
            COORD,
            post(add_assignment),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/assignments/{aid}/end",
            COORD,
            post(end_assignment),
        ),
        route(Method::POST, "/g/{gid}/cao/settings", COORD, post(settings)),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/cao/composition",
            Access::AnyUser,
            get(api_composition),
        ),
    ];
    r.extend(super::seance_handlers::routes());
    r
}

/// The `date` of the query (default: today in Paris).
///
/// # Errors
/// `BadRequest` naming the value.
pub fn date_param(q: &HashMap<String, String>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match q.get("date").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(today),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            AppError::BadRequest(format!("La date « {s} » est invalide (AAAA-MM-JJ)."))
        }),
    }
}

async fn composition_view(
    st: &AppState,
    gid: i32,
    date: NaiveDate,
) -> Result<views::CompositionView, AppError> {
    let cao = store::stored_cao(&st.db, gid).await?;
    let comp = cao.composition_at(date).map_err(|e| e.to_string());
    Ok(views::composition(
        &cao,
        comp.as_ref().map_err(Clone::clone),
        date,
    ))
}

async fn render_page(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    date: NaiveDate,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let today = st.clock.today_paris();
    let view = composition_view(st, gid, date).await?;
    let members: Vec<_> = registry::members(&st.db, gid)
        .await?
        .into_iter()
        .map(|m| m.member)
        .collect();
    let users = app_user::Entity::find()
        .filter(app_user::Column::GroupementId.eq(gid))
        .order_by_asc(app_user::Column::Id)
        .all(&st.db)
        .await?;
    let settings = store::settings(&st.db, gid).await?;
    let body = views::composition_page(view, &members, &users, &settings, today);
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new("Commission d'appel d'offres", Some(user), csrf, body)
        .flash(flash)
        .errors(errors);
    Ok((status, st.templates.page("cao/composition", &page)?).into_response())
}

async fn page(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let date = date_param(&q, st.clock.today_paris())?;
    render_page(&st, &user, &session, gid, date, vec![], StatusCode::OK).await
}

fn messages(e: &AppError) -> Vec<String> {
    e.messages()
}

async fn after(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    r: Result<String, AppError>,
) -> AppResult<Response> {
    match r {
        Ok(msg) => {
            security::set_flash(session, msg).await?;
            Ok(Redirect::to(&format!("/g/{gid}/cao")).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let status = e.status();
            let today = st.clock.today_paris();
            render_page(st, user, session, gid, today, messages(&e), status).await
        }
        Err(e) => Err(e),
    }
}

async fn add_assignment(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
    Form(input): Form<AssignmentInput>,
) -> AppResult<Response> {
    let r = match forms::validate_assignment_input(&input) {
        Ok(d) => service::add_assignment(&st.db, st.clock.now(), &user.actor(), gid, &d)
            .await
            .map(|a| format!("Mandat de {} enregistré.", a.person_name)),
        Err(errs) => Err(AppError::Validation(errs)),
    };
    after(&st, &user, &session, gid, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EndForm {
    valid_to: String,
}

async fn end_assignment(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, aid)): Path<(i32, String)>,
    Form(f): Form<EndForm>,
) -> AppResult<Response> {
    let aid: i32 = aid.parse().map_err(|_| AppError::NotFound)?;
    let r = match NaiveDate::parse_from_str(f.valid_to.trim(), "%Y-%m-%d") {
        Ok(d) => service::end_assignment(&st.db, st.clock.now(), &user.actor(), gid, aid, d)
            .await
            .map(|a| {
                format!(
                    "Le mandat de {} prend fin le {}.",
                    a.person_name,
                    crate::calendar::french_date(d)
                )
            }),
        Err(_) => Err(AppError::field(
            "valid_to",
            format!(
                "la fin du mandat « {} » n'est pas une date (AAAA-MM-JJ)",
                f.valid_to.trim()
            ),
        )),
    };
    after(&st, &user, &session, gid, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SettingsForm {
    cao_casting_vote: String,
    convocation_jours_francs: String,
}

async fn settings(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let casting = matches!(f.cao_casting_vote.trim(), "on" | "oui" | "true");
    let r = match f.convocation_jours_francs.trim().parse::<u32>() {
        Ok(j) => service::update_settings(&st.db, st.clock.now(), &user.actor(), gid, casting, j)
            .await
            .map(|s| {
                format!(
                    "Règles de la CAO enregistrées : voix prépondérante du président {} ; convocation {} jours francs avant la séance.",
                    if s.cao_casting_vote { "oui" } else { "non" },
                    s.convocation_jours_francs
                )
            }),
        Err(_) => Err(AppError::field(
            "convocation_jours_francs",
            format!(
                "le délai de convocation « {} » doit être un nombre entier de jours francs",
                f.convocation_jours_francs.trim()
            ),
        )),
    };
    after(&st, &user, &session, gid, r).await
}

async fn api_composition(
    State(st): State<AppState>,
    Path(gid): Path<i32>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<views::CompositionView>> {
    let date = date_param(&q, seances::paris_today(st.clock.now()))?;
    Ok(Json(composition_view(&st, gid, date).await?))
}
