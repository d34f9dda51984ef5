//! Line diff of two versions' Markdown sources (pure), shown on the piece's page so that the
//! référents see what changed before giving their visa on the new version.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// One line of the diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// « + » added, « − » removed, « » unchanged context.
    pub sign: &'static str,
    /// `add`, `del` or `ctx` (CSS class).
    pub class: &'static str,
    /// Line number in the older version (removed and context lines).
    pub old_no: Option<usize>,
    /// Line number in the newer version (added and context lines).
    pub new_no: Option<usize>,
    pub text: String,
}

/// A group of changes with up to `context` unchanged lines around it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hunk {
    pub lines: Vec<DiffLine>,
}

/// The changes from `old` to `new`, line by line, grouped with `context` lines around them;
/// empty when the texts are equal.
#[must_use]
pub fn line_diff(old: &str, new: &str, context: usize) -> Vec<Hunk> {
    let diff = TextDiff::from_lines(old, new);
    diff.grouped_ops(context)
        .iter()
        .map(|group| Hunk {
            lines: group
                .iter()
                .flat_map(|op| diff.iter_changes(op))
                .map(|c| {
                    let (sign, class) = match c.tag() {
                        ChangeTag::Insert => ("+", "add"),
                        ChangeTag::Delete => ("−", "del"),
                        ChangeTag::Equal => (" ", "ctx"),
                    };
                    DiffLine {
                        sign,
                        class,
                        old_no: c.old_index().map(|i| i + 1),
                        new_no: c.new_index().map(|i| i + 1),
                        text: c.value().trim_end_matches(['\n', '\r']).to_owned(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// Number of added and removed lines.
#[must_use]
pub fn counts(hunks: &[Hunk]) -> (usize, usize) {
    hunks
        .iter()
        .flat_map(|h| &h.lines)
        .fold((0, 0), |(a, d), l| match l.class {
            "add" => (a + 1, d),
            "del" => (a, d + 1),
            _ => (a, d),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_removed_then_added_with_numbers() {
        let old = "titre\nun\ndeux\ntrois\n";
        let new = "titre\nun\nDEUX\ntrois\n";
        let hunks = line_diff(old, new, 1);
        assert_eq!(hunks.len(), 1);
        let l = &hunks[0].lines;
        assert_eq!(
            l.iter()
                .map(|x| format!("{}{}", x.sign, x.text))
                .collect::<Vec<_>>(),
            vec![" un", "−deux", "+DEUX", " trois"]
        );
        assert_eq!(l[1].old_no, Some(3));
        assert_eq!(l[1].new_no, None);
        assert_eq!(l[2].new_no, Some(3));
        assert_eq!(counts(&hunks), (1, 1));
    }

    #[test]
    fn equal_texts_have_no_hunk() {
        assert!(line_diff("a\nb\n", "a\nb\n", 3).is_empty());
    }

    #[test]
    fn far_apart_changes_make_two_hunks() {
        let old: String = (1..=20).map(|i| format!("l{i}\n")).collect();
        let new = old.replace("l2\n", "x2\n").replace("l19\n", "x19\n");
        let hunks = line_diff(&old, &new, 2);
        assert_eq!(hunks.len(), 2);
        assert_eq!(counts(&hunks), (2, 2));
    }
}
