//! Escaping of text and attribute values into an XML string being built.

/// Appends `text` escaped for element content (`&`, `<`, `>`).
pub fn push_text(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let rep = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

/// Appends `value` escaped for a double-quoted attribute.
pub fn push_attr(out: &mut String, value: &str) {
    let mut last = 0;
    for (i, c) in value.char_indices() {
        let rep = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            _ => continue,
        };
        out.push_str(&value[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&value[last..]);
}

/// `text` escaped for element content, as a new string.
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    push_text(&mut s, text);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(
            escape("a < b & c > d « é »"),
            "a &lt; b &amp; c &gt; d « é »"
        );
        let mut s = String::new();
        push_attr(&mut s, r#"x "y" & z"#);
        assert_eq!(s, "x &quot;y&quot; &amp; z");
    }
}
