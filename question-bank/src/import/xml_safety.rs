//! XML is read without a DTD: any `<!DOCTYPE` with an internal subset or `<!ENTITY`
//! declaration is refused before parsing, so no external entity is fetched and no entity
//! bomb is expanded. Only the five predefined entities and character references are decoded
//! ([`unescape`] is that rule for text read leniently).
use super::ImportError;

pub fn check(xml: &str) -> Result<(), ImportError> {
    // The first 64 KiB, cut back to a character boundary (Chinese text is multi-byte).
    let mut end = xml.len().min(64 * 1024);
    while !xml.is_char_boundary(end) {
        end -= 1;
    }
    let head = &xml[..end];
    if xml.contains("<!ENTITY") {
        return Err(ImportError::Unsafe("XML entity declarations are not allowed".into()));
    }
    if let Some(pos) = head.find("<!DOCTYPE") {
        let rest = &head[pos..];
        let end = rest.find('>').unwrap_or(rest.len());
        if rest[..end].contains('[') || rest[..end].contains("SYSTEM") && !rest[..end].contains(".dtd") {
            return Err(ImportError::Unsafe("a DOCTYPE with declarations is not allowed".into()));
        }
    }
    Ok(())
}

/// Decodes the predefined entities and character references. Anything else is left as
/// written: no custom entity is ever expanded. Moodle's text and cloze answers are read so.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let decoded = after.find(';').filter(|&end| end <= 12).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_declarations_are_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz>&x;</quiz>"#;
        assert!(matches!(check(xxe), Err(ImportError::Unsafe(_))));
        let bomb = r#"<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><quiz>&b;</quiz>"#;
        assert!(matches!(check(bomb), Err(ImportError::Unsafe(_))));
        assert!(check(r#"<?xml version="1.0"?><quiz><question/></quiz>"#).is_ok());
        // A multi-byte character straddling the 64 KiB mark must not panic.
        let long = format!("<quiz>{}</quiz>", "电".repeat(30_000));
        assert!(check(&long).is_ok());
    }
}
