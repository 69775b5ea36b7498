//! Between the sanitised HTML items keep and the XHTML QTI files carry: a tokenizer for the
//! HTML the sanitiser writes, its conversion to well-formed XML for the exporter, XML
//! escaping, the blank marker of fill-in stems, and image sources for the package reader.
use std::collections::HashSet;

/// What a text-entry blank reads as in a stem. The exporter turns exactly these runs back
/// into interactions, so a stem survives export and import unchanged.
pub(crate) const BLANK: &str = "____";

const VOID: [&str; 14] = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

pub(crate) fn is_void(name: &str) -> bool {
    VOID.contains(&name)
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    Text(&'a str),
    /// Attribute values as written (still HTML-escaped).
    Open {
        name: &'a str,
        attrs: Vec<(&'a str, &'a str)>,
        self_closing: bool,
    },
    Close(&'a str),
}

/// Splits HTML into text and tags. Comments and doctypes are dropped; a stray `<` is text.
/// Only ASCII delimiters are looked for, so every slice falls on a character boundary.
pub(crate) fn tokens(html: &str) -> Vec<Tok<'_>> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        let tag_end = if next == b'!' {
            let end = html[i..].find("-->").map(|p| i + p + 3).or_else(|| html[i..].find('>').map(|p| i + p + 1));
            if i > text_start {
                out.push(Tok::Text(&html[text_start..i]));
            }
            i = end.unwrap_or(bytes.len());
            text_start = i;
            continue;
        } else if next == b'/' || next.is_ascii_alphabetic() {
            tag(html, i)
        } else {
            None
        };
        match tag_end {
            Some((tok, end)) => {
                if i > text_start {
                    out.push(Tok::Text(&html[text_start..i]));
                }
                out.push(tok);
                i = end;
                text_start = end;
            }
            None => i += 1,
        }
    }
    if text_start < bytes.len() {
        out.push(Tok::Text(&html[text_start..]));
    }
    out
}

/// One tag starting at `start` (a `<`): the token and the index after its `>`.
fn tag(html: &str, start: usize) -> Option<(Tok<'_>, usize)> {
    let bytes = html.as_bytes();
    let closing = bytes.get(start + 1) == Some(&b'/');
    let name_start = if closing { start + 2 } else { start + 1 };
    let name_len = bytes[name_start..].iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_')).count();
    if name_len == 0 {
        return None;
    }
    let name = &html[name_start..name_start + name_len];
    let mut i = name_start + name_len;
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => break,
            b'/' => {
                self_closing = true;
                i += 1;
                continue;
            }
            _ => {}
        }
        let key_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let key = &html[key_start..i];
        let mut value = "";
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            match bytes.get(i)? {
                q @ (b'"' | b'\'') => {
                    let end = i + 1 + html[i + 1..].find(char::from(*q))?;
                    value = &html[i + 1..end];
                    i = end + 1;
                }
                _ => {
                    let v_start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = &html[v_start..i];
                }
            }
        }
        if !key.is_empty() {
            attrs.push((key, value));
        }
    }
    let tok = if closing { Tok::Close(name) } else { Tok::Open { name, attrs, self_closing } };
    Some((tok, i + 1))
}

/// Decodes the entities the sanitiser writes (and numeric ones); others stay as written.
pub(crate) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        match entity(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity at the start of `s` stands for, and the entity's length.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.char_indices().take(12).find(|&(_, c)| c == ';').map(|(i, _)| i)?;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" | "#39" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

pub(crate) use crate::xml_escape::{attr as xml_attr, text as xml_text};

/// Text of sanitised HTML as XML text: `&nbsp;` (unknown to XML) becomes the character, and each [`BLANK`] run is replaced by the next of
/// `blanks` when given.
fn text_to_xml(text: &str, blanks: &mut Option<std::slice::Iter<'_, String>>, out: &mut String) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '&' {
            if let Some(len) = ["&amp;", "&lt;", "&gt;", "&quot;"].iter().find(|e| rest.starts_with(**e)).map(|e| e.len()) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
            if let Some((decoded, len)) = entity(rest) {
                out.push_str(&xml_text(decoded.encode_utf8(&mut [0; 4])));
                rest = &rest[len..];
                continue;
            }
        }
        if c == '_' {
            let run = rest.len() - rest.trim_start_matches('_').len();
            if run == BLANK.len()
                && let Some(blank) = blanks.as_mut().and_then(|b| b.next())
            {
                out.push_str(blank);
                rest = &rest[run..];
                continue;
            }
            out.push_str(&rest[..run]);
            rest = &rest[run..];
            continue;
        }
        out.push_str(&xml_text(c.encode_utf8(&mut [0; 4])));
        rest = &rest[c.len_utf8()..];
    }
}

