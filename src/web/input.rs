//! One input layer for every form and JSON body (and query string): no control character, no
//! bidirectional override, no over-long value, whatever the route. The areas keep their own
//! validation; this layer only guarantees that what reaches them — and from them the pages,
//! the documents and the e-mail headers — is plain text.
//!
//! A field is multi-line when its name says so ([`is_multiline`]): there `\n`, `\r\n` and tabs
//! are allowed. Everywhere else a line break is refused, because one-line values end up in
//! e-mail headers (a bidder's name in `To:`), file names and table cells.
//!
//! A refused API call answers 422 `{"erreur": "…", "champs": {…}}`. A refused form goes back
//! to the page it came from with the message (the fields must be typed again), or, without a
//! same-site `Referer`, gets a French error page.

use crate::error::{ApiError, AppError, FieldErrors, escape_html};
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Longest one-line value, in characters.
pub const MAX_LINE: usize = 2_000;
/// Longest multi-line value, in characters (a clause, a justification…).
pub const MAX_TEXT: usize = 200_000;
/// Largest body read here (the router refuses more anyway).
const BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Session key of an input error to show on the next page.
const FLASH_ERROR_KEY: &str = "flash_error";

/// Name stems of multi-line fields (textareas of the pages, free text of the API).
const MULTILINE_STEMS: &[&str] = &[
    "comment",
    "motif",
    "observation",
    "justification",
    "body",
    "description",
    "text",
    "source",
    "reason",
    "answer",
    "decision",
    "regularisation",
    "formula",
    "documents",
    "requirements",
    "missions",
    "deliverables",
    "penalties",
    "pieces",
    "bidders",
    "additional",
    "note",
    "message",
    "content",
    "contenu",
    "address",
    "adresse",
];

/// Whether the field `name` may hold several lines.
#[must_use]
pub fn is_multiline(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("just_") || MULTILINE_STEMS.iter().any(|s| n.contains(s))
}

/// What is wrong with one character, if anything.
fn bad_char(c: char, multiline: bool, next: Option<char>) -> Option<&'static str> {
    match c {
        '\n' | '\t' if multiline => None,
        '\r' if multiline && next == Some('\n') => None,
        '\n' | '\r' => Some("ne peut pas contenir de retour à la ligne"),
        '\u{2028}' | '\u{2029}' => Some("contient un séparateur de ligne invisible"),
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}' => Some(
            "contient un caractère invisible de sens d'écriture (qui peut maquiller le texte affiché)",
        ),
        '\u{FFFE}' | '\u{FFFF}' => Some("contient un caractère non valide"),
        c if c.is_control() => Some("contient un caractère de contrôle invisible"),
        _ => None,
    }
}

/// Checks one value of the field `name`.
///
/// # Errors
/// The French reason, without the value.
pub fn check_value(name: &str, value: &str) -> Result<(), String> {
    let multiline = is_multiline(name);
    let max = if multiline { MAX_TEXT } else { MAX_LINE };
    let mut chars = value.chars().peekable();
    let mut n = 0usize;
    while let Some(c) = chars.next() {
        n += 1;
        if let Some(why) = bad_char(c, multiline, chars.peek().copied()) {
            return Err(format!(
                "ce champ {why} (U+{:04X}) : supprimez-le et recommencez",
                u32::from(c)
            ));
        }
    }
    if n > max {
        return Err(format!(
            "ce champ dépasse la longueur autorisée : {n} caractères pour {max} au plus"
        ));
    }
    Ok(())
}

/// A field name as shown in a message: printable and short.
fn shown(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !c.is_control()).take(60).collect();
    if clean.is_empty() {
        "(sans nom)".into()
    } else {
        clean
    }
}

fn check_pair(errs: &mut FieldErrors, name: &str, value: &str) {
    if let Err(e) = check_value("nom de champ", name) {
        errs.entry("(nom de champ)".into()).or_default().push(e);
    }
    if let Err(e) = check_value(name, value) {
        let list = errs.entry(shown(name)).or_default();
        if !list.contains(&e) {
            list.push(e);
        }
    }
}

/// Checks every string of a JSON document, each under its nearest object key.
pub fn check_json(errs: &mut FieldErrors, key: &str, v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => check_pair(errs, key, s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| check_json(errs, key, x)),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                check_json(errs, k, x);
                if !matches!(x, serde_json::Value::String(_)) {
                    check_pair(errs, k, "");
                }
            }
        }
        _ => {}
    }
}

/// Checks an `application/x-www-form-urlencoded` text (body or query string).
pub fn check_form(errs: &mut FieldErrors, bytes: &[u8]) {
    for (k, v) in url::form_urlencoded::parse(bytes) {
        check_pair(errs, &k, &v);
    }
}

