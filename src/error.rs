//! One error type for the whole service and the one place that maps it to HTTP.
//! Pages get a French HTML page; `/api/` routes get `{"erreur": "…"}` through [`ApiError`].
//! Internal errors are logged with their cause and shown as a generic French message.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

/// Where a page sends an account that must change its password first.
pub const CHANGE_PASSWORD_PAGE: &str = "/compte#mot-de-passe";

/// Field → French messages, for forms re-rendered with a 422.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("Vous devez vous connecter.")]
    Unauthenticated,
    #[error("Accès refusé : {0}")]
    Forbidden(String),
    /// The account's password was published or printed (demo accounts, `coordo user add`):
    /// pages send to « Mon compte », the API answers 403.
    #[error(
        "Vous devez d'abord changer votre mot de passe : celui de votre compte a été publié ou imprimé à sa création. Changez-le sur « Mon compte » (/compte) avant toute autre action."
    )]
    PasswordChangeRequired,
    #[error("Page introuvable.")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("Le formulaire contient des erreurs.")]
    Validation(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyAttempts(String),
    #[error(
        "Le jeton de sécurité du formulaire (CSRF) est absent ou invalide : rechargez la page et recommencez."
    )]
    Csrf,
    #[error("Erreur interne")]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Internal(anyhow::Error::new(e))
    }
}

impl AppError {
    /// A validation error on one field.
    /// The refusal of an uploaded file: its errors (by line and column), all under « fichier ».
    #[must_use]
    pub fn file(messages: Vec<String>) -> Self {
        let mut m = FieldErrors::new();
        m.insert("fichier".to_owned(), messages);
        Self::Validation(m)
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut m = FieldErrors::new();
        m.insert(field.to_owned(), vec![message.into()]);
        Self::Validation(m)
    }

    /// The HTTP status of this error.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::Csrf | Self::PasswordChangeRequired => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The French messages of a form's error list: one per field error, or the message.
    #[must_use]
    pub fn messages(&self) -> Vec<String> {
        match self {
            Self::Validation(errs) => errs.values().flatten().cloned().collect(),
            other => vec![other.message()],
        }
    }

    /// The French message shown to the user.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::Validation(errs) => {
                let details: Vec<String> = errs.values().flatten().cloned().collect();
                format!("Le formulaire contient des erreurs : {}", details.join(" ; "))
            }
            Self::Internal(_) => {
                "Une erreur interne est survenue ; elle a été enregistrée. Réessayez ou contactez l'administrateur.".into()
            }
            other => other.to_string(),
        }
    }

    fn log(&self) {
        if let Self::Internal(e) = self {
            tracing::error!(error = ?e, "erreur interne");
        }
    }
}

/// Escapes text for HTML.
#[must_use]
pub fn escape_html(s: &str) -> String {
    handlebars::html_escape(s)
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, Self::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        if matches!(self, Self::PasswordChangeRequired) {
            return Redirect::to(CHANGE_PASSWORD_PAGE).into_response();
        }
        let status = self.status();
        let body = format!(
            "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{code} — Coordo</title>\
             <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"error\">\
             <h1>{title}</h1><p role=\"alert\">{msg}</p><p><a href=\"/\">Retour au tableau de bord</a></p></main></body></html>",
            code = status.as_u16(),
            title = error_title(status.as_u16()),
            msg = escape_html(&self.message()),
        );
        let mut resp = (status, Html(body)).into_response();
        // The page in the layout (menu, reason, the way on) is drawn by
        // `web::responses::error_pages`, which knows the caller; this bare page is its fallback.
        resp.extensions_mut().insert(ErrorPage {
            status: status.as_u16(),
            message: self.message(),
        });
        resp
    }
}

/// The French title of an error page.
#[must_use]
pub fn error_title(status: u16) -> &'static str {
    match status {
        401 => "Connexion requise",
        403 => "Accès refusé",
        404 => "Page introuvable",
        409 => "Action impossible pour le moment",
        410 => "Lien expiré",
        422 => "Données invalides",
        429 => "Trop de tentatives",
        500 => "Erreur interne",
        _ => "Requête invalide",
    }
}

/// What an HTML error response says, for the page drawn in the layout.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}

/// The same error, rendered as JSON for `/api/v1/`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut body = serde_json::json!({ "erreur": self.0.message() });
        if let AppError::Validation(errs) = &self.0 {
            body["champs"] = serde_json::to_value(errs).unwrap_or_default();
        }
        (self.0.status(), axum::Json(body)).into_response()
    }
}

/// Parses a JSON request body with a French error naming where it is wrong.
///
/// # Errors
/// `BadRequest` with the line and column of the fault.
pub fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "un champ a un type ou une valeur inattendus",
            serde_json::error::Category::Eof => "le document est incomplet",
            _ => "la syntaxe JSON est incorrecte",
        };
        AppError::BadRequest(format!(
            "Corps JSON invalide : {what} (ligne {}, colonne {}).",
            e.line(),
            e.column()
        ))
    })
}

/// Result of page handlers.
pub type AppResult<T> = Result<T, AppError>;
/// Result of API handlers.
pub type ApiResult<T> = Result<T, ApiError>;
