//! The document engine: Handlebars (strict mode) → Markdown → DOCX.

use super::error::{DocError, TemplateError};
use super::reference::ReferenceDoc;
use super::templates::{clause_names, clause_partial_name, default_clause, template_source};
use super::{DocKind, bpu, docx, helpers, html, markdown, meta::DocMeta};
use handlebars::Handlebars;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Size limits on what users can feed the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest context, as serialized JSON (default 2 MiB).
    pub max_context_bytes: usize,
    /// Largest clause or template source checked or overridden (default 100 KiB).
    pub max_clause_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_context_bytes: 2 * 1024 * 1024,
            max_clause_bytes: 100 * 1024,
        }
    }
}

/// A generated document: the Markdown (for preview and hashing) and the DOCX bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDoc {
    pub markdown: String,
    pub docx: Vec<u8>,
}

/// What a groupement or a consultation changes in its documents: clause sources (clause name →
/// source, see [`clause_names`]) and the reference document (styles and letterhead).
#[derive(Debug, Clone, Default)]
pub struct Look {
    pub clauses: BTreeMap<String, String>,
    pub reference: Option<Arc<ReferenceDoc>>,
}

/// Built once (templates compiled, helpers and clauses registered), then shared (`Send + Sync`).
#[derive(Debug, Clone)]
pub struct DocEngine {
    hb: Handlebars<'static>,
    limits: Limits,
}

/// Name under which [`DocEngine::check_template`] reports errors.
pub const DRAFT_NAME: &str = "brouillon";

/// Escapes text coming from the context so that it cannot add Markdown formatting: marks are
/// backslash-escaped, a leading list or heading marker is neutralised, and line breaks become
/// spaces (a value is inline text; multi-paragraph content is a list iterated by the template).
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    // Leading "-", "+", "=" or "12." / "12)" would start a list or a heading underline.
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if out.is_empty() => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if at_start && !out.is_empty() => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
        at_start = at_start && c.is_ascii_digit() && chars.peek().is_some();
    }
    out
}

