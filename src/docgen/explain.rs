//! Template errors in people's words: the source is scanned for the usual mistakes (unclosed
//! braces, a block never closed or closed by another name, `{{else}}` outside a block) so that
//! the message names the place of the mistake, where handlebars' parser only reports the
//! place it gave up (often the end of the text) in English. Pure functions.

use serde_json::Value;

/// A problem found in a template source, located (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The functions a clause may call, besides the blocks `if`, `unless`, `each` and `with`.
pub const FUNCTIONS: [&str; 17] = [
    "date_fr",
    "time_fr",
    "datetime_fr",
    "money",
    "money_words",
    "decimal",
    "percent",
    "mul",
    "add",
    "sub",
    "sum",
    "inc",
    "eq",
    "ne",
    "and",
    "or",
    "not",
];

/// Line and column (1-based, characters) of byte offset `at` in `source`.
fn position(source: &str, at: usize) -> (usize, usize) {
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn located(source: &str, at: usize, message: String) -> Located {
    let (line, column) = position(source, at);
    Located {
        line,
        column,
        message,
    }
}

/// An open block: its helper name and where it was opened.
struct Open {
    name: String,
    at: usize,
}

/// Checks one expression `{{…}}` (its inner text, without the braces).
fn check_expression(inner: &str) -> Option<String> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in inner.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Some("parenthèse « ) » sans « ( » correspondante".to_owned());
        }
    }
    if quote.is_some() {
        return Some("guillemets non fermés dans l'expression".to_owned());
    }
    if depth > 0 {
        return Some("parenthèse « ( » non fermée — ajoutez « ) » avant « }} »".to_owned());
    }
    None
}

/// Finds the first usual mistake in `source`, located; `None` when the scan sees nothing
/// (the caller then falls back to handlebars' own position).
pub fn diagnose_syntax(source: &str) -> Option<Located> {
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    while let Some(rel) = source[i..].find("{{") {
        let start = i + rel;
        if start > 0 && source[..start].ends_with('\\') {
            i = start + 2;
            continue;
        }
        let after = &source[start + 2..];
        if after.starts_with("{{") {
            // Raw blocks `{{{{raw}}}}`: not used by the clauses, left to handlebars.
            return None;
        }
        if after.starts_with("!--") {
            let Some(end) = after.find("--}}") else {
                return Some(located(
                    source,
                    start,
                    "commentaire « {{!-- » jamais fermé par « --}} »".to_owned(),
                ));
            };
            i = start + 2 + end + 4;
            continue;
        }
        let close = after.find("}}");
        let next_open = after.find("{{");
        let end = match (close, next_open) {
            (Some(c), Some(o)) if o < c => None,
            (c, _) => c,
        };
        let Some(end) = end else {
            return Some(located(
                source,
                start,
                "accolades non fermées — chaque « {{ » doit être fermé par « }} »".to_owned(),
            ));
        };
        let raw = &after[..end];
        i = start + 2 + end + 2;
        let inner = raw
            .trim_start_matches('{')
            .trim_start_matches('~')
            .trim_end_matches('~')
            .trim();
        if inner.is_empty() {
            return Some(located(
                source,
                start,
                "expression vide « {{}} » — écrivez le nom d'une variable entre les accolades"
                    .to_owned(),
            ));
        }
        if inner.starts_with('!') {
            continue;
        }
        if let Some(message) = check_expression(inner) {
            return Some(located(source, start, message));
        }
        if let Some(rest) = inner.strip_prefix('#') {
            let name = rest
                .trim_start_matches(['>', '*'])
                .split_whitespace()
                .next()
                .unwrap_or_default();
            if name.is_empty() {
                return Some(located(
                    source,
                    start,
                    "bloc sans nom — écrivez par exemple « {{#if condition}} »".to_owned(),
                ));
            }
            stack.push(Open {
                name: name.to_owned(),
                at: start,
            });
        } else if let Some(rest) = inner.strip_prefix('/') {
            let name = rest.trim();
            match stack.pop() {
                None => {
                    return Some(located(
                        source,
                        start,
                        format!("« {{{{/{name}}}}} » ferme un bloc qui n'a jamais été ouvert"),
                    ));
                }
                Some(open) if open.name != name => {
                    let (line, _) = position(source, open.at);
                    return Some(located(
                        source,
                        start,
                        format!(
                            "le bloc « {{{{#{o}}}}} » ouvert ligne {line} doit être fermé par « {{{{/{o}}}}} » et non par « {{{{/{name}}}}} »",
                            o = open.name
                        ),
                    ));
                }
                Some(_) => {}
            }
        } else if (inner == "else" || inner.starts_with("else ") || inner == "^")
            && stack.is_empty()
        {
            return Some(located(
                source,
                start,
                "« {{else}} » en dehors d'un bloc « {{#if}} » ou « {{#each}} »".to_owned(),
            ));
        }
    }
    stack.pop().map(|open| {
        located(
            source,
            open.at,
            format!(
                "bloc « {{{{#{n}}}}} » ouvert ici et jamais fermé par « {{{{/{n}}}}} »",
                n = open.name
            ),
        )
    })
}

