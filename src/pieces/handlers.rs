//! Pages and API of the pièces du marché: thin adapters over [`super::service`].

use super::context::{self, dce_kind};
use super::{service, views};
use crate::auth::{CurrentUser, Role};
use crate::consultations::lifecycle::Status;
use crate::consultations::service as consultations;
use crate::dossier::dce_data::{self as data, DceData, FormMap};
use crate::error::{ApiResult, AppError, AppResult};
use crate::registry::service as registry;
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);
const DOCX_MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Routes of this area (the clause library is in [`super::clause_handlers`]).
pub fn routes() -> Vec<RouteEntry> {
    let mut r = vec![
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/pieces",
            Access::AnyUser,
            get(index),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/pieces/generate-all",
            COORD,
            post(generate_all),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/pieces/{kind}",
            Access::AnyUser,
            get(show),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/pieces/{kind}/generate",
            COORD,
            post(generate),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/pieces/{kind}/versions/{n}/docx",
            Access::AnyUser,
            get(download),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/pieces/bpu/versions/{n}/dqe.xlsx",
            Access::AnyUser,
            get(download_dqe),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/dce-data",
            COORD,
            get(data_form),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/dce-data",
            COORD,
            post(save_data),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/consultations/{cid}/pieces",
            Access::AnyUser,
            get(api_list),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/pieces/{kind}/generate",
            COORD,
            post(api_generate),
        ),
    ];
    r.extend(super::clause_handlers::routes());
    r.extend(super::price_line_handlers::routes());
    r
}

pub(super) fn cid_of(s: &str) -> Result<i32, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

pub(super) fn messages(e: &AppError) -> Vec<String> {
    e.messages()
}

async fn index(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    index_page(&st, &user, &session, gid, cid, vec![], StatusCode::OK).await
}

async fn index_page(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    cid: i32,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let c = consultations::get(&st.db, gid, cid).await?;
    let pieces = service::pieces(&st.db, gid, cid).await?;
    let generatable = service::ensure_generatable(&c).is_ok();
    let built = if user.role == Role::Coordonnateur && generatable {
        let facts = crate::dossier::load(&st.db, gid, cid, st.clock.today_paris()).await?;
        Some(context::build(&facts, st.clock.now()))
    } else {
        None
    };
    let label = Status::from_code(&c.status).map_or("", Status::label);
    let saved = service::dce_data_saved(&st.db, cid).await?;
    let view = views::index(gid, &c, label, generatable, &pieces, built.as_ref(), saved);
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new(
        format!("Pièces du marché — {}", c.reference),
        Some(user),
        csrf,
        view,
    )
    .flash(flash)
    .errors(errors);
    Ok((status, st.templates.page("pieces/index", &page)?).into_response())
}

async fn after_generation(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    cid: i32,
    result: Result<String, AppError>,
) -> AppResult<Response> {
    match result {
        Ok(msg) => {
            security::set_flash(session, msg).await?;
            Ok(Redirect::to(&format!("/g/{gid}/consultations/{cid}/pieces")).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let status = e.status();
            index_page(st, user, session, gid, cid, messages(&e), status).await
        }
        Err(e) => Err(e),
    }
}

async fn generate(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, kind)): Path<(i32, String, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let kind = dce_kind(&kind)?;
    let r = service::generate(
        &st.db,
        &st.engine,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        kind,
    )
    .await
    .map(|o| o.message(kind));
    after_generation(&st, &user, &session, gid, cid, r).await
}

async fn generate_all(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = service::generate_dce(&st.db, &st.engine, st.clock.now(), &user.actor(), gid, cid)
        .await
        .map(|all| {
            all.iter()
                .map(|(k, o)| o.message(*k))
                .collect::<Vec<_>>()
                .join(" ")
        });
    after_generation(&st, &user, &session, gid, cid, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CompareQuery {
    v1: String,
    v2: String,
}

async fn show(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, kind)): Path<(i32, String, String)>,
    Query(q): Query<CompareQuery>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let kind = dce_kind(&kind)?;
    let c = consultations::get(&st.db, gid, cid).await?;
    let versions = service::versions(&st.db, gid, cid, kind).await?;
    let mut errors = Vec::new();
    let compare = match (q.v1.trim().parse::<i32>(), q.v2.trim().parse::<i32>()) {
        (Ok(a), Ok(b)) => match service::diff(&st.db, gid, cid, kind, a, b).await {
            Ok(h) => Some((a, b, h)),
            Err(AppError::NotFound) => {
                errors.push(format!(
                    "Les versions {a} et {b} n'existent pas toutes les deux : choisissez parmi les versions listées."
                ));
                None
            }
            Err(e) => return Err(e),
        },
        _ if q.v1.is_empty() && q.v2.is_empty() => None,
        _ => {
            errors.push("Choisissez deux numéros de version à comparer.".into());
            None
        }
    };
    let generatable = service::ensure_generatable(&c).is_ok();
    let view = views::show(gid, &c, kind, &versions, generatable, compare);
    let title = format!("{} — {}", context::short_code(kind), c.reference);
    crate::web::form_page::render(&st, &user, &session, "pieces/show", title, view, errors).await
}