/// Size of `v` serialized as JSON, without allocating it.
fn json_size(v: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    // Writing into a counter cannot fail.
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

impl DocEngine {
    /// Engine with the default [`Limits`].
    ///
    /// # Errors
    /// A [`TemplateError`] if an embedded template or clause does not compile.
    pub fn new() -> Result<Self, DocError> {
        Self::with_limits(Limits::default())
    }

    /// Engine with custom limits.
    ///
    /// # Errors
    /// A [`TemplateError`] if an embedded template or clause does not compile.
    pub fn with_limits(limits: Limits) -> Result<Self, DocError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.set_prevent_indent(true);
        hb.register_escape_fn(escape_markdown);
        helpers::register(&mut hb);
        for kind in DocKind::ALL {
            hb.register_template_string(kind.as_str(), template_source(kind))
                .map_err(|e| TemplateError::from_compile(kind.as_str(), &e))?;
        }
        for name in clause_names() {
            let partial = clause_partial_name(name);
            hb.register_partial(&partial, default_clause(name).unwrap_or_default())
                .map_err(|e| TemplateError::from_compile(&partial, &e))?;
        }
        Ok(DocEngine { hb, limits })
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn check_context(&self, ctx: &Value) -> Result<(), DocError> {
        let size = json_size(ctx);
        if size > self.limits.max_context_bytes {
            return Err(DocError::ContextTooLarge {
                size,
                max: self.limits.max_context_bytes,
            });
        }
        if !ctx.is_object() {
            return Err(DocError::context(
                "(racine)",
                "le contexte doit être un objet JSON",
            ));
        }
        Ok(())
    }

    fn check_source_size(&self, name: &str, source: &str) -> Result<(), DocError> {
        if source.len() > self.limits.max_clause_bytes {
            return Err(DocError::ClauseTooLarge {
                name: name.to_owned(),
                size: source.len(),
                max: self.limits.max_clause_bytes,
            });
        }
        Ok(())
    }

    /// The registry with the consultation's clause overrides (cloned only when there are some).
    fn registry(
        &self,
        overrides: &BTreeMap<String, String>,
    ) -> Result<Cow<'_, Handlebars<'static>>, DocError> {
        if overrides.is_empty() {
            return Ok(Cow::Borrowed(&self.hb));
        }
        let mut hb = self.hb.clone();
        for (name, source) in overrides {
            if default_clause(name).is_none() {
                return Err(DocError::UnknownClause {
                    name: name.clone(),
                    available: clause_names().join(", "),
                });
            }
            self.check_source_size(name, source)?;
            let partial = clause_partial_name(name);
            hb.register_partial(&partial, source)
                .map_err(|e| TemplateError::from_compile_in(&partial, Some(source), &e))?;
        }
        Ok(Cow::Owned(hb))
    }

    /// Renders the Markdown of a `kind` document. `clause_overrides` maps a clause name to the
    /// consultation's own source (see [`clause_names`]).
    ///
    /// # Errors
    /// [`DocError::Template`] (template, line, French message) for a syntax error, an unknown
    /// variable (strict mode) or a helper error; size limits; unknown clause; BPU data errors.
    pub fn render_markdown(
        &self,
        kind: DocKind,
        ctx: &Value,
        clause_overrides: &BTreeMap<String, String>,
    ) -> Result<String, DocError> {
        self.check_context(ctx)?;
        let prepared: Cow<'_, Value> = match kind {
            DocKind::Bpu => Cow::Owned(bpu::with_totals(ctx)?),
            _ => Cow::Borrowed(ctx),
        };
        let hb = self.registry(clause_overrides)?;
        hb.render(kind.as_str(), prepared.as_ref()).map_err(|e| {
            TemplateError::from_render_in(kind.as_str(), None, Some(prepared.as_ref()), &e).into()
        })
    }

    /// Renders the Markdown then the DOCX (title page or letterhead, header, footer), with the
    /// clauses and the reference document of `look`.
    ///
    /// # Errors
    /// As [`Self::render_markdown`], plus [`DocError::Context`] for a missing title-page field
    /// (see [`super::meta`]) and [`DocError::Docx`].
    pub fn render_docx(
        &self,
        kind: DocKind,
        ctx: &Value,
        look: &Look,
    ) -> Result<RenderedDoc, DocError> {
        let markdown = self.render_markdown(kind, ctx, &look.clauses)?;
        let meta = DocMeta::from_context(kind, ctx)?;
        let docx = docx::build(
            &markdown::parse(&markdown),
            &meta,
            look.reference.as_deref(),
        )?;
        Ok(RenderedDoc { markdown, docx })
    }

    /// Checks a template or clause source before it is saved: syntax, then a render against
    /// `ctx` in strict mode (an unknown variable is reported with its line). Only the branches
    /// that `ctx` selects are rendered, so check with a complete example context.
    ///
    /// # Errors
    /// [`DocError::Template`] named [`DRAFT_NAME`], or a size error.
    pub fn check_template(&self, source: &str, ctx: &Value) -> Result<(), DocError> {
        self.check_named_template(DRAFT_NAME, source, ctx)
    }

    /// As [`Self::check_template`], reporting errors under `name` (e.g. `clauses/penalites`).
    ///
    /// # Errors
    /// [`DocError::Template`] named `name`, or a size error.
    pub fn check_named_template(
        &self,
        name: &str,
        source: &str,
        ctx: &Value,
    ) -> Result<(), DocError> {
        self.render_named_template(name, source, ctx).map(|_| ())
    }

    /// Renders a template or clause source on its own against `ctx` (strict mode, size limits),
    /// for the clause editor's preview; errors are reported under `name` as by
    /// [`Self::check_named_template`].
    ///
    /// # Errors
    /// [`DocError::Template`] named `name`, or a size error.
    pub fn render_named_template(
        &self,
        name: &str,
        source: &str,
        ctx: &Value,
    ) -> Result<String, DocError> {
        self.check_source_size(name, source)?;
        self.check_context(ctx)?;
        let mut hb = self.hb.clone();
        hb.register_template_string(name, source)
            .map_err(|e| TemplateError::from_compile_in(name, Some(source), &e))?;
        hb.render(name, ctx)
            .map_err(|e| TemplateError::from_render_in(name, Some(source), Some(ctx), &e).into())
    }

    /// HTML preview of rendered Markdown (raw HTML escaped); see [`html::markdown_to_html`].
    pub fn markdown_to_html(md: &str) -> String {
        html::markdown_to_html(md)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markdown_in_values() {
        assert_eq!(escape_markdown("A | B *x* <b>"), "A \\| B \\*x\\* \\<b\\>");
        assert_eq!(escape_markdown("- tiret"), "\\- tiret");
        assert_eq!(escape_markdown("12. douze"), "12\\. douze");
        assert_eq!(escape_markdown("3,5 % et 2. non"), "3,5 % et 2. non");
        assert_eq!(escape_markdown("48000000-8"), "48000000-8");
        assert_eq!(escape_markdown("ligne\r\nsuite"), "ligne suite");
        assert_eq!(escape_markdown("SSIAD d'Ardres"), "SSIAD d'Ardres");
    }

    #[test]
    fn json_size_counts_serialized_bytes() {
        let v = serde_json::json!({"a": "é"});
        assert_eq!(json_size(&v), serde_json::to_vec(&v).unwrap().len());
    }

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<DocEngine>();
    }
}
