//! Errors of the document engine, with French messages naming the template, line and field.

use handlebars::{RenderError, RenderErrorReason, TemplateErrorReason};
use serde::Serialize;

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

    /// From a syntax error found when compiling `template`.
    pub fn from_compile(template: &str, e: &handlebars::TemplateError) -> Self {
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
        if let RenderErrorReason::TemplateError(te) = e.reason() {
            return Self::from_compile(template, te);
        }
        TemplateError {
            template: e
                .template_name
                .clone()
                .filter(|n| n != "Unnamed")
                .unwrap_or_else(|| template.to_owned()),
            line: e.line_no,
            column: e.column_no,
            message: render_reason_fr(e.reason()),
        }
    }
}

fn compile_reason_fr(reason: &TemplateErrorReason) -> String {
    match reason {
        TemplateErrorReason::MismatchingClosedHelper(open, close) => {
            format!("le bloc « {{{{#{open}}}}} » est fermé par « {{{{/{close}}}}} »")
        }
        TemplateErrorReason::MismatchingClosedDecorator(open, close) => {
            format!("le décorateur « {open} » est fermé par « {close} »")
        }
        TemplateErrorReason::InvalidSyntax(detail) => {
            format!("syntaxe Handlebars invalide ({})", detail.trim())
        }
        TemplateErrorReason::InvalidParam(p) => format!("paramètre invalide « {p} »"),
        TemplateErrorReason::NestedSubexpression => {
            "sous-expressions imbriquées non prises en charge".to_owned()
        }
        other => format!("erreur de syntaxe : {other}"),
    }
}

fn render_reason_fr(reason: &RenderErrorReason) -> String {
    match reason {
        RenderErrorReason::MissingVariable(Some(path)) => {
            format!("variable inconnue « {path} » (absente du contexte)")
        }
        RenderErrorReason::MissingVariable(None) => {
            "variable inconnue (absente du contexte)".to_owned()
        }
        RenderErrorReason::PartialNotFound(name) | RenderErrorReason::TemplateNotFound(name) => {
            format!("clause ou modèle inconnu « {name} »")
        }
        RenderErrorReason::HelperNotFound(name) => format!("fonction inconnue « {name} »"),
        RenderErrorReason::ParamNotFoundForIndex(helper, index) => {
            format!(
                "la fonction « {helper} » attend un paramètre n° {}",
                index + 1
            )
        }
        RenderErrorReason::ParamNotFoundForName(helper, name) => {
            format!("la fonction « {helper} » attend le paramètre « {name} »")
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
        RenderErrorReason::Other(message) => message.clone(),
        other => format!("erreur de rendu : {other}"),
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
}
