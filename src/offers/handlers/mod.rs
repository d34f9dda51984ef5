//! Pages and API of the offers: thin adapters over the services of [`super`]. Every route is
//! closed to référents and lecteurs (only the coordonnateur, the AMOA and the CAO see offers);
//! finer rules (seal, blind scoring, président) are checked by the services.

mod api;
mod dqe_pages;
mod files;
mod pages;
mod platform_pages;
mod scoring_pages;

use crate::auth::Role;
use crate::error::AppError;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tower_sessions::Session;

/// Those who see the offers once opened.
pub const READERS: Access = Access::Roles(&[Role::Coordonnateur, Role::Amoa, Role::Cao]);
const COORD: Access = Access::Roles(&[Role::Coordonnateur]);
const CAO: Access = Access::Roles(&[Role::Cao]);

const P: &str = "/g/{gid}/consultations/{cid}/offres";

/// Routes of this area.
pub fn routes() -> Vec<RouteEntry> {
    let page = |m: Method, suffix: &'static str, a: Access, h| route(m, suffix, a, h);
    vec![
        page(
            Method::GET,
            "/g/{gid}/consultations/{cid}/offres",
            READERS,
            get(pages::register),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/plis",
            COORD,
            post(pages::add_pli),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/registre-plateforme",
            COORD,
            post(platform_pages::upload),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/registre-plateforme/import",
            COORD,
            post(platform_pages::confirm),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/plis/{id}/prix",
            COORD,
            post(pages::price),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/plis/{id}/rectification",
            COORD,
            post(pages::rectify),
        ),
        page(
            Method::GET,
            "/g/{gid}/consultations/{cid}/offres/plis/{id}/dqe",
            READERS,
            get(dqe_pages::show),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/plis/{id}/dqe",
            COORD,
            post(dqe_pages::upload),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/plis/{id}/dqe/decision",
            COORD,
            post(dqe_pages::decide),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/plis/{id}/candidature",
            COORD,
            post(pages::candidature),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/plis/{id}/examen",
            COORD,
            post(pages::examine),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/plis/{id}/oab",
            COORD,
            post(pages::oab),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/methode-oab",
            COORD,
            post(pages::oab_method),
        ),
        page(
            Method::GET,
            "/g/{gid}/consultations/{cid}/offres/criteres",
            READERS,
            get(pages::criteria),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/criteres",
            COORD,
            post(pages::save_criteria),
        ),
        page(
            Method::GET,
            "/g/{gid}/consultations/{cid}/offres/notation",
            READERS,
            get(scoring_pages::notation),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/notation",
            CAO,
            post(scoring_pages::save_notes),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/notation/remise",
            CAO,
            post(scoring_pages::submit),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/notation/conflit",
            CAO,
            post(scoring_pages::conflict),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/notation/{id}/reouverture",
            CAO,
            post(scoring_pages::reopen),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/consensus",
            CAO,
            post(scoring_pages::consensus),
        ),
        page(
            Method::POST,
            "/g/{gid}/consultations/{cid}/offres/classement/ouvrir",
            COORD,
            post(scoring_pages::force),
        ),
        page(
            Method::GET,
            "/g/{gid}/consultations/{cid}/offres/classement",
            READERS,
            get(scoring_pages::ranking),
        ),
        page(
            Method::GET,
            "/g/{gid}/consultations/{cid}/offres/rapport.docx",
            READERS,
            get(files::report),
        ),
        page(
            Method::GET,
            "/g/{gid}/consultations/{cid}/offres/pv-ouverture.docx",
            COORD,
            get(files::opening),
        ),
        page(
            Method::GET,
            "/g/{gid}/consultations/{cid}/offres/grille.csv",
            READERS,
            get(files::csv),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres",
            READERS,
            get(api::register),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/plis",
            COORD,
            post(api::add_pli),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/plis/{id}/prix",
            COORD,
            post(api::price),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/plis/{id}/rectification",
            COORD,
            post(api::rectify),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/criteres",
            READERS,
            get(api::criteria),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/criteres",
            COORD,
            post(api::save_criteria),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/notes",
            READERS,
            get(api::notes),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/notes",
            CAO,
            post(api::save_notes),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/notes/remise",
            CAO,
            post(api::submit),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/conflits",
            CAO,
            post(api::declare_conflict),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/consultations/{cid}/offres/classement",
            READERS,
            get(api::ranking),
        ),
    ]
}

fn id_of(s: &str) -> Result<i32, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn base(gid: i32, cid: i32) -> String {
    P.replace("{gid}", &gid.to_string())
        .replace("{cid}", &cid.to_string())
}

/// Flash message then back to `to` (303); an error is shown as its French page.
async fn back(
    session: &Session,
    to: String,
    r: Result<String, AppError>,
) -> Result<Response, AppError> {
    let msg = r?;
    security::set_flash(session, msg).await?;
    Ok(Redirect::to(&to).into_response())
}

/// Reads a form as its list of fields (`note_12_3`, `label_4`…).
fn fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}
