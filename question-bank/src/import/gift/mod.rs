//! GIFT, Moodle's plain-text question format: questions separated by blank lines, `//`
//! comments (with Moodle's `[id:…]` and `[tag:…]`), `$CATEGORY:` lines (kept as a tag),
//! `::title::`, `[html]`-style format markers and an answer block `{…}` anywhere in the text.
//! True/false, multiple choice (also as a "missing word" mid-sentence), short answer (as a
//! one-blank fill-in) and essay are read; numerical, matching and description are skipped.
mod lexer;

use super::moodle_xml::fields;
use super::{ImportError, ImportReport, Limits, SkipCode};
use crate::item::{Choice, ItemDraft, Key, choice_letter};
use crate::sanitize::{clean, escape};
use crate::why::Why;
use lexer::{Block, Ch, find, find_str, lex, render, trim};

/// Anything this close to 100% is full credit (Moodle writes 33.33333 for a third).
const FULL: f64 = 99.99;

#[derive(Debug, Clone, Copy, PartialEq)]
enum TextFormat {
    Html,
    Moodle,
    Plain,
}

/// True for text with a GIFT category, `::title::` or answer block; false for XML, and for
/// Aiken, whose questions have no braces.
pub fn looks_like(text: &str) -> bool {
    if text.trim_start().starts_with('<') {
        return false;
    }
    let mut body = String::new();
    for line in text.lines().take(5000).map(str::trim).filter(|l| !l.starts_with("//")) {
        if line.starts_with("$CATEGORY:") || line.strip_prefix("::").is_some_and(|r| r.contains("::")) {
            return true;
        }
        body.push_str(line);
        body.push('\n');
    }
    let t = lex(&body);
    let mut rest = &t[..];
    while let Some(open) = find(rest, '{') {
        rest = &rest[open + 1..];
        let Some(close) = find(rest, '}') else {
            return false;
        };
        let inside = trim(&rest[..close]);
        let answer_like = inside.first().is_none_or(|ch| !ch.lit && matches!(ch.c, '=' | '~' | '#'));
        let tf = render(trim(&inside[..find(inside, '#').unwrap_or(inside.len())]));
        if answer_like || matches!(tf.as_str(), "T" | "F" | "TRUE" | "FALSE") {
            return true;
        }
        rest = &rest[close + 1..];
    }
    false
}

pub fn parse(text: &str, limits: &Limits) -> Result<ImportReport, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut report = ImportReport::default();
    let mut category: Option<String> = None;
    let mut saw_category = false;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        let mut meta = Meta::default();
        let mut body: Vec<(usize, &str)> = Vec::new();
        for (n, line) in lines[start..i].iter().enumerate() {
            let trimmed = line.trim();
            if let Some(comment) = trimmed.strip_prefix("//") {
                meta.read_comment(comment);
            } else if let Some(path) = trimmed.strip_prefix("$CATEGORY:").filter(|_| body.is_empty()) {
                category = fields::category_tag(path);
                saw_category = true;
            } else {
                body.push((start + n + 1, line));
            }
        }
        let Some(&(line_no, _)) = body.first() else {
            continue;
        };
        let source = body.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
        question(&mut report, &source, line_no, meta, category.as_deref());
        if report.items.len() > limits.max_items {
            return Err(ImportError::TooManyItems { limit: limits.max_items });
        }
    }
    if report.items.is_empty() && report.skipped.is_empty() && !saw_category {
        return Err(ImportError::Malformed("no GIFT questions found".into()));
    }
    Ok(report)
}

/// What Moodle's GIFT export writes in comments before a question.
#[derive(Debug, Default)]
struct Meta {
    id: Option<String>,
    tags: Vec<String>,
}

impl Meta {
    fn read_comment(&mut self, comment: &str) {
        let mut rest = comment;
        while let Some(open) = rest.find('[') {
            rest = &rest[open + 1..];
            let Some(close) = rest.find(']') else { break };
            let inner = &rest[..close];
            if let Some(id) = inner.strip_prefix("id:").map(str::trim).filter(|v| !v.is_empty()) {
                self.id = Some(id.to_string());
            } else if let Some(tag) = inner.strip_prefix("tag:").map(str::trim).filter(|v| !v.is_empty()) {
                self.tags.push(tag.to_string());
            }
            rest = &rest[close + 1..];
        }
    }
}

