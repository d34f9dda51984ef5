//! File names as Coordo writes them into archives and downloads: one rule for every area.

/// One file name made safe for every system (no separator, control or forbidden character).
#[must_use]
pub fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "/\\<>:\"|?*".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    match s.trim() {
        "" | "." | ".." => "_".to_owned(),
        t => t.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn separators_controls_and_dots_are_neutralised() {
        assert_eq!(safe_name("a/b\\c:d"), "a_b_c_d");
        assert_eq!(safe_name("a\nb"), "a_b");
        assert_eq!(safe_name(".."), "_");
        assert_eq!(safe_name("  RC 2026.docx "), "RC 2026.docx");
    }
}
