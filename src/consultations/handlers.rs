//! Consultation pages and API: thin adapters over [`super::service`].

use super::model::{self, ConsultationInput, NeedInput};
use super::{service, views};
use crate::auth::{CurrentUser, Role};
use crate::error::{ApiResult, AppError, AppResult, json_body};
use crate::registry::service as registry;
use crate::state::AppState;
use crate::web::cache::DataVersion;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);

/// Routes of this area.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/g/{gid}/consultations",
            Access::AnyUser,
            get(index),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/new",
            COORD,
            get(new_form),
        ),
        route(Method::POST, "/g/{gid}/consultations", COORD, post(create)),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}",
            Access::AnyUser,
            get(show),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/edit",
            COORD,
            get(edit_form),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}",
            COORD,
            post(update),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/lots",
            COORD,
            post(add_lot),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/needs",
            COORD,
            post(set_need),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/procedure",
            COORD,
            post(choose_procedure),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/consultations",
            Access::AnyUser,
            get(api_list),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations",
            COORD,
            post(api_create),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/consultations/{cid}",
            Access::AnyUser,
            get(api_show),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/prolongation",
            COORD,
            post(extend_deadline),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/prolongation",
            COORD,
            post(api_extend_deadline),
        ),
    ]
}

/// A formal extension of the offers deadline (`date_limite` in Paris time, `motif`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ExtensionForm {
    date_limite: String,
    motif: String,
}

async fn extend_deadline(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<ExtensionForm>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = super::deadline::extend(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        &f.date_limite,
        &f.motif,
    )
    .await
    .map(|e| {
        format!(
            "Date limite de remise des offres prolongée : {} ; annonce envoyée à {} candidat(s) connu(s).",
            super::deadline::deadline_label(&e.consultation),
            e.announced_to
        )
    });
    back_with(&session, gid, cid, r).await
}

async fn api_extend_deadline(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    let cid = cid_of(&cid)?;
    let f: ExtensionForm = json_body(&body)?;
    let e = super::deadline::extend(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        &f.date_limite,
        &f.motif,
    )
    .await?;
    Ok(Json(serde_json::json!({
        "date_limite": e.consultation.offers_deadline,
        "annonce_aux_candidats": e.announced_to,
    })))
}

pub(crate) fn cid_of(s: &str) -> Result<i32, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

#[derive(Serialize)]
struct IndexView {
    groups: Vec<views::StateGroup>,
}

async fn index(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Html<String>> {
    let cs = service::list(&st.db, gid).await?;
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "consultations/index",
        &Page::new(
            "Consultations",
            Some(&user),
            csrf,
            IndexView {
                groups: views::by_state(&cs),
            },
        )
        .flash(flash),
    )
}

#[derive(Serialize)]
struct FormView {
    action: String,
    form: ConsultationInput,
    ccags: Vec<(&'static str, &'static str)>,
    creating: bool,
}

fn form_view(action: String, form: ConsultationInput, creating: bool) -> FormView {
    FormView {
        action,
        form,
        ccags: model::Ccag::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        creating,
    }
}

async fn render_form(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    view: FormView,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let csrf = security::csrf_token(session).await?;
    let title = if view.creating {
        "Nouvelle consultation"
    } else {
        "Modifier la consultation"
    };
    let page = Page::new(title, Some(user), csrf, view).errors(errors);
    Ok((status, st.templates.page("consultations/form", &page)?).into_response())
}

