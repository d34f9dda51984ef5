//! Registry pages (dashboard, journal) and the registry API; the member page is in
//! [`super::edit_handlers`].

use super::{service, views};
use crate::auth::{CurrentUser, Role};
use crate::error::{ApiResult, AppError, AppResult};
use crate::state::AppState;
use crate::web::cache::{DataVersion, SharedPage};
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Html;
use axum::routing::get;
use axum::{Extension, Json};
use std::sync::Arc;
use tower_sessions::Session;

/// Routes of this area.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(Method::GET, "/g/{gid}", Access::AnyUser, get(dashboard)),
        route(
            Method::GET,
            "/g/{gid}/journal",
            Access::Roles(&[Role::Coordonnateur]),
            get(journal),
        ),
        route(
            Method::GET,
            "/api/v1/groupements",
            Access::AnyUser,
            get(api_groupements),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}",
            Access::AnyUser,
            get(api_groupement),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/members",
            Access::AnyUser,
            get(api_members),
        ),
    ]
}

async fn dashboard(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Extension(version): Extension<DataVersion>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Html<String>> {
    // The heaviest page (every consultation, the whole registry) shows nothing of the session:
    // its HTML is kept per groupement and role until the data changes.
    let coordonnateur = user.role == Role::Coordonnateur;
    let shown = st
        .caches
        .dashboards
        .get_or_load((gid, coordonnateur), version, || async {
            let view = dashboard_view(&st, gid).await?;
            let html =
                st.templates
                    .shared_content("registry/dashboard", gid, coordonnateur, &view)?;
            Ok::<_, AppError>(SharedPage {
                title: view.name,
                html,
            })
        })
        .await?;
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.around(
        &Page::new(shown.title.clone(), Some(&user), csrf, ()).flash(flash),
        &shown.html,
    )
}

/// The dashboard's data: registry, quality report and consultations (nothing of the caller).
async fn dashboard_view(st: &AppState, gid: i32) -> AppResult<views::DashboardView> {
    let g = service::groupement(&st.db, gid)
        .await?
        .ok_or(AppError::NotFound)?;
    let members = service::members(&st.db, gid).await?;
    let report = service::quality_report(&g, &members).map_err(anyhow::Error::new)?;
    Ok(views::DashboardView {
        name: g.name.clone(),
        legal_basis: g.legal_basis.clone(),
        convention_adopted_on: g
            .convention_adopted_on
            .map(crate::calendar::french_date)
            .unwrap_or_default(),
        member_count: members.len(),
        establishment_count: members.iter().map(|m| m.establishments.len()).sum(),
        members: members.iter().map(views::MemberView::from).collect(),
        consultations: crate::consultations::views::by_state(
            &crate::consultations::service::list(&st.db, gid).await?,
        ),
        finding_count: report.findings.len(),
        findings: views::findings(gid, &report, &views::registry_ids(&members)),
    })
}

async fn journal(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Html<String>> {
    let rows = crate::audit::latest(&st.db, gid, 200).await?;
    let problem = crate::audit::verify(&st.db).await?;
    let view = views::JournalView {
        lines: rows
            .into_iter()
            .map(|r| views::JournalLine {
                id: r.id,
                // Stored in UTC (RFC 3339); read in Paris time.
                at: chrono::DateTime::parse_from_rfc3339(&r.at).map_or_else(
                    |_| r.at.clone(),
                    |t| {
                        crate::calendar::french_datetime(
                            &t.with_timezone(&chrono_tz::Europe::Paris),
                        )
                    },
                ),
                actor: r.actor,
                action: crate::audit::labels::action_label(&r.action),
                code: r.action,
                entity: format!("{} {}", r.entity, r.entity_id),
                summary: r.summary,
            })
            .collect(),
        intact: problem.is_none(),
        problem: problem
            .map(|b| format!("entrée n° {} : {}", b.entry_id, b.reason))
            .unwrap_or_default(),
    };
    let csrf = security::csrf_token(&session).await?;
    st.templates.page(
        "registry/journal",
        &Page::new("Journal d'audit", Some(&user), csrf, view),
    )
}

fn api_groupement_view(g: crate::db::entities::groupement::Model) -> views::GroupementApi {
    views::GroupementApi {
        id: g.id,
        name: g.name,
        legal_basis: g.legal_basis,
        convention_adopted_on: g.convention_adopted_on.map(|d| d.to_string()),
    }
}

async fn api_groupements(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
) -> ApiResult<Json<Vec<views::GroupementApi>>> {
    let all = service::groupements(&st.db).await?;
    Ok(Json(
        all.into_iter()
            .filter(|g| Some(g.id) == user.groupement_id)
            .map(api_groupement_view)
            .collect(),
    ))
}

async fn api_groupement(
    State(st): State<AppState>,
    Path(gid): Path<i32>,
) -> ApiResult<Json<views::GroupementApi>> {
    let g = service::groupement(&st.db, gid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(api_groupement_view(g)))
}

async fn api_members(
    State(st): State<AppState>,
    Path(gid): Path<i32>,
) -> ApiResult<Json<Vec<views::MemberView>>> {
    let members = service::members(&st.db, gid).await?;
    Ok(Json(members.iter().map(views::MemberView::from).collect()))
}