fn question(report: &mut ImportReport, source: &str, line_no: usize, meta: Meta, category: Option<&str>) {
    let t = lex(source.trim());
    let mut rest = &t[..];
    let mut title = None;
    if find_str(rest, "::") == Some(0)
        && let Some(close) = find_str(&rest[2..], "::")
    {
        title = Some(render(trim(&rest[2..2 + close]))).filter(|t| !t.is_empty());
        rest = trim(&rest[close + 4..]);
    }
    let item_ref = title.clone().unwrap_or_else(|| format!("line {line_no}"));
    let (format, rest) = split_format(rest);
    let format = format.unwrap_or(TextFormat::Moodle);
    let Some(open) = find(rest, '{') else {
        return report.skip_said(item_ref, SkipCode::UnsupportedType, Why::new("说明文字（只有文字，没有答案）", "description (text only, no answer)"));
    };
    let Some(close) = find(&rest[open..], '}').map(|c| open + c) else {
        return report.skip_said(item_ref, SkipCode::MalformedItem, Why::new("答案块缺少右花括号 }", "the answer block has no closing }"));
    };
    let before = render(&rest[..open]);
    let after = render(&rest[close + 1..]);
    // A block mid-sentence is a "missing word": the stem shows a blank where it stood.
    let stem_text = if after.trim().is_empty() { before } else { format!("{before}____{after}") };
    let stem = to_html(&stem_text, format);
    let mut choices = Vec::new();
    let key = match lexer::block(&rest[open + 1..close]) {
        Block::Essay => Key::ShortAnswer { reference: None },
        Block::TrueFalse(value) => Key::TrueFalse { value },
        Block::Numerical => return report.skip_said(item_ref, SkipCode::UnsupportedType, Why::new("数值题", "numerical")),
        Block::Matching => return report.skip_said(item_ref, SkipCode::UnsupportedType, Why::new("匹配题", "matching")),
        Block::Malformed(why) => return report.skip(item_ref, SkipCode::MalformedItem, why),
        Block::Short(answers) => {
            let accepted = answers.iter().filter(|a| a.credit() >= FULL);
            Key::FillIn { blanks: vec![accepted.filter_map(|a| fields::short_answer(&render(a.text))).collect()] }
        }
        Block::Choices(answers) => {
            let single = answers.iter().any(|a| a.right);
            let mut right = Vec::new();
            for a in &answers {
                let (own, text) = split_format(a.text);
                let content = to_html(&render(text), own.unwrap_or(format));
                if content.is_empty() {
                    continue;
                }
                let id = choice_letter(choices.len());
                if (single && a.credit() >= FULL) || (!single && a.credit() > 0.0) {
                    right.push(id.clone());
                }
                choices.push(Choice { id, content, fixed: false });
            }
            match (single, right.len()) {
                (false, _) => Key::Multiple { choices: right },
                (true, 1) => Key::Single { choice: right.remove(0) },
                (true, 0) => {
                    return report.skip_said(item_ref, SkipCode::InvalidItem, Why::new("没有得满分的答案", "no answer has full credit"));
                }
                (true, _) => {
                    return report.skip_said(
                        item_ref,
                        SkipCode::InvalidItem,
                        Why::new("单选题中有多个满分答案", "several answers have full credit in a single-answer question"),
                    );
                }
            }
        }
    };
    let mut draft = ItemDraft::new(item_ref, stem, choices, key);
    draft.code = meta.id;
    draft.tags = category.map(str::to_string).into_iter().chain(meta.tags).collect();
    fields::apply_reserved_tags(&mut draft);
    report.push_checked(draft);
}

/// A leading `[html]`, `[moodle]`, `[plain]` or `[markdown]`, and the text after it.
fn split_format(t: &[Ch]) -> (Option<TextFormat>, &[Ch]) {
    let t = trim(t);
    for (marker, format) in [
        ("[html]", TextFormat::Html),
        ("[moodle]", TextFormat::Moodle),
        ("[plain]", TextFormat::Plain),
        // No Markdown renderer here: the source is shown as written.
        ("[markdown]", TextFormat::Plain),
    ] {
        if find_str(t, marker) == Some(0) {
            return (Some(format), trim(&t[marker.chars().count()..]));
        }
    }
    (None, t)
}

fn to_html(text: &str, format: TextFormat) -> String {
    // Moodle's GIFT export names embedded files as @@PLUGINFILE@@/x.png but cannot carry
    // them; the plain name is what an asset uploaded later would be called.
    let text = text.replace("@@PLUGINFILE@@/", "");
    let text = text.trim();
    let html = match format {
        TextFormat::Html => clean(text),
        // Moodle's own format is HTML in which line breaks count.
        TextFormat::Moodle => clean(&text.replace('\n', "<br>")),
        TextFormat::Plain => escape(text).replace('\n', "<br>"),
    };
    html.trim().to_string()
}

#[cfg(test)]
mod tests;
