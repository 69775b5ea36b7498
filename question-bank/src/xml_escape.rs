//! Escaping text for the XML files the exporters write (QTI, Moodle XML). Characters XML 1.0
//! cannot carry are dropped; carriage returns, and in attributes tabs and newlines, are written
//! as references so a parser's normalisation cannot change them.

/// Characters XML 1.0 can carry at all.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attribute => out.push_str("&quot;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            _ => out.push(c),
        }
    }
    out
}

/// For element content.
pub fn text(s: &str) -> String {
    escape(s, false)
}

/// For a double-quoted attribute value.
pub fn attr(s: &str) -> String {
    escape(s, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn content_and_attributes() {
        assert_eq!(super::text("a<b & \"c\"\n\u{1}"), "a&lt;b &amp; \"c\"\n");
        assert_eq!(super::attr("x\"y\tz\n\r"), "x&quot;y&#9;z&#10;&#13;");
    }
}
