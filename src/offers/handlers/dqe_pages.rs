//! The DQE page of a pli: the bidder's filled workbook uploaded (coordonnateur), its unit
//! prices shown to those who see the offers, the decision on its material errors.

use super::{back, base, id_of};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::offers::dqe_prices::{self, Uploaded};
use crate::offers::{access, views_dqe};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use std::sync::Arc;
use tower_sessions::Session;

/// The upload form was cut or over the size limit.
const UNREADABLE: &str = "Le formulaire d'envoi est incomplet ou trop volumineux : déposez le classeur DQE (.xlsx) complété.";

fn page_url(gid: i32, cid: i32, pid: i32) -> String {
    format!("{}/plis/{pid}/dqe", base(gid, cid))
}

/// Renders the page, with `errors` (and `status`) after a refused upload or decision.
async fn render(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    (gid, cid, pid): (i32, i32, i32),
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    access::ensure_may_see_offers(user)?;
    let d = dqe_prices::page_data(&st.db, st.clock.now(), gid, cid, pid).await?;
    let view = views_dqe::page(&d, user.role == Role::Coordonnateur);
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new(
        format!("DQE du pli n° {pid} — {}", d.c.reference),
        Some(user),
        csrf,
        view,
    )
    .flash(flash)
    .errors(errors);
    Ok((status, st.templates.page("offers/dqe", &page)?).into_response())
}

pub async fn show(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
) -> AppResult<Response> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    render(
        &st,
        &user,
        &session,
        (gid, cid, pid),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// A refusal shown on the page itself (422 or 409), other errors as their page.
async fn refusal(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    ids: (i32, i32, i32),
    e: AppError,
) -> AppResult<Response> {
    match e {
        AppError::Validation(errs) => {
            let messages = errs.into_values().flatten().collect();
            render(
                st,
                user,
                session,
                ids,
                messages,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        AppError::Conflict(m) => {
            render(st, user, session, ids, vec![m], StatusCode::CONFLICT).await
        }
        e => Err(e),
    }
}

pub async fn upload(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
    form: Multipart,
) -> AppResult<Response> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    let r = match crate::web::upload::file_part(form, "fichier", UNREADABLE).await {
        Ok((name, bytes)) => {
            dqe_prices::upload(
                &st.db,
                st.clock.now(),
                &user.actor(),
                gid,
                cid,
                pid,
                &name,
                &bytes,
            )
            .await
        }
        Err(e) => Err(e),
    };
    let msg = match r {
        Ok(Uploaded::Unchanged) => {
            "Ce classeur est déjà consigné pour ce pli : rien n'a changé.".to_owned()
        }
        Ok(Uploaded::Priced(t)) => format!(
            "DQE consigné. Prix de l'offre : {} HT (total recalculé du DQE).",
            crate::consultations::rules::format_eur(t)
        ),
        Ok(Uploaded::Confirmed(t)) => format!(
            "DQE consigné : son total recalculé ({} HT) est le prix déjà consigné.",
            crate::consultations::rules::format_eur(t)
        ),
        Ok(Uploaded::DecisionRequired(n)) => format!(
            "DQE consigné avec {n} erreur(s) matérielle(s) : aucun prix n'est retenu tant que vous n'avez pas décidé du total."
        ),
        Err(e) => return refusal(&st, &user, &session, (gid, cid, pid), e).await,
    };
    security::set_flash(&session, msg).await?;
    Ok(Redirect::to(&page_url(gid, cid, pid)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    retenu: String,
    motif: String,
}

pub async fn decide(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    match dqe_prices::decide(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        pid,
        &f.retenu,
        &f.motif,
    )
    .await
    {
        Ok((choice, total)) => {
            let msg = format!(
                "Décision enregistrée : {} retenu, {} HT.",
                choice.label(),
                crate::consultations::rules::format_eur(total)
            );
            back(&session, page_url(gid, cid, pid), Ok(msg)).await
        }
        Err(e) => refusal(&st, &user, &session, (gid, cid, pid), e).await,
    }
}
