//! The « À faire » page, each person's home: what to do, by when, and where.

use super::rules::{self, Item, Urgency};
use crate::auth::{CurrentUser, Role};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Html;
use axum::routing::get;
use serde::Serialize;
use std::sync::Arc;
use tower_sessions::Session;

/// Route of the to-do page.
pub fn routes() -> Vec<RouteEntry> {
    vec![route(
        Method::GET,
        "/g/{gid}/a-faire",
        Access::AnyUser,
        get(page),
    )]
}

#[derive(Serialize)]
struct Line {
    due: String,
    urgency: Urgency,
    urgency_label: &'static str,
    late: bool,
    what: String,
    basis: &'static str,
    href: String,
    blocked_by: Option<String>,
}

#[derive(Serialize)]
struct View {
    intro: &'static str,
    items: Vec<Line>,
    empty: &'static str,
}

fn intro(role: Role) -> &'static str {
    match role {
        Role::Coordonnateur => {
            "Les échéances des six prochaines semaines de chaque consultation, les visas attendus des membres et les séances de la CAO à convoquer."
        }
        Role::Referent => {
            "Les pièces que votre membre doit viser et les marchés attribués qu'il doit valider par écrit."
        }
        Role::Cao => {
            "Les séances de la CAO où vous siégez, les offres à noter et les procès-verbaux à signer."
        }
        Role::Amoa => "Les analyses des offres en cours.",
        Role::Lecteur => "Votre compte consulte le groupement sans rien avoir à faire.",
    }
}

async fn page(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Html<String>> {
    let today = st.clock.today_paris();
    let items: Vec<Item> = super::for_user(&st.db, &user, gid, today).await?;
    let view = View {
        intro: intro(user.role),
        items: items
            .into_iter()
            .map(|i| {
                let urgency = rules::urgency(i.due, today);
                Line {
                    due: i.due.map(crate::calendar::french_date).unwrap_or_default(),
                    urgency,
                    urgency_label: urgency.label(),
                    late: urgency == Urgency::EnRetard,
                    what: i.what,
                    basis: i.basis,
                    href: i.href,
                    blocked_by: i.blocked_by,
                }
            })
            .collect(),
        empty: "Rien à faire pour l'instant.",
    };
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "todo/list",
        &Page::new("À faire", Some(&user), csrf, view).flash(flash),
    )
}
