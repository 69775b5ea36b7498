//! Aiken: the plain-text multiple-choice format. One question per block: the stem line(s),
//! options `A)` or `A.` one per line, then `ANSWER: X`. Lines are numbered in the report.
use super::{ImportError, ImportReport, Limits, SkipCode};
use crate::item::{Choice, ItemDraft, Key};
use crate::sanitize::escape;
use crate::why::Why;

/// An option line: a letter, then `)` or `.`, then text.
fn option_line(line: &str) -> Option<(String, &str)> {
    let mut chars = line.chars();
    let letter = chars.next()?;
    let sep = chars.next()?;
    if !letter.is_ascii_uppercase() || !matches!(sep, ')' | '.') {
        return None;
    }
    Some((letter.to_string(), line[2..].trim()))
}

fn answer_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("ANSWER")?.trim_start();
    Some(rest.strip_prefix(':')?.trim())
}

/// True when the text has at least one `ANSWER:` line after option lines.
pub fn looks_like(text: &str) -> bool {
    let mut saw_option = false;
    for line in text.lines().take(500) {
        let line = line.trim();
        if option_line(line).is_some() {
            saw_option = true;
        } else if saw_option && answer_line(line).is_some() {
            return true;
        }
    }
    false
}

pub fn parse(text: &str, limits: &Limits) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let mut stem: Vec<&str> = Vec::new();
    let mut options: Vec<(String, String)> = Vec::new();
    let mut start_line = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if stem.is_empty() && options.is_empty() {
            start_line = i + 1;
        }
        let item_ref = || format!("line {start_line}");
        if let Some(answer) = answer_line(line) {
            if stem.is_empty() || options.is_empty() {
                report.skip_said(item_ref(), SkipCode::MalformedItem, Why::new("ANSWER 行之前没有题目和选项", "ANSWER without a question and options"));
            } else {
                let choices: Vec<Choice> = options.drain(..).map(|(id, text)| Choice { id, content: escape(&text), fixed: false }).collect();
                let draft = ItemDraft::new(item_ref(), escape(&stem.join("\n")), choices, Key::Single { choice: answer.to_string() });
                report.push_checked(draft);
            }
            stem.clear();
            options.clear();
            if report.items.len() > limits.max_items {
                return Err(ImportError::TooManyItems { limit: limits.max_items });
            }
        } else if let Some((id, text)) = option_line(line).filter(|_| !stem.is_empty()) {
            options.push((id, text.to_string()));
        } else if options.is_empty() {
            stem.push(line);
        } else {
            // Text after the options that is not ANSWER: the block is broken; report it and
            // start over from this line.
            report.skip_said(
                item_ref(),
                SkipCode::MalformedItem,
                Why::new(format!("第 {} 行应为 ANSWER: 行", i + 1), format!("expected ANSWER: at line {}", i + 1)),
            );
            options.clear();
            stem.clear();
            stem.push(line);
            start_line = i + 1;
        }
    }
    if !stem.is_empty() || !options.is_empty() {
        report.skip_said(format!("line {start_line}"), SkipCode::MalformedItem, Why::new("最后一题没有 ANSWER: 行", "the last question has no ANSWER: line"));
    }
    if report.items.is_empty() && report.skipped.is_empty() {
        return Err(ImportError::Malformed("no Aiken questions found".into()));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_questions_and_reports_broken_ones() {
        let text = "电气设备的保护接地电阻一般不大于多少欧？\nA. 4\nB) 10\nC. 30\nANSWER: A\n\n坏题\nA) x\nB) y\nANSWER: Q\n\n无答案\nA) 1\nB) 2\n";
        let r = parse(text, &Limits::default()).expect("parse");
        assert_eq!(r.items.len(), 1);
        let item = &r.items[0];
        assert_eq!(item.stem, "电气设备的保护接地电阻一般不大于多少欧？");
        assert_eq!(item.key, Key::Single { choice: "A".into() });
        assert_eq!(item.choices[1].content, "10");
        assert_eq!(r.skipped.len(), 2);
        assert_eq!(r.skipped[0].code, SkipCode::InvalidItem);
        assert_eq!(r.skipped[0].item, "line 7");
        assert!(looks_like(text));
        assert!(!looks_like("just some text"));
    }
}