/// Most names listed after « variables disponibles ».
const MAX_SUGGESTIONS: usize = 12;

/// « variable inconnue « path » », with the names available next to it in `ctx` (the keys of
/// the deepest object of the path that exists).
pub fn missing_variable(path: Option<&str>, ctx: Option<&Value>) -> String {
    let Some(path) = path else {
        return "variable inconnue (absente des données du document)".to_owned();
    };
    let head = format!("variable inconnue « {path} »");
    let Some(ctx) = ctx else {
        return head;
    };
    let clean = path.trim_start_matches("this.").trim_start_matches("./");
    if clean.contains("../") || clean.starts_with('@') {
        return head;
    }
    let segments: Vec<&str> = clean.split('.').collect();
    let mut node = ctx;
    let mut prefix: Vec<&str> = Vec::new();
    for seg in &segments[..segments.len().saturating_sub(1)] {
        match node.get(seg) {
            Some(next @ Value::Object(_)) => {
                node = next;
                prefix.push(seg);
            }
            _ => break,
        }
    }
    let Value::Object(map) = node else {
        return head;
    };
    if prefix.is_empty() && segments.len() == 1 {
        return format!(
            "{head} — vérifiez son nom (à l'intérieur d'un bloc « {{{{#each}}}} », les noms sont ceux d'un élément de la liste)"
        );
    }
    if prefix.is_empty() {
        return format!("{head} — « {} » n'existe pas dans les données", segments[0]);
    }
    let base = prefix.join(".");
    let mut names: Vec<String> = map.keys().map(|k| format!("{base}.{k}")).collect();
    let more = names.len() > MAX_SUGGESTIONS;
    names.truncate(MAX_SUGGESTIONS);
    format!(
        "{head} — variables disponibles : {}{}",
        names.join(", "),
        if more { ", …" } else { "" }
    )
}

/// « fonction inconnue « name » », with the functions available.
pub fn unknown_function(name: &str) -> String {
    format!(
        "fonction inconnue « {name} » — fonctions disponibles : {}",
        FUNCTIONS.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diag(src: &str) -> (usize, usize, String) {
        let l = diagnose_syntax(src).expect("a problem");
        (l.line, l.column, l.message)
    }

    #[test]
    fn unclosed_braces_are_located_where_they_open() {
        let (line, col, msg) = diag("Un\nDeux\nLe délai : {{ccap.payment_days jours.\nFin {{a}}");
        assert_eq!((line, col), (3, 12));
        assert!(msg.starts_with("accolades non fermées"), "{msg}");
        let (line, col, _) = diag("Texte {{court.name");
        assert_eq!((line, col), (1, 7));
    }

    #[test]
    fn a_block_never_closed_is_located_where_it_opens() {
        let (line, col, msg) = diag("Un\nDeux {{#if ccap.retention}}\nTrois");
        assert_eq!((line, col), (2, 6));
        assert_eq!(
            msg,
            "bloc « {{#if}} » ouvert ici et jamais fermé par « {{/if}} »"
        );
    }

    #[test]
    fn a_block_closed_by_another_name_names_both() {
        let (line, _, msg) = diag("{{#each ccap.penalties}}\n{{event}}\n{{/if}}");
        assert_eq!(line, 3);
        assert!(msg.contains("ouvert ligne 1"), "{msg}");
        assert!(msg.contains("{{/each}}"), "{msg}");
        let (_, _, msg) = diag("Texte {{/if}}");
        assert!(msg.contains("jamais été ouvert"), "{msg}");
    }

    #[test]
    fn else_outside_a_block_and_empty_expressions() {
        assert!(diag("a {{else}} b").2.contains("en dehors d'un bloc"));
        assert!(diag("a {{ }} b").2.starts_with("expression vide"));
        assert!(diag("{{#if (eq a \"b\"}}x{{/if}}").2.contains("parenthèse"));
    }

    #[test]
    fn correct_sources_and_comments_pass() {
        for src in [
            "Texte {{a.b}} {{#if x}}oui{{else}}non{{/if}}",
            "{{#each l}}{{#if (eq m \"x\")}}{{n}}{{/if}}{{/each}}",
            "{{!-- un {{ commentaire --}} et \\{{ échappé",
            "{{{triple}}} {{~trim~}}",
        ] {
            assert_eq!(diagnose_syntax(src), None, "{src}");
        }
    }

    #[test]
    fn a_missing_variable_lists_its_neighbours() {
        let ctx = json!({"lot": {"number": 1, "title": "DUI"}, "court": {"name": "TA"}});
        assert_eq!(
            missing_variable(Some("lot.montant"), Some(&ctx)),
            "variable inconnue « lot.montant » — variables disponibles : lot.number, lot.title"
        );
        assert!(missing_variable(Some("lots.x"), Some(&ctx)).contains("« lots » n'existe pas"));
        assert!(missing_variable(Some("montant"), Some(&ctx)).contains("vérifiez son nom"));
        assert_eq!(
            missing_variable(Some("lot.montant"), None),
            "variable inconnue « lot.montant »"
        );
    }
}
