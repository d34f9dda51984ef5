//! Errors of the document engine, with French messages naming the template, line and field.

use super::explain;
use handlebars::{RenderError, RenderErrorReason, TemplateErrorReason};
use serde::Serialize;
use serde_json::Value;

/// An error in a template (syntax, unknown variable, helper misuse), located by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.describe())]
pub struct TemplateError {
    /// Template name: the kind (`rc`), a clause (`clauses/penalites`) or `brouillon`.
    pub template: String,
    /// 1-based line in that template, when handlebars knows it.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// French description of the problem.
    pub message: String,
}

impl TemplateError {
    fn describe(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!(
                "modèle « {} », ligne {l}, colonne {c} : {}",
                self.template, self.message
            ),
            (Some(l), None) => {
                format!("modèle « {} », ligne {l} : {}", self.template, self.message)
            }
            _ => format!("modèle « {} » : {}", self.template, self.message),
        }
    }

    /// « Ligne 3, colonne 12 : … »: the message located in its own template, for the clause
    /// editor (the template name is the page's).
    pub fn located(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("Ligne {l}, colonne {c} : {}", self.message),
            (Some(l), None) => format!("Ligne {l} : {}", self.message),
            _ => capitalise(&self.message),
        }
    }

    /// From a syntax error found when compiling `template` (source unknown: the position is
    /// handlebars').
    pub fn from_compile(template: &str, e: &handlebars::TemplateError) -> Self {
        Self::from_compile_in(template, None, e)
    }

    /// From a syntax error found when compiling `source` as `template`: the source is scanned
    /// for the usual mistakes to locate them where they are made (see [`explain`]).
    pub fn from_compile_in(
        template: &str,
        source: Option<&str>,
        e: &handlebars::TemplateError,
    ) -> Self {
        tracing::info!(template, error = %e, "template compile error");
        if let Some(found) = source.and_then(explain::diagnose_syntax) {
            return TemplateError {
                template: template.to_owned(),
                line: Some(found.line),
                column: Some(found.column),
                message: found.message,
            };
        }
        let (line, column) = e.pos().map_or((None, None), |(l, c)| (Some(l), Some(c)));
        TemplateError {
            template: template.to_owned(),
            line,
            column,
            message: compile_reason_fr(e.reason()),
        }
    }

    /// From an error raised while rendering `template` (or one of its clauses).
    pub fn from_render(template: &str, e: &RenderError) -> Self {
        Self::from_render_in(template, None, None, e)
    }

    /// As [`Self::from_render`], with the source (to locate syntax errors) and the context
    /// (to list the variables available next to an unknown one) when known.
    pub fn from_render_in(
        template: &str,
        source: Option<&str>,
        ctx: Option<&Value>,
        e: &RenderError,
    ) -> Self {
        if let RenderErrorReason::TemplateError(te) = e.reason() {
            return Self::from_compile_in(template, source, te);
        }
        tracing::info!(template, error = %e, "template render error");
        TemplateError {
            template: e
                .template_name
                .clone()
                .filter(|n| n != "Unnamed")
                .unwrap_or_else(|| template.to_owned()),
            line: e.line_no,
            column: e.column_no,
            message: render_reason_fr(e.reason(), ctx),
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().chain(c).collect::<String>()
    })
}

fn compile_reason_fr(reason: &TemplateErrorReason) -> String {
    match reason {
        TemplateErrorReason::MismatchingClosedHelper(open, close) => {
            format!("le bloc « {{{{#{open}}}}} » est fermé par « {{{{/{close}}}}} » au lieu de « {{{{/{open}}}}} »")
        }
        TemplateErrorReason::MismatchingClosedDecorator(open, close) => {
            format!("le décorateur « {open} » est fermé par « {close} »")
        }
        TemplateErrorReason::InvalidParam(p) => format!("paramètre invalide « {p} »"),
        TemplateErrorReason::NestedSubexpression => {
            "sous-expressions imbriquées non prises en charge".to_owned()
        }
        // The parser's own words (« expected escape, expression… ») stay in the log.
        _ => "syntaxe incorrecte — vérifiez les accolades « {{ }} », les blocs « {{#…}} … {{/…}} » et les guillemets".to_owned(),
    }
}

fn render_reason_fr(reason: &RenderErrorReason, ctx: Option<&Value>) -> String {
    match reason {
        RenderErrorReason::MissingVariable(path) => explain::missing_variable(path.as_deref(), ctx),
        RenderErrorReason::PartialNotFound(name) | RenderErrorReason::TemplateNotFound(name) => {
            format!("clause ou modèle inconnu « {name} »")
        }
        RenderErrorReason::PartialBlockNotFound => "bloc de clause introuvable".to_owned(),
        RenderErrorReason::HelperNotFound(name) | RenderErrorReason::DecoratorNotFound(name) => {
            explain::unknown_function(name)
        }
        RenderErrorReason::ParamNotFoundForIndex(helper, index) => {
            format!(
                "la fonction « {helper} » attend un paramètre n° {}",
                index + 1
            )
        }
        RenderErrorReason::ParamNotFoundForName(helper, name) => {
            format!("la fonction « {helper} » attend le paramètre « {name} »")
        }
        RenderErrorReason::ParamTypeMismatchForName(helper, name, expected)
        | RenderErrorReason::HashTypeMismatchForName(helper, name, expected) => {
            format!("la fonction « {helper} » attend pour « {name} » une valeur de type {expected}")
        }
        RenderErrorReason::InvalidParamType(expected) => {
            format!("type de paramètre invalide ({expected} attendu)")
        }
        RenderErrorReason::InvalidJsonPath(path) => format!("chemin invalide « {path} »"),
        RenderErrorReason::InvalidJsonIndex(idx) => {
            format!("une liste ne s'indexe pas par un nom ({idx})")
        }
        RenderErrorReason::CannotIncludeSelf => {
            "un modèle ne peut pas s'inclure lui-même".to_owned()
        }
        RenderErrorReason::BlockContentRequired => "ce bloc doit avoir un contenu".to_owned(),
        // The helpers of this crate word their errors in French.
        RenderErrorReason::Other(message) => message.clone(),
        // Anything else is the engine's own failure, its English in the log only.
        _ => "erreur interne lors de la mise en forme de la clause".to_owned(),
    }
}

