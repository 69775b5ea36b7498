//! Moodle XML (`<quiz><question type="…">`), as Moodle exports it: multichoice, truefalse,
//! shortanswer, essay and short-answer-only cloze become items; category paths become tags;
//! every other type is skipped by name. Embedded `<file>` images become assets. Reserved tags
//! written by our exporter ([`fields`]) are turned back into the fields they carry.
pub(crate) mod base64;
pub(crate) mod cloze;
pub(crate) mod fields;
#[cfg(test)]
mod round_trip_tests;

use super::xml_dom::{self, Element};
use super::{ImportError, ImportReport, Limits, SkipCode, xml_safety};
use crate::item::{Asset, Choice, ItemDraft, Key, Points, choice_letter};
use crate::sanitize::{clean, escape, text_of};
use crate::why::Why;

/// Moodle writes fractions with 7 decimals; anything this close to 100 is full marks.
const FULL: f64 = 99.99;

type Skip = (SkipCode, Why);

pub fn parse(text: &str, limits: &Limits) -> Result<ImportReport, ImportError> {
    xml_safety::check(text)?;
    let root = xml_dom::parse_moodle(text).map_err(|e| ImportError::Malformed(format!("not well-formed XML: {e}")))?;
    if root.name != "quiz" {
        return Err(ImportError::Malformed(format!("the root element is <{}>, not Moodle's <quiz>", root.name)));
    }
    let mut report = ImportReport::default();
    // A category question sets the category of the questions after it.
    let mut category: Option<String> = None;
    for (i, q) in root.children_named("question").enumerate() {
        let kind = q.attr("type").unwrap_or_default().trim();
        let name = q.text_of("name").map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).unwrap_or_else(|| format!("question {}", i + 1));
        match kind {
            "category" => category = q.text_of("category").and_then(|c| fields::category_tag(&c)),
            "multichoice" | "truefalse" | "shortanswer" | "essay" | "cloze" | "multianswer" => match read(q, kind, &name, category.as_deref()) {
                Ok(draft) => report.push_checked(draft),
                Err((code, why)) => report.skip_said(name, code, why),
            },
            "description" => {
                report.skip_said(name, SkipCode::UnsupportedType, Why::new("说明文字（只有文字，没有答案）", "description (text only, no answer)"))
            }
            "" => report.skip_said(name, SkipCode::MalformedItem, Why::new("试题没有题型", "the question has no type")),
            other => report.skip(name, SkipCode::UnsupportedType, other),
        }
        if report.items.len() > limits.max_items {
            return Err(ImportError::TooManyItems { limit: limits.max_items });
        }
    }
    Ok(report)
}

fn read(q: &Element, kind: &str, name: &str, category: Option<&str>) -> Result<ItemDraft, Skip> {
    let mut assets = Vec::new();
    let qtext = q.child("questiontext");
    let raw_stem = qtext.and_then(|t| t.child("text")).map(Element::direct_text).unwrap_or_default();
    let format = qtext.and_then(|t| t.attr("format")).unwrap_or("html");
    if let Some(qt) = qtext {
        files(qt, &mut assets)?;
    }
    let mut tags: Vec<String> = category.map(str::to_string).into_iter().collect();
    if let Some(list) = q.child("tags") {
        tags.extend(list.children_named("tag").filter_map(|t| t.child("text")).map(Element::direct_text).map(|t| t.trim().to_string()));
        tags.retain(|t| !t.is_empty());
    }
    // A cloze question's text is rewritten: its blanks become `____`.
    let mut cloze_stem = None;
    let mut choices = Vec::new();
    let key = match kind {
        "multichoice" => {
            let mut fractions = Vec::new();
            for a in q.children_named("answer") {
                files(a, &mut assets)?;
                let content = html(&a.child("text").map(Element::direct_text).unwrap_or_default(), a.attr("format").unwrap_or("html"));
                if content.is_empty() {
                    continue;
                }
                let id = choice_letter(choices.len());
                fractions.push((id.clone(), fraction(a)?));
                choices.push(Choice { id, content, fixed: false });
            }
            // As Moodle reads it: absent means single; "false", "0" and empty mean multiple.
            let single = q.field("single").is_none_or(|s| !matches!(s.as_str(), "false" | "0" | ""));
            let right: Vec<String> = fractions.iter().filter(|(_, f)| if single { *f >= FULL } else { *f > 0.0 }).map(|(id, _)| id.clone()).collect();
            if !single {
                Key::Multiple { choices: right }
            } else if let [one] = right.as_slice() {
                Key::Single { choice: one.clone() }
            } else if right.is_empty() {
                return Err((SkipCode::InvalidItem, Why::new("没有得分比例为 100 的选项", "no option has fraction 100")));
            } else {
                return Err((
                    SkipCode::InvalidItem,
                    Why::new("单选题中有多个得分比例为 100 的选项", "several options have fraction 100 in a single-answer question"),
                ));
            }
        }
        "truefalse" => {
            let mut value = None;
            for a in q.children_named("answer") {
                if fraction(a)? >= FULL {
                    let text = text_of(&a.child("text").map(Element::direct_text).unwrap_or_default()).to_lowercase();
                    value = match text.as_str() {
                        "true" => Some(true),
                        "false" => Some(false),
                        _ => {
                            return Err((
                                SkipCode::InvalidItem,
                                Why::new(format!("正确答案“{text}”既不是“对”也不是“错”"), format!("the right answer \"{text}\" is neither true nor false")),
                            ));
                        }
                    };
                }
            }
            Key::TrueFalse { value: value.ok_or((SkipCode::InvalidItem, Why::new("没有得分比例为 100 的答案", "no answer has fraction 100")))? }
        }
        "shortanswer" => {
            let mut accepted = Vec::new();
            for a in q.children_named("answer") {
                if fraction(a)? >= FULL {
                    accepted.extend(fields::short_answer(&a.child("text").map(Element::direct_text).unwrap_or_default()));
                }
            }
            Key::FillIn { blanks: vec![accepted] }
        }
        "essay" => {
            let info = q.child("graderinfo");
            let text = info.and_then(|g| g.child("text")).map(Element::direct_text).unwrap_or_default();
            let reference = match info.and_then(|g| g.attr("format")).unwrap_or("html") {
                "plain_text" | "markdown" => text,
                _ => text_of(&text),
            };
            Key::ShortAnswer { reference: (!reference.trim().is_empty()).then_some(reference) }
        }
        _ => {
            let (text, blanks) = read_cloze(&raw_stem, fields::appended_blanks(&tags))?;
            cloze_stem = Some(text);
            Key::FillIn { blanks }
        }
    };
    let stem = html(cloze_stem.as_deref().unwrap_or(&raw_stem), format);
    let mut draft = ItemDraft::new(name, stem, choices, key);
    if let Some(grade) = q.field("defaultgrade").filter(|g| !g.is_empty()) {
        draft.points = Points::parse(&grade)
            .ok_or((SkipCode::InvalidItem, Why::new(format!("defaultgrade {grade} 不是分值"), format!("defaultgrade {grade} is not a number of points"))))?;
    }
    draft.code = q.field("idnumber").filter(|c| !c.is_empty());
    draft.tags = tags;
    draft.assets = assets;
    fields::apply_reserved_tags(&mut draft);
    Ok(draft)
}

