//! Names people type (candidates, sessions, rooms, batches, institutions, banks, accounts):
//! printed on tickets, summaries and certificates, so a name must show as what it is. Control
//! characters (NUL, bell, line breaks), bidirectional overrides that reorder what is shown
//! (U+202A–U+202E, U+2066–U+2069) and names of nothing but invisible characters are refused.

/// Whether `name` (already trimmed by the caller or not) is a name that prints as it reads.
pub fn is_plain(name: &str) -> bool {
    let hidden = |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}');
    let reorders = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    !name.chars().any(|c| c.is_control() || reorders(c)) && name.chars().any(|c| !c.is_whitespace() && !hidden(c))
}

#[cfg(test)]
mod tests {
    use super::is_plain;

    #[test]
    fn names_that_print_as_they_read() {
        for ok in ["李明", "John Smith", "阿卜杜拉·买买提", "第一考场", "O'Neil-Lee"] {
            assert!(is_plain(ok), "{ok}");
        }
        for bad in ["", "   ", "\u{200B}", "ab\u{0}cd", "a\u{202E}b", "张\r\n三", "bell\u{7}", "x\u{2067}y"] {
            assert!(!is_plain(bad), "{bad:?}");
        }
    }
}
