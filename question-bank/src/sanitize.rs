//! Rich text from authors and imported files, made safe to show to candidates: an allowlist
//! of formatting tags, no scripts, no event handlers, no `javascript:` links.
use std::collections::HashSet;
use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "s",
        "sub",
        "sup",
        "span",
        "div",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "img",
        "pre",
        "code",
        "blockquote",
        "hr",
        "ruby",
        "rt",
        "rp",
        "figure",
        "figcaption",
        "math",
        "mi",
        "mn",
        "mo",
        "msup",
        "msub",
        "mfrac",
        "mrow",
        "msqrt",
    ]
    .into_iter()
    .collect();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .add_generic_attributes(["dir", "lang"])
        .add_tag_attributes("img", ["src", "alt", "width", "height"])
        .add_tag_attributes("td", ["colspan", "rowspan"])
        .add_tag_attributes("th", ["colspan", "rowspan"])
        .url_schemes(["http", "https", "data"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None);
    b
});

/// Keeps formatting and images; drops scripts, styles, event handlers and unsafe URLs.
pub fn clean(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

/// Plain text of some HTML: tags removed, the common entities decoded, whitespace collapsed.
/// Used for search, for checks such as "is the stem empty", and for plain-text formats.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape_html(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' if !attribute => out.push_str("&nbsp;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Plain text made safe to place inside HTML element content, escaped exactly as [`clean`]
/// writes text, so `clean(escape(t)) == escape(t)` and stored stems compare equal whichever
/// path they came by.
/// The files an item's HTML points at by a relative `src` (images the item must carry), in
/// order of appearance, each once; absolute, root and `data:` addresses are not files.
pub fn relative_sources(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("src=") {
        rest = &rest[i + 4..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let body = &rest[1..];
        let Some(end) = body.find(quote) else {
            break;
        };
        let src = unescape(&body[..end]);
        let absolute = src.is_empty() || src.starts_with('/') || src.contains(':');
        if !absolute && !out.contains(&src) {
            out.push(src);
        }
        rest = &body[end..];
    }
    out
}

pub fn escape(text: &str) -> String {
    escape_html(text, false)
}

/// Text made safe inside an HTML attribute value as well as element content.
pub fn escape_attr(text: &str) -> String {
    escape_html(text, true)
}

/// The inverse of [`escape`] for text that holds no tags.
pub fn unescape(html: &str) -> String {
    html.replace("&nbsp;", "\u{a0}").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// True when the text holds an entity reference such as `&amp;`, `&nbsp;` or `&#39;`.
pub fn has_entity(text: &str) -> bool {
    text.match_indices('&').any(|(i, _)| {
        let rest = &text[i + 1..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '#').collect();
        !name.is_empty() && rest[name.len()..].starts_with(';')
    })
}

/// True when the text holds something that reads as a tag (`<b`, `</`, `<!`), i.e. it is HTML
/// rather than plain text that happens to contain a `<`.
pub fn looks_like_html(text: &str) -> bool {
    text.as_bytes().windows(2).any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_sources_are_the_files_an_item_needs() {
        let html = r#"<p><img src="images/a.png"><img src='b.jpg'><img src="https://x/y.png"><img src="/static/z.png"><img src="data:image/png;base64,AA"><img src="images/a.png"></p>"#;
        assert_eq!(relative_sources(html), ["images/a.png", "b.jpg"]);
    }

    #[test]
    fn scripts_and_handlers_are_removed_formatting_kept() {
        let dirty =
            r#"<p onclick="steal()">电工<b>安全</b><script>alert(1)</script></p><img src="x.png" onerror="alert(2)"><a href="javascript:alert(3)">x</a>"#;
        let c = clean(dirty);
        assert!(!c.contains("script") && !c.contains("onclick") && !c.contains("onerror") && !c.contains("javascript"), "{c}");
        assert!(c.contains("<b>安全</b>") && c.contains(r#"<img src="x.png">"#), "{c}");
    }

    #[test]
    fn escape_matches_what_clean_writes() {
        for t in ["1 < 2 & 3 > 0", "引号\"与'撇号'", "a\u{a0}b", "普通文本"] {
            let e = escape(t);
            assert_eq!(clean(&e), e, "for {t:?}");
            assert_eq!(unescape(&e), t);
        }
        assert!(looks_like_html("<p>x</p>") && !looks_like_html("1 < 2") && !looks_like_html("a<1"));
    }

    #[test]
    fn text_of_strips_tags_and_entities() {
        assert_eq!(text_of("<p>1 &lt; 2&nbsp;且 <b>3</b></p>"), "1 < 2 且 3");
    }
}
