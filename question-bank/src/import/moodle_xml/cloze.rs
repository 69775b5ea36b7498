//! Moodle's embedded-answer ("Cloze", multianswer) syntax, `{1:SHORTANSWER:=上~=下#feedback}`:
//! split out of a question text on import, and written for fill-in items with several blanks
//! on export. Inside a blank, `\}`, `\#`, `\~`, `\/`, `\"` and `\\` are escapes and the text is
//! HTML, so entities are decoded after splitting.
use crate::sanitize::escape;

use super::fields::short_answer_pattern;
use crate::import::xml_safety::unescape;

#[derive(Debug, Clone, PartialEq)]
pub struct Blank {
    /// The sub-question type as written: SHORTANSWER, SA, MULTICHOICE, NUMERICAL, …
    pub kind: String,
    /// Each alternative's fraction (100 for `=`) and its text, feedback dropped.
    pub answers: Vec<(f64, String)>,
}

impl Blank {
    /// Short-answer blanks are the only ones a fill-in item can hold.
    pub fn is_short_answer(&self) -> bool {
        matches!(self.kind.as_str(), "SHORTANSWER" | "SA" | "MW" | "SHORTANSWER_C" | "SAC" | "MWC")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part<'a> {
    Text(&'a str),
    Blank(Blank),
}

/// The text between blanks and the blanks, in order. Braces that do not open a well-formed
/// blank stay text.
pub fn split(text: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let mut text_start = 0;
    let mut search = 0;
    while let Some(off) = text[search..].find('{') {
        let open = search + off;
        match blank_at(&text[open + 1..]) {
            Scan::Blank(blank, len) => {
                if open > text_start {
                    parts.push(Part::Text(&text[text_start..open]));
                }
                parts.push(Part::Blank(blank));
                text_start = open + 1 + len;
                search = text_start;
            }
            Scan::Not => search = open + 1,
            // No `}` closes anything after here either: stop, rather than rescan to the end
            // from every later `{` (quadratic on hostile input).
            Scan::Unclosed => break,
        }
    }
    if text_start < text.len() {
        parts.push(Part::Text(&text[text_start..]));
    }
    parts
}

enum Scan {
    /// A blank, and the bytes it takes up to and including `}`.
    Blank(Blank, usize),
    Not,
    Unclosed,
}

/// The blank starting just after a `{`, if one does.
fn blank_at(s: &str) -> Scan {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let Some(rest) = s[digits..].strip_prefix(':') else {
        return Scan::Not;
    };
    let kind_len = rest.bytes().take_while(|b| b.is_ascii_uppercase() || *b == b'_').count();
    let kind = &rest[..kind_len];
    let Some(body_start) = rest[kind_len..].strip_prefix(':').filter(|_| kind_len > 0) else {
        return Scan::Not;
    };
    let mut escaped = false;
    let end = body_start.char_indices().find_map(|(i, c)| {
        let found = c == '}' && !escaped;
        escaped = c == '\\' && !escaped;
        found.then_some(i)
    });
    let Some(end) = end else {
        return Scan::Unclosed;
    };
    let body = &body_start[..end];
    let answers = split_unescaped(body, '~').into_iter().filter_map(alternative).collect();
    let used = digits + 1 + kind_len + 1 + end + 1;
    Scan::Blank(Blank { kind: kind.to_string(), answers }, used)
}

/// Splits on `sep` where it is not escaped by a backslash.
fn split_unescaped(s: &str, sep: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if c == sep && !escaped {
            pieces.push(&s[start..i]);
            start = i + c.len_utf8();
        }
        escaped = c == '\\' && !escaped;
    }
    pieces.push(&s[start..]);
    pieces
}

/// One `~`-separated alternative: `=text`, `%50%text` or `text`, then `#feedback`.
fn alternative(raw: &str) -> Option<(f64, String)> {
    let (fraction, rest) = if let Some(r) = raw.strip_prefix('=') {
        (100.0, r)
    } else if let Some((w, r)) = raw.strip_prefix('%').and_then(|r| r.split_once('%')) {
        (w.trim().parse().ok()?, r)
    } else {
        (0.0, raw)
    };
    let text = split_unescaped(rest, '#').into_iter().next().unwrap_or_default();
    let text = unescape_cloze(text);
    let text = unescape(&text).replace("&nbsp;", "\u{a0}");
    let text = text.trim();
    (!text.is_empty()).then(|| (fraction, text.to_string()))
}

fn unescape_cloze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| matches!(n, '}' | '#' | '~' | '/' | '"' | '\\')) {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A short-answer blank accepting each of `answers` in full, worth 1 mark.
pub fn write_blank(answers: &[String]) -> String {
    let alternatives: Vec<String> = answers
        .iter()
        .map(|a| {
            let html = escape(&short_answer_pattern(a));
            let mut out = String::from("=");
            for c in html.chars() {
                if matches!(c, '\\' | '}' | '#' | '~') {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        })
        .collect();
    format!("{{1:SHORTANSWER:{}}}", alternatives.join("~"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_blanks_and_round_trips_answers() {
        let parts = split("<p>从{1:SHORTANSWER:=上~%50%下#近了~=a\\}b}到{2:NUMERICAL:=3:0.1}，{x}</p>");
        assert_eq!(parts.len(), 5);
        assert_eq!(parts[0], Part::Text("<p>从"));
        let Part::Blank(b) = &parts[1] else { panic!("{parts:?}") };
        assert!(b.is_short_answer());
        assert_eq!(b.answers, vec![(100.0, "上".into()), (50.0, "下".into()), (100.0, "a}b".into())]);
        assert!(matches!(&parts[3], Part::Blank(b) if b.kind == "NUMERICAL"));
        assert_eq!(parts[4], Part::Text("，{x}</p>"));
        let answers = vec!["a}~#\\b".to_string(), "x<y&z".into(), "全*角".into()];
        let written = write_blank(&answers);
        let back = split(&written);
        let Some(Part::Blank(b)) = back.first() else { panic!("{written}") };
        let read: Vec<String> = b.answers.iter().filter_map(|(_, a)| super::super::fields::short_answer(a)).collect();
        assert_eq!(read, answers, "{written}");
    }
}