async fn download(
    State(st): State<AppState>,
    Path((gid, cid, kind, n)): Path<(i32, String, String, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let kind = dce_kind(&kind)?;
    let n: i32 = n.parse().map_err(|_| AppError::NotFound)?;
    let d = service::download(&st.db, gid, cid, kind, n).await?;
    Ok((
        [
            (header::CONTENT_TYPE, DOCX_MIME.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", d.file_name),
            ),
            (header::ETAG, format!("\"{}\"", d.sha256)),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
        ],
        d.bytes,
    )
        .into_response())
}

async fn download_dqe(
    State(st): State<AppState>,
    Path((gid, cid, n)): Path<(i32, String, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let n: i32 = n.parse().map_err(|_| AppError::NotFound)?;
    let d = service::dqe_workbook(&st.db, gid, cid, n).await?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX_MIME.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", d.file_name),
            ),
            (header::ETAG, format!("\"{}\"", d.sha256)),
        ],
        d.bytes,
    )
        .into_response())
}

#[derive(Serialize)]
struct EstablishmentRow {
    member: String,
    name: String,
    kind: String,
    finess: String,
    users_key: String,
    devices_key: String,
    tool_key: String,
    users: String,
    devices: String,
    tool: String,
}

#[derive(Serialize)]
struct DataView {
    cid: i32,
    reference: String,
    f: FormMap,
    establishments: Vec<EstablishmentRow>,
}

async fn render_data(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    cid: i32,
    form: FormMap,
    error: Option<AppError>,
) -> AppResult<Response> {
    let (errors, status) = error.map_or((vec![], StatusCode::OK), |e| (messages(&e), e.status()));
    let c = consultations::get(&st.db, gid, cid).await?;
    let members = registry::members(&st.db, gid).await?;
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let establishments = members
        .iter()
        .filter(|m| m.member.withdrawn_on.is_none())
        .flat_map(|m| {
            m.establishments.iter().map(|e| EstablishmentRow {
                member: m.member.name.clone(),
                name: e.name.clone(),
                kind: e.kind.clone(),
                finess: e.finess.clone(),
                users_key: format!("users_{}", e.finess),
                devices_key: format!("devices_{}", e.finess),
                tool_key: format!("tool_{}", e.finess),
                users: field(&format!("users_{}", e.finess)),
                devices: field(&format!("devices_{}", e.finess)),
                tool: field(&format!("tool_{}", e.finess)),
            })
        })
        .collect();
    let mut f = data::to_form(&DceData::default(), &[]);
    f.extend(form);
    let view = DataView {
        cid,
        reference: c.reference.clone(),
        f,
        establishments,
    };
    let csrf = security::csrf_token(session).await?;
    let page = Page::new(
        format!("Données du DCE — {}", c.reference),
        Some(user),
        csrf,
        view,
    )
    .errors(errors);
    Ok((status, st.templates.page("pieces/data", &page)?).into_response())
}

async fn finesses(st: &AppState, gid: i32) -> AppResult<Vec<String>> {
    Ok(registry::members(&st.db, gid)
        .await?
        .iter()
        .filter(|m| m.member.withdrawn_on.is_none())
        .flat_map(|m| m.establishments.iter().map(|e| e.finess.clone()))
        .collect())
}

async fn data_form(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    consultations::get(&st.db, gid, cid).await?;
    let d = if service::dce_data_saved(&st.db, cid).await? {
        service::dce_data(&st.db, cid).await?
    } else {
        DceData::proposal()
    };
    let form = data::to_form(&d, &finesses(&st, gid).await?);
    render_data(&st, &user, &session, gid, cid, form, None).await
}

async fn save_data(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let form: FormMap = pairs
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    let r = match data::from_form(&form, &finesses(&st, gid).await?) {
        Ok(d) => service::save_dce_data(&st.db, st.clock.now(), &user.actor(), gid, cid, &d).await,
        Err(errs) => Err(AppError::Validation(errs)),
    };
    match r {
        Ok(()) => {
            security::set_flash(&session, "Données du DCE enregistrées.").await?;
            Ok(Redirect::to(&format!("/g/{gid}/consultations/{cid}/pieces")).into_response())
        }
        Err(e @ AppError::Validation(_)) => {
            render_data(&st, &user, &session, gid, cid, form, Some(e)).await
        }
        Err(e) => Err(e),
    }
}

async fn api_list(
    State(st): State<AppState>,
    Path((gid, cid)): Path<(i32, String)>,
) -> ApiResult<Json<Vec<views::ApiPiece>>> {
    let cid = cid_of(&cid)?;
    let pieces = service::pieces(&st.db, gid, cid).await?;
    Ok(Json(views::api_pieces(&pieces)))
}

async fn api_generate(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid, kind)): Path<(i32, String, String)>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let cid = cid_of(&cid)?;
    let kind = dce_kind(&kind)?;
    let o = service::generate(
        &st.db,
        &st.engine,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        kind,
    )
    .await?;
    let created = matches!(o, service::Outcome::Created(_));
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(serde_json::json!({
            "kind": kind.as_str(),
            "created": created,
            "message": o.message(kind),
            "version": views::api_version(o.version()),
        })),
    ))
}
