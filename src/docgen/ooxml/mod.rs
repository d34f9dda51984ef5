//! A small WordprocessingML writer: the parts of a DOCX package written by hand, in the order the
//! ECMA-376 schema requires, then zipped with deflate.
//!
//! Why not docx-rs: it serialises the children of `w:rPr`, `w:pPr`, styles and numbering out of
//! schema order, writes an undeclared `w:type` on grid columns, orphan comments/footnotes parts,
//! no theme, no title or author, no repeated header rows, and stores the archive uncompressed;
//! fixing its output afterwards would mean parsing and re-serialising every part of every
//! document. The engine only needs paragraphs, runs, lists, tables, fields and one section, so
//! writing that subset directly is shorter than a fix-up pass, valid by construction, and fast.

pub mod body;
pub mod package;
pub mod parts;
pub mod xml;

pub use body::{Body, PPr, RPr, Spacing};
pub use package::{Package, zip_parts};
