//! Every refusal of an HTML page (403, 404, 409, 410, 422…) drawn inside the layout: the menu
//! of the caller, the reason in French, and the links that lead on — back to the consultation
//! the refused action belongs to, back to the previous page of this site, or home. A refusal is
//! never a dead end. The API keeps its JSON answers (`error::ApiError`).

use crate::auth::CurrentUser;
use crate::error::{ErrorPage, error_title};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;
use tower_sessions::Session;

#[derive(Serialize)]
struct Link {
    href: String,
    label: String,
}

#[derive(Serialize)]
struct View {
    status: u16,
    message: String,
    links: Vec<Link>,
}

/// The links that lead on from a refusal on `path` (pure).
fn links(path: &str, referer: Option<&str>, status: u16) -> Vec<Link> {
    let mut out = Vec::new();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let ["g", gid, "consultations", cid, rest @ ..] = parts.as_slice()
        && gid.parse::<i32>().is_ok()
        && cid.parse::<i32>().is_ok()
        && (!rest.is_empty() || status != 404)
    {
        out.push(Link {
            href: format!("/g/{gid}/consultations/{cid}"),
            label: "Revenir à la consultation".into(),
        });
    } else if let ["g", gid, ..] = parts.as_slice()
        && gid.parse::<i32>().is_ok()
    {
        out.push(Link {
            href: format!("/g/{gid}/consultations"),
            label: "Voir les consultations".into(),
        });
    }
    // The previous page, when it is one of this site's own paths.
    if let Some(r) = referer
        && let Some(p) = r
            .find("://")
            .and_then(|i| r[i + 3..].find('/').map(|j| &r[i + 3 + j..]))
        && p.starts_with('/')
        && !p.starts_with("//")
        && p != path
    {
        out.push(Link {
            href: p.to_owned(),
            label: "Revenir à la page précédente".into(),
        });
    }
    out.push(Link {
        href: "/".into(),
        label: "Aller au tableau de bord".into(),
    });
    out
}

/// The middleware (inside `security::authenticate`, so the caller is known).
pub async fn error_pages(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let user = req.extensions().get::<Arc<CurrentUser>>().cloned();
    let session = req.extensions().get::<Session>().cloned();
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let resp = next.run(req).await;
    if path.starts_with("/api/") || path.starts_with("/static/") {
        return resp;
    }
    let Some(e) = resp.extensions().get::<ErrorPage>().cloned() else {
        return resp;
    };
    let csrf = match (&user, &session) {
        (Some(_), Some(s)) => security::csrf_token(s).await.unwrap_or_default(),
        _ => String::new(),
    };
    let view = View {
        status: e.status,
        message: e.message,
        links: links(&path, referer.as_deref(), e.status),
    };
    let page = Page::new(error_title(e.status), user.as_deref(), csrf, view);
    match st.templates.page("error", &page) {
        Ok(html) => {
            let mut out = (resp.status(), html).into_response();
            for name in [header::RETRY_AFTER, header::CACHE_CONTROL] {
                if let Some(v) = resp.headers().get(&name) {
                    out.headers_mut().insert(name, v.clone());
                }
            }
            out
        }
        Err(_) => resp,
    }
}

#[cfg(test)]
mod tests {
    use super::links;

    fn hrefs(path: &str, referer: Option<&str>, status: u16) -> Vec<String> {
        links(path, referer, status)
            .into_iter()
            .map(|l| l.href)
            .collect()
    }

    #[test]
    fn a_refused_step_leads_back_to_its_consultation_and_the_previous_page() {
        assert_eq!(
            hrefs(
                "/g/1/consultations/7/classement",
                Some("https://coordo.example/g/1/consultations/7/plis"),
                409
            ),
            ["/g/1/consultations/7", "/g/1/consultations/7/plis", "/"]
        );
        assert_eq!(
            hrefs("/g/1/registre", None, 403),
            ["/g/1/consultations", "/"]
        );
        assert_eq!(hrefs("/nulle-part", None, 404), ["/"]);
        // A foreign or protocol-relative referer is never offered.
        assert_eq!(
            hrefs("/g/1/x", Some("https://evil.example//evil"), 404),
            ["/g/1/consultations", "/"]
        );
        assert_eq!(
            hrefs("/g/1/consultations/9", None, 404),
            ["/g/1/consultations", "/"]
        );
    }
}