async fn new_form(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Response> {
    let form = ConsultationInput {
        vat_rate: "20".into(),
        ccag: "fcs".into(),
        nature: "services".into(),
        offers_deadline_time: "12:00".into(),
        ..Default::default()
    };
    render_form(
        &st,
        &user,
        &session,
        form_view(format!("/g/{gid}/consultations"), form, true),
        vec![],
        StatusCode::OK,
    )
    .await
}

fn messages(e: &AppError) -> Vec<String> {
    e.messages()
}

async fn create(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
    Form(input): Form<ConsultationInput>,
) -> AppResult<Response> {
    let result = match model::validate(&input) {
        Ok(d) => service::create(&st.db, st.clock.now(), &user.actor(), gid, &d).await,
        Err(errs) => Err(AppError::Validation(errs)),
    };
    match result {
        Ok(c) => {
            security::set_flash(&session, format!("Consultation {} créée.", c.reference)).await?;
            Ok(Redirect::to(&format!("/g/{gid}/consultations/{}", c.id)).into_response())
        }
        Err(e @ AppError::Validation(_)) => {
            render_form(
                &st,
                &user,
                &session,
                form_view(format!("/g/{gid}/consultations"), input, true),
                messages(&e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn show(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Extension(version): Extension<DataVersion>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Html<String>> {
    let cid = cid_of(&cid)?;
    let today = st.clock.today_paris();
    let page = st
        .caches
        .consultations
        .get_or_load((gid, cid), (version, today), || async {
            let d = service::detail(&st.db, gid, cid, today).await?;
            let members = registry::members(&st.db, gid)
                .await?
                .into_iter()
                .filter(|m| m.member.withdrawn_on.is_none())
                .map(|m| (m.member.id, m.member.name))
                .collect();
            Ok::<_, AppError>(views::ShowPage {
                title: format!("{} — {}", d.c.reference, d.c.objet),
                view: views::show(&d, members, today),
            })
        })
        .await?;
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "consultations/show",
        &Page::new(page.title.clone(), Some(&user), csrf, &page.view).flash(flash),
    )
}

fn input_of(c: &crate::db::entities::consultation::Model) -> ConsultationInput {
    let deadline = service::offers_deadline(c);
    ConsultationInput {
        reference: c.reference.clone(),
        objet: c.objet.clone(),
        nature: c.nature.clone(),
        cpv: c.cpv.clone(),
        ccag: c.ccag.clone(),
        vat_rate: c.vat_rate.clone(),
        launch_date: c.launch_date.map(|d| d.to_string()).unwrap_or_default(),
        publication_date: c
            .publication_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
        offers_deadline_date: deadline.map(|d| d.date().to_string()).unwrap_or_default(),
        offers_deadline_time: deadline
            .map(|d| d.format("%H:%M").to_string())
            .unwrap_or_default(),
        questions_deadline: c
            .questions_deadline
            .map(|d| d.to_string())
            .unwrap_or_default(),
        offers_validity_days: c
            .offers_validity_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        preinformation: if c.preinformation {
            "on".into()
        } else {
            String::new()
        },
        urgence: if c.urgence {
            "on".into()
        } else {
            String::new()
        },
        paper: if c.electronic {
            String::new()
        } else {
            "on".into()
        },
    }
}

async fn edit_form(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let c = service::get(&st.db, gid, cid).await?;
    render_form(
        &st,
        &user,
        &session,
        form_view(format!("/g/{gid}/consultations/{cid}"), input_of(&c), false),
        vec![],
        StatusCode::OK,
    )
    .await
}

async fn update(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(input): Form<ConsultationInput>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let result = match model::validate(&input) {
        Ok(d) => service::update(&st.db, st.clock.now(), &user.actor(), gid, cid, &d).await,
        Err(errs) => Err(AppError::Validation(errs)),
    };
    match result {
        Ok(_) => {
            security::set_flash(&session, "Consultation enregistrée.").await?;
            Ok(Redirect::to(&format!("/g/{gid}/consultations/{cid}")).into_response())
        }
        Err(e @ AppError::Validation(_)) => {
            render_form(
                &st,
                &user,
                &session,
                form_view(format!("/g/{gid}/consultations/{cid}"), input, false),
                messages(&e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LotForm {
    label: String,
}

pub(crate) async fn back_with(
    session: &Session,
    gid: i32,
    cid: i32,
    result: Result<String, AppError>,
) -> AppResult<Response> {
    match result {
        Ok(msg) => {
            security::set_flash(session, msg).await?;
            Ok(Redirect::to(&format!("/g/{gid}/consultations/{cid}")).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn add_lot(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<LotForm>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = service::add_lot(&st.db, st.clock.now(), &user.actor(), gid, cid, &f.label)
        .await
        .map(|l| format!("Lot {} ajouté.", l.number));
    back_with(&session, gid, cid, r).await
}

async fn set_need(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<NeedInput>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = match model::validate_need(&f) {
        Ok(d) => service::set_need(&st.db, st.clock.now(), &user.actor(), gid, cid, &d)
            .await
            .map(|()| "Besoin enregistré.".to_owned()),
        Err(errs) => Err(AppError::Validation(errs)),
    };
    back_with(&session, gid, cid, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProcedureForm {
    procedure: String,
    justification: String,
}

async fn choose_procedure(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<ProcedureForm>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = service::choose_procedure(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        &f.procedure,
        &f.justification,
    )
    .await
    .map(|w| {
        if w.is_empty() {
            "Procédure choisie et justification enregistrée.".to_owned()
        } else {
            format!("Procédure choisie. Attention : {}", w.join(" "))
        }
    });
    back_with(&session, gid, cid, r).await
}

async fn api_list(
    State(st): State<AppState>,
    Path(gid): Path<i32>,
) -> ApiResult<Json<Vec<views::ListLine>>> {
    let cs = service::list(&st.db, gid).await?;
    Ok(Json(cs.iter().map(views::list_line).collect()))
}

async fn api_create(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path(gid): Path<i32>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<views::ListLine>)> {
    let input: ConsultationInput = json_body(&body)?;
    let d = model::validate(&input).map_err(AppError::Validation)?;
    let c = service::create(&st.db, st.clock.now(), &user.actor(), gid, &d).await?;
    Ok((StatusCode::CREATED, Json(views::list_line(&c))))
}

async fn api_show(
    State(st): State<AppState>,
    Path((gid, cid)): Path<(i32, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let cid = cid_of(&cid)?;
    let today = st.clock.today_paris();
    let d = service::detail(&st.db, gid, cid, today).await?;
    let mut v = serde_json::to_value(views::show(&d, vec![], today)).map_err(anyhow::Error::new)?;
    if let Some(o) = v.as_object_mut() {
        o.remove("timeline_svg");
        o.remove("members");
        o.insert("status".into(), d.status.code().into());
        o.insert("total_ht_exact".into(), d.total_ht.to_string().into());
        o.insert(
            "proposal".into(),
            d.proposal
                .as_ref()
                .ok()
                .map_or(serde_json::Value::Null, |p| {
                    serde_json::to_value(p).unwrap_or_default()
                }),
        );
        o.insert(
            "calendar".into(),
            d.calendar
                .as_ref()
                .and_then(|c| c.as_ref().ok())
                .map_or(serde_json::Value::Null, |c| {
                    serde_json::to_value(c).unwrap_or_default()
                }),
        );
    }
    Ok(Json(v))
}
