//! The French emails' texts, from the templates of `templates/emails/` (`<name>.txt.hbs`): the
//! first line is the subject, a blank line, then the body. Plain text is rendered without HTML
//! escaping (it is not HTML); the HTML part is derived from it, escaped, one `<p>` per paragraph.

use handlebars::Handlebars;
use serde::Serialize;
use std::sync::OnceLock;

#[derive(rust_embed::RustEmbed)]
#[folder = "templates/emails/"]
struct EmailFiles;

/// A rendered email text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailText {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Errors of the email templates (a bug of a template or of its context).
#[derive(Debug, thiserror::Error)]
pub enum EmailTemplateError {
    #[error("modèles de courriel illisibles : {0}")]
    Load(String),
    #[error("modèle de courriel « {name} » : {message}")]
    Render { name: String, message: String },
    #[error(
        "modèle de courriel « {0} » : la première ligne (l'objet) doit être suivie d'une ligne vide"
    )]
    Shape(String),
}

impl From<EmailTemplateError> for crate::error::AppError {
    fn from(e: EmailTemplateError) -> Self {
        Self::Internal(anyhow::Error::new(e))
    }
}

fn registry() -> Result<&'static Handlebars<'static>, EmailTemplateError> {
    static HB: OnceLock<Result<Handlebars<'static>, String>> = OnceLock::new();
    HB.get_or_init(|| {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        hb.register_embed_templates_with_extension::<EmailFiles>(".txt.hbs")
            .map_err(|e| e.to_string())?;
        Ok(hb)
    })
    .as_ref()
    .map_err(|e| EmailTemplateError::Load(e.clone()))
}

/// Paragraphs of `text` as escaped HTML.
#[must_use]
pub fn html_of(text: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    text.split("\n\n")
        .map(|p| format!("<p>{}</p>", esc(p).replace('\n', "<br>")))
        .collect()
}

/// Renders the email `name` with `ctx`.
///
/// # Errors
/// [`EmailTemplateError`] for an unknown template, a missing variable (strict mode) or a
/// template without its subject line.
pub fn render<T: Serialize>(name: &str, ctx: &T) -> Result<EmailText, EmailTemplateError> {
    let out = registry()?
        .render(name, ctx)
        .map_err(|e| EmailTemplateError::Render {
            name: name.to_owned(),
            message: e.to_string(),
        })?;
    let (subject, body) = out
        .split_once("\n\n")
        .ok_or_else(|| EmailTemplateError::Shape(name.to_owned()))?;
    let text = body.trim().to_owned();
    Ok(EmailText {
        subject: subject.trim().to_owned(),
        html: html_of(&text),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subject_text_and_escaped_html_from_a_template() {
        let ctx = json!({
            "reference": "2026-DUI", "objet": "DUI <b>", "lot": {"number": 1, "title": "Solution"},
            "signature_from": "14 février 2027", "days": 11, "buyer": "CCAS de Wattrelos",
        });
        let e = render("noti3", &ctx).expect("render");
        assert_eq!(
            e.subject,
            "2026-DUI – lot 1 : notification de rejet de votre offre"
        );
        assert!(e.text.starts_with("Madame, Monsieur,"));
        assert!(
            e.text.contains("« DUI <b> » n'a pas été retenue"),
            "{}",
            e.text
        );
        assert!(
            e.text
                .contains("14 février 2027 (délai de suspension de 11 jours")
        );
        assert!(e.text.ends_with("Coordonnateur du groupement de commandes"));
        assert!(e.html.contains("DUI &lt;b&gt;"), "{}", e.html);
        assert!(!e.html.contains("<b>"));
    }

    #[test]
    fn a_missing_variable_or_template_is_an_error() {
        assert!(matches!(
            render("noti3", &json!({"reference": "x"})),
            Err(EmailTemplateError::Render { .. })
        ));
        assert!(render("inconnu", &json!({})).is_err());
    }
}