fn content_type(req: &Request) -> &str {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The middleware: checks the query and the body, then shows a pending input error on the
/// page the browser is sent back to.
pub async fn check_input(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut errs = FieldErrors::new();
    if let Some(q) = req.uri().query() {
        check_form(&mut errs, q.as_bytes());
    }
    let ct = content_type(&req).to_ascii_lowercase();
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let is_form = ct.starts_with("application/x-www-form-urlencoded");
    let is_json = ct.starts_with("application/json");
    let req = if unsafe_method && (is_form || is_json) {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
            let e = AppError::BadRequest(
                "Le contenu envoyé dépasse la taille autorisée ou n'a pas pu être lu.".into(),
            );
            return if api {
                ApiError(e).into_response()
            } else {
                e.into_response()
            };
        };
        if is_form {
            check_form(&mut errs, &bytes);
        } else if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            // Unreadable JSON is left to the handler, which names the line and column.
            check_json(&mut errs, "", &v);
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    if !errs.is_empty() {
        crate::auth::throttle::count_refusal();
        tracing::warn!(chemin = %req.uri().path(), champs = ?errs.keys().collect::<Vec<_>>(), "saisie refusée (caractères de contrôle ou longueur)");
        return refuse(&state, req, api, errs).await;
    }
    let session = req.extensions().get::<Session>().cloned();
    let is_get = *req.method() == Method::GET;
    let resp = next.run(req).await;
    match session {
        Some(s) if is_get => show_pending_error(&s, resp).await,
        _ => resp,
    }
}

/// The same-site path the form came from, if the browser said.
fn referring_path(req: &Request, base_url: &str) -> Option<String> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let u = url::Url::parse(referer).ok()?;
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    let authority = match u.port() {
        Some(p) => format!("{}:{p}", u.host_str()?),
        None => u.host_str()?.to_owned(),
    };
    let same = authority.eq_ignore_ascii_case(host) || referer.starts_with(base_url);
    let path = u.path();
    (same && path.starts_with('/') && !path.starts_with("//")).then(|| match u.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    })
}

async fn refuse(state: &AppState, req: Request, api: bool, errs: FieldErrors) -> Response {
    let err = AppError::Validation(errs.clone());
    if api {
        return ApiError(err).into_response();
    }
    let session = req.extensions().get::<Session>().cloned();
    let logged_in = match &session {
        Some(s) => s.get_value("user_id").await.ok().flatten().is_some(),
        None => false,
    };
    if let (true, Some(s), Some(back)) = (
        logged_in,
        session,
        referring_path(&req, &state.settings.base_url),
    ) {
        let msgs: Vec<String> = errs
            .iter()
            .flat_map(|(f, m)| m.iter().map(move |m| format!("« {f} » : {m}")))
            .collect();
        if s.insert(FLASH_ERROR_KEY, msgs).await.is_ok() {
            return Redirect::to(&back).into_response();
        }
    }
    err.into_response()
}

/// Puts a pending input error at the top of the page's `<main>` (the layout's carries an id).
async fn show_pending_error(session: &Session, resp: Response) -> Response {
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html || resp.status() != StatusCode::OK {
        return resp;
    }
    // Look first: `remove` would mark every session modified.
    if session
        .get_value(FLASH_ERROR_KEY)
        .await
        .ok()
        .flatten()
        .is_none()
    {
        return resp;
    }
    let Ok(Some(msgs)) = session.remove::<Vec<String>>(FLASH_ERROR_KEY).await else {
        return resp;
    };
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = String::from_utf8_lossy(&bytes);
    let items: String = msgs
        .iter()
        .map(|m| format!("<li>{}</li>", escape_html(m)))
        .collect();
    let block = format!(
        "<div class=\"errors\" role=\"alert\"><p>Le formulaire n'a pas été enregistré :</p><ul>{items}</ul></div>"
    );
    // Just after the opening tag of `<main …>`, whatever its attributes.
    let out = match page
        .find("<main")
        .and_then(|i| page[i..].find('>').map(|j| i + j + 1))
    {
        Some(end) => format!("{}{block}{}", &page[..end], &page[end..]),
        None => page.into_owned(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_line_breaks_only_where_multiline() {
        assert!(check_value("bidder_name", "Evil\r\nBcc: x@y").is_err());
        assert!(check_value("bidder_name", "Société Candidate").is_ok());
        assert!(check_value("comment", "ligne 1\r\nligne 2\n\tfin").is_ok());
        assert!(check_value("comment", "lone\rcarriage").is_err());
        assert!(check_value("just_3_4", "a\nb").is_ok());
        for bad in [
            "a\u{0}b",
            "\u{202E}gpj.exe",
            "x\u{7f}",
            "\u{85}",
            "a\u{2028}b",
            "\u{2066}",
        ] {
            assert!(check_value("comment", bad).is_err(), "{bad:?}");
            assert!(check_value("reference", bad).is_err(), "{bad:?}");
        }
        let e = check_value("reference", "a\u{0}").expect_err("nul");
        assert!(e.contains("U+0000") && e.contains("contrôle"), "{e}");
    }

    #[test]
    fn lengths_are_bounded_by_kind() {
        assert!(check_value("objet", &"x".repeat(MAX_LINE)).is_ok());
        let e = check_value("objet", &"x".repeat(MAX_LINE + 1)).expect_err("long");
        assert!(e.contains("longueur autorisée"), "{e}");
        assert!(check_value("comment", &"x".repeat(MAX_LINE + 1)).is_ok());
        assert!(check_value("comment", &"x".repeat(MAX_TEXT + 1)).is_err());
    }

    #[test]
    fn json_strings_are_checked_under_their_key() {
        let v = serde_json::json!({"name": "ok", "lots": [{"label": "a\u{0}"}], "comment": "a\nb"});
        let mut errs = FieldErrors::new();
        check_json(&mut errs, "", &v);
        assert_eq!(errs.keys().collect::<Vec<_>>(), vec!["label"]);
    }

    /// Every textarea of the pages is a multi-line field: a new textarea whose name matches no
    /// stem would refuse the line breaks its users type.
    #[test]
    fn every_textarea_of_the_templates_is_multiline() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).expect("templates").flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if let Ok(t) = std::fs::read_to_string(&p) {
                    for part in t.split("<textarea name=\"").skip(1) {
                        if let Some(name) = part.split('"').next() {
                            out.push(name.to_owned());
                        }
                    }
                }
            }
        }
        let mut names = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
            &mut names,
        );
        assert!(names.len() > 10, "{names:?}");
        for n in names.iter().filter(|n| !n.starts_with("{{")) {
            assert!(
                is_multiline(n),
                "textarea « {n} » is not a multi-line field"
            );
        }
    }
}
