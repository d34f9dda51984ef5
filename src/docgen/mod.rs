//! Document engine of the « Pièces du marché »: every piece of the DCE and every letter is a
//! Handlebars-over-Markdown template (`documents/<kind>.md.hbs`, embedded in the binary) rendered
//! in strict mode, then laid out as a real DOCX ([`ooxml`], valid against the ECMA-376 schema).
//!
//! The coordonnateur (CCAS de Wattrelos) drafts the pièces for all members, each with every
//! member's prior visa (convention art. 5.4 and 6.2); the visa slip is itself a kind
//! ([`DocKind::BordereauVisas`]) carrying the SHA-256 of the version visaed.
//!
//! Pipeline: (1) Handlebars → Markdown ([`DocEngine::render_markdown`]; errors located by
//! template and line, in French); (2) Markdown → blocks ([`markdown`]) → DOCX ([`docx`],
//! [`layout`]): title page, table of contents ([`toc`]), Heading1..3, lists, bordered tables,
//! header with the consultation reference, footer « Page X / Y », French typography
//! ([`typography`]). Same input → same bytes (core dates come from the context, zip entries
//! carry the fixed 1980 timestamp and a fixed deflate level).

pub mod bpu;
pub mod docx;
pub mod dqe;
pub mod dqe_read;
pub mod engine;
pub mod error;
pub mod explain;
pub mod format;
pub mod helpers;
pub mod html;
pub mod kind;
pub mod layout;
pub mod markdown;
pub mod meta;
pub mod noti3;
pub mod ooxml;
pub mod reference;
pub mod templates;
pub mod toc;
pub mod typography;
pub mod words;

pub use engine::{DocEngine, Limits, Look, RenderedDoc, escape_markdown};
pub use error::{DocError, TemplateError};
pub use html::markdown_to_html;
pub use kind::{DocKind, UnknownKind};
pub use noti3::check_noti3_mentions;
pub use reference::ReferenceDoc;
pub use templates::{
    ClauseInfo, clause_catalogue, clause_info, clause_names, default_clause, example_context,
};