/// How many exact [`BLANK`] runs the text of some HTML has.
pub(crate) fn count_blanks(html: &str) -> usize {
    tokens(html)
        .iter()
        .map(|t| match t {
            Tok::Text(text) => text.split(|c| c != '_').filter(|run| run.len() == BLANK.len()).count(),
            _ => 0,
        })
        .sum()
}

fn xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Sanitised HTML as well-formed XHTML for a QTI item body. Tags are balanced whatever the
/// input; `blanks`, when given, replace the stem's [`BLANK`] runs in order.
pub(crate) fn html_to_xml(html: &str, blanks: Option<&[String]>) -> String {
    let mut blanks = blanks.map(|b| b.iter());
    let mut out = String::with_capacity(html.len() + 16);
    let mut open: Vec<String> = Vec::new();
    for tok in tokens(html) {
        match tok {
            Tok::Text(text) => text_to_xml(text, &mut blanks, &mut out),
            Tok::Open { name, attrs, self_closing } => {
                let name = name.to_ascii_lowercase();
                if !xml_name(&name) {
                    continue;
                }
                out.push('<');
                out.push_str(&name);
                if name == "math" {
                    out.push_str(r#" xmlns="http://www.w3.org/1998/Math/MathML""#);
                }
                let mut seen: Vec<&str> = Vec::new();
                for (key, value) in attrs {
                    if xml_name(key) && key != "xmlns" && !seen.contains(&key) {
                        seen.push(key);
                        out.push_str(&format!(r#" {key}="{}""#, xml_attr(&decode_entities(value))));
                    }
                }
                if self_closing || is_void(&name) {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    open.push(name);
                }
            }
            Tok::Close(name) => {
                let name = name.to_ascii_lowercase();
                if let Some(pos) = open.iter().rposition(|n| *n == name) {
                    for n in open.drain(pos..).rev() {
                        out.push_str(&format!("</{n}>"));
                    }
                }
            }
        }
    }
    for n in open.into_iter().rev() {
        out.push_str(&format!("</{n}>"));
    }
    out
}

/// The `src` of every `<img>`, decoded, in order of first use.
pub(crate) fn img_sources(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // A set beside the list: `out.contains` made a stem of many images quadratic.
    let mut seen: HashSet<String> = HashSet::new();
    for tok in tokens(html) {
        if let Tok::Open { name, attrs, .. } = tok
            && name.eq_ignore_ascii_case("img")
        {
            for (key, value) in attrs {
                let src = decode_entities(value);
                if key.eq_ignore_ascii_case("src") && !src.is_empty() && seen.insert(src.clone()) {
                    out.push(src);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitised_html_becomes_well_formed_xml() {
        let html = r#"<p>电压 &lt; 36V &amp;&nbsp;"安全"<br><img src="a&amp;b.png" alt="x>y"></p><math><mi>x</mi></math>"#;
        assert_eq!(
            html_to_xml(html, None),
            "<p>电压 &lt; 36V &amp;\u{a0}\"安全\"<br/><img src=\"a&amp;b.png\" alt=\"x&gt;y\"/></p>\
             <math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi></math>"
        );
        assert_eq!(html_to_xml("<b>未闭合<i>x</b>", None), "<b>未闭合<i>x</i></b>");
        assert_eq!(html_to_xml("a < b <!-- c --> \u{1}d", None), "a &lt; b  d");
        assert_eq!(img_sources(r#"<img src="a&amp;b.png"><img src="a&amp;b.png"><img alt="">"#), vec!["a&b.png"]);
    }

    #[test]
    fn blanks_are_exact_runs_of_four_underscores() {
        let stem = "甲____乙______丙____";
        assert_eq!(count_blanks(stem), 2);
        let blanks = vec!["<i1/>".to_owned(), "<i2/>".to_owned()];
        assert_eq!(html_to_xml(stem, Some(&blanks)), "甲<i1/>乙______丙<i2/>");
    }
}