/// A cloze question's stem with each blank shown as `____` (blanks our exporter appended
/// are removed again), and the accepted answers of each blank.
fn read_cloze(raw: &str, appended: usize) -> Result<(String, Vec<Vec<String>>), Skip> {
    let parts = cloze::split(raw);
    let mut blanks = Vec::new();
    for part in &parts {
        if let cloze::Part::Blank(b) = part {
            if !b.is_short_answer() {
                return Err((SkipCode::UnsupportedType, Why::new(format!("完形题中含 {} 类型的空", b.kind), format!("cloze with a {} blank", b.kind))));
            }
            let accepted = b.answers.iter().filter(|(f, _)| *f >= FULL).filter_map(|(_, a)| fields::short_answer(a));
            blanks.push(accepted.collect::<Vec<_>>());
        }
    }
    if blanks.is_empty() {
        return Err((SkipCode::InvalidItem, Why::new("完形题没有空", "a cloze question without blanks")));
    }
    let kept = blanks.len().saturating_sub(appended);
    let mut stem = String::with_capacity(raw.len());
    let mut index = 0;
    for part in parts {
        match part {
            cloze::Part::Text(t) => stem.push_str(t),
            cloze::Part::Blank(_) => {
                if index < kept {
                    stem.push_str("____");
                } else if stem.ends_with(' ') {
                    // The exporter put one space before each blank it appended.
                    stem.pop();
                }
                index += 1;
            }
        }
    }
    Ok((stem, blanks))
}

/// An answer's fraction in percent; a missing one is 0.
fn fraction(answer: &Element) -> Result<f64, Skip> {
    match answer.attr("fraction").map(str::trim) {
        None | Some("") => Ok(0.0),
        Some(f) => f
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or((SkipCode::MalformedItem, Why::new(format!("答案得分比例“{f}”不是数字"), format!("the answer fraction \"{f}\" is not a number")))),
    }
}

/// Text in one of Moodle's formats as sanitised HTML, with `@@PLUGINFILE@@/x.png` as `x.png`
/// so it names the item's asset.
fn html(text: &str, format: &str) -> String {
    let text = text.replace("@@PLUGINFILE@@/", "");
    let out = match format {
        // No Markdown renderer here: the source is shown as written.
        "plain_text" | "markdown" => escape(text.trim()).replace('\n', "<br>"),
        // Moodle's own format is HTML in which line breaks count.
        "moodle_auto_format" => clean(&text.trim().replace('\n', "<br>")),
        _ => clean(&text),
    };
    out.trim().to_string()
}

/// Base64 `<file>` children as assets, named by their path inside the question's file area.
fn files(el: &Element, assets: &mut Vec<Asset>) -> Result<(), Skip> {
    for f in el.children_named("file") {
        let name = f.attr("name").unwrap_or_default().trim();
        if name.is_empty() {
            continue;
        }
        let dir = f.attr("path").unwrap_or("/").trim().trim_matches('/');
        let path = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
        if f.attr("encoding").is_some_and(|e| !e.eq_ignore_ascii_case("base64")) {
            return Err((SkipCode::MalformedItem, Why::new(format!("文件 {path} 不是 base64 编码"), format!("the file {path} is not base64-encoded"))));
        }
        let bytes = base64::decode(&f.direct_text())
            .ok_or((SkipCode::MalformedItem, Why::new(format!("文件 {path} 不是有效的 base64"), format!("the file {path} is not valid base64"))))?;
        if !assets.iter().any(|a| a.path == path) {
            assets.push(Asset { mime: crate::item::mime_of(&path).to_string(), path, bytes });
        }
    }
    Ok(())
}