/// Error of the document engine.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// A template or clause error located by line.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The context is larger than the configured limit.
    #[error("contexte trop volumineux : {size} octets (maximum autorisé : {max} octets)")]
    ContextTooLarge { size: usize, max: usize },
    /// A clause source is larger than the configured limit.
    #[error("clause « {name} » trop volumineuse : {size} octets (maximum autorisé : {max} octets)")]
    ClauseTooLarge {
        name: String,
        size: usize,
        max: usize,
    },
    /// An override names a clause that does not exist.
    #[error("clause inconnue « {name} » (clauses disponibles : {available})")]
    UnknownClause { name: String, available: String },
    /// A field the engine itself reads (title page, BPU totals) is missing or invalid.
    #[error("contexte, champ « {field} » : {message}")]
    Context { field: String, message: String },
    /// docx-rs failed to write the package.
    #[error("échec de l'écriture du fichier DOCX : {0}")]
    Docx(String),
}

impl DocError {
    /// A context error on `field`.
    pub fn context(field: impl Into<String>, message: impl Into<String>) -> Self {
        DocError::Context {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The located template error, if this is one (for the clause editor).
    pub fn as_template_error(&self) -> Option<&TemplateError> {
        match self {
            DocError::Template(t) => Some(t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_error_displays_template_and_line_in_french() {
        let e = TemplateError {
            template: "rc".into(),
            line: Some(12),
            column: None,
            message: "variable inconnue « consultation.objet »".into(),
        };
        assert_eq!(
            e.to_string(),
            "modèle « rc », ligne 12 : variable inconnue « consultation.objet »"
        );
    }

    #[test]
    fn compile_error_keeps_its_position() {
        let src = "ligne 1\nligne 2 {{#if a}}\nligne 3";
        let err = handlebars::Template::compile(src).unwrap_err();
        let e = TemplateError::from_compile("clauses/penalites", &err);
        assert_eq!(e.template, "clauses/penalites");
        assert!(e.line.is_some(), "{e:?}");
    }

    fn compile_error(src: &str) -> TemplateError {
        let err = handlebars::Template::compile(src).unwrap_err();
        TemplateError::from_compile_in("clauses/penalites", Some(src), &err)
    }

    fn render_error(src: &str, ctx: &Value) -> TemplateError {
        let mut hb = handlebars::Handlebars::new();
        hb.set_strict_mode(true);
        super::super::helpers::register(&mut hb);
        let err = hb.render_template(src, ctx).unwrap_err();
        TemplateError::from_render_in("clauses/penalites", Some(src), Some(ctx), &err)
    }

    /// No English from handlebars reaches the message.
    fn assert_french(e: &TemplateError) {
        for english in [
            "expected",
            "invalid ",
            "Failed",
            "helper",
            "not found",
            "Error",
        ] {
            assert!(!e.message.contains(english), "{e:?}");
        }
    }

    #[test]
    fn broken_clauses_are_explained_in_french_with_their_line() {
        let e = compile_error("Un\nDeux\nLe délai : {{ccap.payment_days jours.");
        assert_eq!(
            e.located(),
            "Ligne 3, colonne 12 : accolades non fermées — chaque « {{ » doit être fermé par « }} »"
        );
        assert_french(&e);

        let e = compile_error("Un\nDeux {{#if ccap.retention}}\nTrois");
        assert_eq!(
            e.located(),
            "Ligne 2, colonne 6 : bloc « {{#if}} » ouvert ici et jamais fermé par « {{/if}} »"
        );
        assert_french(&e);

        let e = compile_error("{{#each ccap.penalties}}\n{{event}}\n{{/if}}");
        assert_eq!(e.line, Some(3), "{e:?}");
        assert_french(&e);

        let e = compile_error("Texte {{ ! }} {{a b=}}");
        assert_french(&e);
        assert!(e.line.is_some(), "{e:?}");
    }

    #[test]
    fn render_errors_are_explained_in_french_with_their_line() {
        let ctx = serde_json::json!({"lot": {"number": 1, "title": "DUI"}});
        let e = render_error("Un\n\n\n\nMontant : {{lot.montant}}", &ctx);
        assert_eq!(
            e.located(),
            "Ligne 5, colonne 11 : variable inconnue « lot.montant » — variables disponibles : lot.number, lot.title"
        );
        assert_french(&e);

        let e = render_error("Un\n{{montant_en_lettres lot.number}}", &ctx);
        assert_eq!(e.line, Some(2), "{e:?}");
        assert!(e.message.contains("montant_en_lettres"), "{e:?}");
        assert_french(&e);

        let e = render_error("{{#bloc_inconnu lot.number}}x{{/bloc_inconnu}}", &ctx);
        assert!(
            e.message.contains("fonction inconnue « bloc_inconnu »"),
            "{e:?}"
        );
        assert_french(&e);
    }
}
