//! What Moodle has no field for, carried in tags with reserved prefixes so that a bank
//! exported to Moodle XML (or via Moodle to GIFT) comes back whole; also the rules both
//! Moodle importers share for categories, short-answer wildcards and image types.
use std::collections::HashMap;

use crate::item::{Difficulty, ItemDraft};

/// `difficulty:3`: the item's difficulty, 1 to 5.
pub const DIFFICULTY: &str = "difficulty:";
/// `outline:3-A-A-B-E`: the outline point (鉴定点) the item tests.
pub const OUTLINE: &str = "outline:";
/// `source:…`: where the item came from.
pub const SOURCE: &str = "source:";
/// `fixed:C`: option C stays in place when options are shuffled (one tag per option).
pub const FIXED: &str = "fixed:";
/// `cloze-appended:N`: the last N blanks of a cloze item were added after the stem because
/// the stem had fewer `____` marks than blanks; they are removed again on import.
pub const CLOZE_APPENDED: &str = "cloze-appended:";

/// The reserved tags for the fields of `item`, in a fixed order, after its own tags.
pub fn tags_for(item: &ItemDraft, appended_blanks: usize) -> Vec<String> {
    let mut tags = item.tags.clone();
    if let Some(d) = item.difficulty {
        tags.push(format!("{DIFFICULTY}{}", d.value()));
    }
    if let Some(o) = &item.outline_point {
        tags.push(format!("{OUTLINE}{o}"));
    }
    if let Some(s) = &item.source {
        tags.push(format!("{SOURCE}{s}"));
    }
    tags.extend(item.choices.iter().filter(|c| c.fixed).map(|c| format!("{FIXED}{}", c.id)));
    if appended_blanks > 0 {
        tags.push(format!("{CLOZE_APPENDED}{appended_blanks}"));
    }
    tags
}

/// The number of appended cloze blanks a tag list announces (0 if none).
pub fn appended_blanks(tags: &[String]) -> usize {
    tags.iter().find_map(|t| t.strip_prefix(CLOZE_APPENDED)?.parse().ok()).unwrap_or(0)
}

/// Moves reserved tags into the fields they stand for. A reserved tag that does not fit
/// (a difficulty of 9, a fixed option that does not exist) stays an ordinary tag.
pub fn apply_reserved_tags(item: &mut ItemDraft) {
    let tags = std::mem::take(&mut item.tags);
    // Option ids to their first position: searching the options for every tag was quadratic.
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (i, c) in item.choices.iter().enumerate() {
        by_id.entry(c.id.clone()).or_insert(i);
    }
    for tag in tags {
        if let Some(d) = tag.strip_prefix(DIFFICULTY).and_then(|v| v.trim().parse().ok()).and_then(Difficulty::new) {
            if item.difficulty.is_none() {
                item.difficulty = Some(d);
                continue;
            }
        } else if let Some(o) = tag.strip_prefix(OUTLINE).filter(|o| !o.is_empty()) {
            if item.outline_point.is_none() {
                item.outline_point = Some(o.to_string());
                continue;
            }
        } else if let Some(s) = tag.strip_prefix(SOURCE).filter(|s| !s.is_empty()) {
            if item.source.is_none() {
                item.source = Some(s.to_string());
                continue;
            }
        } else if let Some(id) = tag.strip_prefix(FIXED) {
            if let Some(choice) = by_id.get(id).and_then(|&i| item.choices.get_mut(i)) {
                choice.fixed = true;
                continue;
            }
        } else if tag.strip_prefix(CLOZE_APPENDED).is_some_and(|n| n.parse::<usize>().is_ok()) {
            continue;
        }
        item.tags.push(tag);
    }
}

/// A category path as a tag: `$course$/top/电工/低压` → `电工/低压`; `None` for the top.
pub fn category_tag(path: &str) -> Option<String> {
    let mut rest = path.trim();
    // Moodle prefixes the context ($course$, $system$, $module$, $cat$) and then "top".
    if let Some(after) = rest.strip_prefix('$').and_then(|r| r.split_once('$')).map(|(_, r)| r) {
        rest = after.trim_start_matches('/');
    }
    rest = rest.strip_prefix("top/").unwrap_or(rest);
    let rest = rest.trim_matches('/').trim();
    (!rest.is_empty() && rest != "top").then(|| rest.to_string())
}

/// A Moodle short answer as our fill-in key holds it. Moodle reads `*` as "any text";
/// leading and trailing ones are dropped (so `*manually*` accepts "manually"), `\*` is a
/// literal asterisk. `None` when nothing but wildcards is left.
pub fn short_answer(text: &str) -> Option<String> {
    let mut s = text.trim();
    while let Some(r) = s.strip_prefix('*') {
        s = r;
    }
    while s.ends_with('*') && !s.ends_with("\\*") {
        s = &s[..s.len() - 1];
    }
    let s = s.replace("\\*", "*");
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The inverse of [`short_answer`]: an accepted answer written so Moodle takes it literally.
pub fn short_answer_pattern(answer: &str) -> String {
    answer.replace('*', "\\*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_wildcards_and_types() {
        assert_eq!(category_tag("$course$/top/Default for Unit 1: Topic").as_deref(), Some("Default for Unit 1: Topic"));
        assert_eq!(category_tag("$course$/qas_editor/num").as_deref(), Some("qas_editor/num"));
        assert_eq!(category_tag("qas editor/Essays").as_deref(), Some("qas editor/Essays"));
        assert_eq!(category_tag("$course$/top"), None);
        assert_eq!(short_answer("*manually*").as_deref(), Some("manually"));
        assert_eq!(short_answer("*"), None);
        assert_eq!(short_answer(&short_answer_pattern("a*")).as_deref(), Some("a*"));
        assert_eq!(short_answer(&short_answer_pattern("*电*")).as_deref(), Some("*电*"));
        assert_eq!(crate::item::mime_of("图.PNG"), "image/png");
    }
}
