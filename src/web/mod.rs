//! The HTTP surface: every route of every area is declared once with its [`Access`], so the
//! router and the authorisation-matrix test read the same table.

pub mod cache;
pub mod csrf;
pub mod error_pages;
pub mod form_page;
pub mod headers;
pub mod input;
pub mod render;
pub mod responses;
pub mod secret;
pub mod security;
pub mod upload;

use crate::auth::session_store::DbSessionStore;
use crate::state::AppState;
use axum::Router;
use axum::http::{Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get};
pub use security::Access;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// One route: its method, path pattern and who may call it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// A declared route with its handler.
pub type RouteEntry = (RouteSpec, MethodRouter<AppState>);

/// Declares a route.
pub fn route(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> RouteEntry {
    (
        RouteSpec {
            method,
            path,
            access,
        },
        handler,
    )
}

fn entries() -> Vec<RouteEntry> {
    let mut all = vec![
        route(Method::GET, "/healthz", Access::Public, get(healthz)),
        route(
            Method::GET,
            "/static/{*file}",
            Access::Public,
            get(static_file),
        ),
    ];
    all.extend(crate::auth::handlers::routes());
    all.extend(crate::auth::account_handlers::routes());
    all.extend(crate::auth::second_factor_handlers::routes());
    all.extend(crate::registry::handlers::routes());
    all.extend(crate::registry::edit_handlers::routes());
    all.extend(crate::consultations::handlers::routes());
    all.extend(crate::consultations::needs_handlers::routes());
    all.extend(crate::transitions::handlers::routes());
    all.extend(crate::transitions::published_handlers::routes());
    all.extend(crate::mail::handlers::routes());
    all.extend(crate::pieces::handlers::routes());
    all.extend(crate::reference_doc::handlers::routes());
    all.extend(crate::cao::handlers::routes());
    all.extend(crate::offers::handlers::routes());
    all.extend(crate::visas::handlers::routes());
    all.extend(crate::attribution::handlers::routes());
    all.extend(crate::archive::handlers::routes());
    all.extend(crate::todo::handlers::routes());
    all.extend(crate::delais::handlers::routes());
    all.extend(crate::techniques::handlers::routes());
    all
}

/// Every route with its access rule, for the authorisation matrix.
#[must_use]
pub fn route_table() -> Vec<RouteSpec> {
    entries().into_iter().map(|(s, _)| s).collect()
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let mut app: Router<AppState> = Router::new();
    for (spec, handler) in entries() {
        let guarded = handler.route_layer(axum::middleware::from_fn_with_state(
            spec.access,
            security::authorize,
        ));
        app = app.route(spec.path, guarded);
    }
    let sessions = SessionManagerLayer::new(DbSessionStore::new(
        state.db.clone(),
        state.caches.sessions.clone(),
    ))
    .with_name("coordo_session")
    .with_http_only(true)
    .with_same_site(SameSite::Lax)
    .with_secure(state.settings.base_url.starts_with("https://"))
    .with_expiry(Expiry::OnInactivity(time::Duration::hours(8)));
    let https = headers::Https(state.settings.base_url.starts_with("https://"));
    // Outermost last: trace, headers, body limit, sessions, French rejections, caller and
    // CSRF, refusals drawn in the layout, then the input check, then each route's access rule.
    app.fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            input::check_input,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error_pages::error_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::authenticate,
        ))
        .layer(axum::middleware::from_fn(responses::finish))
        .layer(sessions)
        .layer(RequestBodyLimitLayer::new(16 * 1024 * 1024))
        .layer(axum::middleware::from_fn_with_state(
            https,
            headers::secure_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

#[derive(rust_embed::RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

async fn static_file(
    axum::extract::Path(file): axum::extract::Path<String>,
) -> axum::response::Response {
    match StaticFiles::get(&file) {
        Some(f) => {
            let mime = match file.rsplit('.').next() {
                Some("css") => "text/css; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, "max-age=3600"),
                ],
                f.data,
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
