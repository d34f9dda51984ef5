//! Pages of the attribution area: thin adapters over [`super::service`], [`super::notices`],
//! [`super::notification`] and [`super::after`]; the documents and the public acknowledgement
//! link are in [`super::document_handlers`].

use super::notices;
use super::notification;
use super::{after, service, store, views};
use crate::auth::{CurrentUser, Role};
use crate::consultations::service as consultations;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::Method;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use chrono_tz::Europe::Paris;
use serde::Deserialize;
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);
const PAGE: Access = Access::Roles(&[Role::Coordonnateur, Role::Cao, Role::Amoa, Role::Referent]);
const VALIDATE: Access = Access::Roles(&[Role::Coordonnateur, Role::Referent]);

/// Routes of this area.
pub fn routes() -> Vec<RouteEntry> {
    let mut all = vec![
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/attribution",
            PAGE,
            get(show),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/decider",
            COORD,
            post(decide),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/{aid}/pieces",
            COORD,
            post(certificates),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/{aid}/defaillance",
            COORD,
            post(failure),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/rejets",
            COORD,
            post(rejections),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/validation",
            VALIDATE,
            post(validate),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/signature",
            COORD,
            post(sign),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/notification",
            COORD,
            post(notify),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/avis",
            COORD,
            post(avis),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/pieces-contractuelles",
            COORD,
            post(dispatch),
        ),
    ];
    all.extend(super::document_handlers::routes());
    all.extend(super::signed_handlers::routes());
    all
}

pub(super) fn id_of(s: &str) -> Result<i32, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn page_url(gid: i32, cid: i32) -> String {
    format!("/g/{gid}/consultations/{cid}/attribution")
}

async fn back(session: &Session, gid: i32, cid: i32, msg: String) -> AppResult<Response> {
    security::set_flash(session, msg).await?;
    Ok(Redirect::to(&page_url(gid, cid)).into_response())
}

async fn show(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Html<String>> {
    let cid = id_of(&cid)?;
    let now = st.clock.now();
    let today = now.with_timezone(&Paris).date_naive();
    let d = consultations::detail(&st.db, gid, cid, today).await?;
    // Référents never see the offers (convention art. 6.2): no ranking is loaded for them.
    let rankings = if user.role == Role::Referent {
        Vec::new()
    } else {
        service::rankings(&st.db, gid, cid).await?
    };
    let attributions = store::attributions(&st.db, cid).await?;
    let signed = super::signed::all(&st.db, cid).await?;
    let letters = if user.role == Role::Coordonnateur {
        store::letters(&st.db, cid).await?
    } else {
        Vec::new()
    };
    let members = store::active_members(&st.db, gid, today).await?;
    let validations = store::validations(&st.db, cid).await?;
    let dispatches = store::dispatches(&st.db, cid).await?;
    let facts = store::lifecycle_facts(&st.db, &d.c, today).await?;
    let gate = notices::signature_allowed(&st.db, &d, today).await?;
    let view = views::page(&views::PageInput {
        user: &user,
        d: &d,
        rankings: &rankings,
        attributions: &attributions,
        signed: &signed,
        letters: &letters,
        members: &members,
        validations: &validations,
        dispatches: &dispatches,
        facts: &facts,
        signature_gate: gate,
        now,
    });
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "attribution/show",
        &Page::new(
            format!("Attribution – {}", d.c.reference),
            Some(&user),
            csrf,
            view,
        )
        .flash(flash),
    )
}

async fn decide(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<service::DecideInput>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    service::decide(&st, &user.actor(), gid, cid, &f).await?;
    back(
        &session,
        gid,
        cid,
        "Attribution décidée : le NOTI1 est envoyé à l'attributaire pressenti.".into(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CertificatesForm {
    /// Index of the certificate, or empty for all.
    index: String,
    received_on: String,
}

fn parse_date(field: &str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::field(
            field,
            format!(
                "Date invalide : « {} » (format attendu AAAA-MM-JJ).",
                s.trim()
            ),
        )
    })
}

async fn certificates(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, aid)): Path<(i32, String, String)>,
    Form(f): Form<CertificatesForm>,
) -> AppResult<Response> {
    let (cid, aid) = (id_of(&cid)?, id_of(&aid)?);
    let index = match f.index.trim() {
        "" | "toutes" => None,
        v => Some(
            v.parse::<usize>()
                .map_err(|_| AppError::field("index", "Pièce inconnue."))?,
        ),
    };
    let on = parse_date("received_on", &f.received_on)?;
    let s = service::receive_certificates(&st, &user.actor(), gid, cid, aid, index, on).await?;
    back(
        &session,
        gid,
        cid,
        format!("Réception enregistrée : {}.", s.label()),
    )
    .await
}

async fn failure(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, aid)): Path<(i32, String, String)>,
) -> AppResult<Response> {
    let (cid, aid) = (id_of(&cid)?, id_of(&aid)?);
    service::declare_failure(&st, &user.actor(), gid, cid, aid).await?;
    back(&session, gid, cid, "Offre rejetée faute des pièces demandées (R2144-7) : attribuez le lot au soumissionnaire classé suivant.".into()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RejectionsForm {
    /// `electronique` (default) or `postal`.
    mode: String,
}

async fn rejections(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<RejectionsForm>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let electronic = match f.mode.trim() {
        "" | "electronique" => true,
        "postal" => false,
        other => {
            return Err(AppError::field(
                "mode",
                format!("Mode d'envoi inconnu : « {other} » (electronique ou postal)."),
            ));
        }
    };
    let n = notices::send_rejections(&st, &user.actor(), gid, cid, electronic).await?;
    back(
        &session,
        gid,
        cid,
        format!("{n} lettre(s) de rejet (NOTI3) envoyée(s) : le délai de suspension court."),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ValidationForm {
    member_id: String,
    comment: String,
}

async fn validate(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<ValidationForm>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let mid: i32 = f
        .member_id
        .trim()
        .parse()
        .map_err(|_| AppError::field("member_id", "Membre inconnu."))?;
    notices::validate_member(&st, &user, gid, cid, mid, &f.comment).await?;
    back(
        &session,
        gid,
        cid,
        "Validation écrite du membre enregistrée (convention art. 6.2).".into(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignatureForm {
    signatory_name: String,
    signatory_quality: String,
}

async fn sign(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<SignatureForm>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    notices::sign(
        &st,
        &user.actor(),
        gid,
        cid,
        &f.signatory_name,
        &f.signatory_quality,
    )
    .await?;
    back(
        &session,
        gid,
        cid,
        "Marché signé pour le compte de tous les membres du groupement.".into(),
    )
    .await
}

async fn notify(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let n = notification::notify(&st, &user.actor(), gid, cid).await?;
    back(
        &session,
        gid,
        cid,
        format!("{n} notification(s) (NOTI5) envoyée(s) avec le lien d'accusé de réception."),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AvisForm {
    avis_on: String,
}

async fn avis(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<AvisForm>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let on = parse_date("avis_on", &f.avis_on)?;
    after::avis_published(&st, &user.actor(), gid, cid, on).await?;
    back(
        &session,
        gid,
        cid,
        "Envoi de l'avis d'attribution enregistré.".into(),
    )
    .await
}

async fn dispatch(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let n = after::dispatch_contract(&st, &user.actor(), gid, cid).await?;
    back(
        &session,
        gid,
        cid,
        format!("Pièces contractuelles transmises aux membres : {n} courriel(s)."),
    )
    .await
}
