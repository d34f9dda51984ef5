//! Last touches on every response: axum's own rejections (plain English text: body too large,
//! unreadable form…) become French pages or JSON, and JSON answers are made HTML-safe (`<`, `>`
//! and `&` escaped as `\u003c`…), so no echoed value can ever be read as markup.

use crate::error::{ApiError, AppError};
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest JSON answer rewritten in memory (bigger ones are left as they are).
const JSON_LIMIT: usize = 8 * 1024 * 1024;

/// The French reason for a status produced by a framework rejection.
#[must_use]
pub fn rejection_message(status: StatusCode) -> String {
    match status.as_u16() {
        413 => "Le contenu envoyé dépasse la taille autorisée.".into(),
        415 => "Type de contenu non pris en charge : envoyez un formulaire ou du JSON.".into(),
        422 => "Les données envoyées ne correspondent pas au formulaire attendu.".into(),
        405 => "Méthode non autorisée pour cette adresse.".into(),
        404 => "Page introuvable.".into(),
        _ => "Requête invalide : les données envoyées ne peuvent pas être lues.".into(),
    }
}

fn is(resp: &Response, prefix: &str) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(prefix))
}

/// Escapes `<`, `>` and `&` inside a JSON text (they only occur inside strings).
#[must_use]
pub fn html_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// The middleware.
pub async fn finish(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    if (status.is_client_error() || status.is_server_error())
        && (is(&resp, "text/plain") || resp.headers().get(header::CONTENT_TYPE).is_none())
    {
        let err = match status {
            StatusCode::NOT_FOUND => AppError::NotFound,
            _ => AppError::BadRequest(rejection_message(status)),
        };
        let mut r = if api {
            ApiError(err).into_response()
        } else {
            err.into_response()
        };
        *r.status_mut() = status;
        return r;
    }
    if is(&resp, "application/json") {
        let (parts, body) = resp.into_parts();
        return match to_bytes(body, JSON_LIMIT).await {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let mut parts = parts;
                parts.headers.remove(header::CONTENT_LENGTH);
                Response::from_parts(parts, Body::from(html_safe_json(&text)))
            }
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_stays_valid_and_loses_its_markup() {
        let v = serde_json::json!({"erreur": "rôle « <script>alert('x')</script> » & co"});
        let safe = html_safe_json(&v.to_string());
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back, v);
    }

    #[test]
    fn rejections_are_french() {
        assert!(rejection_message(StatusCode::PAYLOAD_TOO_LARGE).contains("taille autorisée"));
        assert!(rejection_message(StatusCode::BAD_REQUEST).starts_with("Requête invalide"));
    }
}
