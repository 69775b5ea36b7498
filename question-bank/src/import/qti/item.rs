//! One `assessmentItem` mapped to an [`ItemDraft`]: which interaction it uses, the key in
//! option letters, the points, and whether a two-option choice is really a true/false item.
use crate::why::Why;
use std::collections::HashSet;

use super::{Parsed, html};
use crate::import::xml_dom::{Element, Ns};
use crate::import::{SkipCode, Skipped};
use crate::item::{Choice, ItemDraft, ItemType, Key, Points, choice_letter};

const CHOICE: &str = "choiceInteraction";
const TEXT_ENTRY: &str = "textEntryInteraction";
const EXTENDED_TEXT: &str = "extendedTextInteraction";

/// Option pairs that make a single choice a true/false item, the "true" reading first.
const TRUE_FALSE: [(&str, &str); 7] =
    [("对", "错"), ("正确", "错误"), ("true", "false"), ("wahr", "falsch"), ("richtig", "falsch"), ("ja", "nein"), ("yes", "no")];

pub(super) fn build(root: &Element, item_ref: &str, hint: Option<ItemType>) -> Parsed {
    let source_ref = root.attr("identifier").filter(|s| !s.trim().is_empty()).unwrap_or(item_ref).to_owned();
    let skip = |code, detail: String| Parsed::Skipped(Skipped::new(source_ref.clone(), code, detail));
    let said = |code, why: Why| Parsed::Skipped(Skipped::said(source_ref.clone(), code, why));
    if root.child("templateDeclaration").is_some() {
        return said(
            SkipCode::UnsupportedType,
            Why::new("templateDeclaration（由模板变量生成的试题）", "templateDeclaration (an item generated from template variables)"),
        );
    }
    let Some(body) = root.child("itemBody") else {
        return said(SkipCode::InvalidItem, Why::new("试题没有 itemBody", "the item has no itemBody"));
    };
    let mut interactions: Vec<&Element> = Vec::new();
    let is_interaction = |e: &Element| e.ns == Ns::Qti && e.name.ends_with("Interaction");
    body.walk(&|e| !is_interaction(e), &mut |e| {
        if is_interaction(e) {
            interactions.push(e);
        }
    });
    let mut kinds: Vec<&Element> = Vec::new();
    // A set beside the list: searching `kinds` was quadratic in distinct interaction names.
    let mut seen: HashSet<&str> = HashSet::new();
    for i in &interactions {
        if seen.insert(i.name.as_str()) {
            kinds.push(i);
        }
    }
    let Some(first) = kinds.first() else {
        return said(SkipCode::UnsupportedType, Why::new("没有作答交互：仅供阅读的内容", "no interaction: an information-only item"));
    };
    if kinds.len() > 1 {
        let names: Vec<&str> = kinds.iter().map(|k| k.raw.as_str()).collect();
        return said(
            SkipCode::UnsupportedType,
            Why::new(format!("一道题中混用多种交互：{}", names.join(", ")), format!("mixed interactions in one item: {}", names.join(", "))),
        );
    }
    let kind = first.name.as_str();
    if ![CHOICE, TEXT_ENTRY, EXTENDED_TEXT].contains(&kind) {
        return skip(SkipCode::UnsupportedType, first.raw.clone());
    }
    if kind != TEXT_ENTRY && interactions.len() > 1 {
        return said(
            SkipCode::UnsupportedType,
            Why::new(format!("一道题中有 {} 个 {}", interactions.len(), first.raw), format!("{} {} in one item", interactions.len(), first.raw)),
        );
    }
    let responses = Responses(root.children_named("responseDeclaration").collect());
    let stem = html::content(body);
    let built = match kind {
        CHOICE => choice(first, &responses, hint),
        TEXT_ENTRY => Ok(fill_in(&interactions, &responses)),
        _ => Ok(short_answer(first, body, &responses)),
    };
    let (choices, key, mapped) = match built {
        Ok(b) => b,
        Err(why) => return said(SkipCode::InvalidItem, why),
    };
    let mut draft = ItemDraft::new(source_ref, stem, choices, key);
    draft.points = points(root).or(mapped).unwrap_or(Points::ONE);
    Parsed::Item(draft)
}

/// The response declarations, found by the identifier an interaction names.
struct Responses<'a>(Vec<&'a Element>);

impl<'a> Responses<'a> {
    fn of(&self, interaction: &Element) -> Option<&'a Element> {
        let id = interaction.attr("responseIdentifier")?;
        self.0.iter().copied().find(|d| d.attr("identifier") == Some(id))
    }
}

/// The correct response's values, trimmed, empty ones left out.
fn correct_values(decl: Option<&Element>) -> Vec<String> {
    let Some(correct) = decl.and_then(|d| d.child("correctResponse")) else {
        return Vec::new();
    };
    correct.children_named("value").map(|v| v.text().trim().to_owned()).filter(|v| !v.is_empty()).collect()
}

/// The mapping's entries worth points, in order, and the most a response can score by it
/// (the sum of positive entries, or the largest one for a single response, up to the bound).
fn mapping(decl: Option<&Element>, single: bool) -> (Vec<String>, Option<f64>) {
    let Some(map) = decl.and_then(|d| d.child("mapping")) else {
        return (Vec::new(), None);
    };
    let mut keys = Vec::new();
    let mut values = Vec::new();
    for entry in map.children_named("mapEntry") {
        let value: f64 = entry.attr("mappedValue").and_then(|v| v.trim().parse().ok()).unwrap_or(0.0);
        if value > 0.0 && value.is_finite() {
            keys.extend(entry.attr("mapKey").map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()));
            values.push(value);
        }
    }
    let best = if single { values.iter().copied().fold(0.0, f64::max) } else { values.iter().sum() };
    let bound = map.attr("upperBound").and_then(|v| v.trim().parse::<f64>().ok()).filter(|b| *b > 0.0);
    let best = bound.map_or(best, |b| best.min(b));
    (keys, (best > 0.0).then_some(best))
}

type Built = (Vec<Choice>, Key, Option<Points>);

fn choice(interaction: &Element, responses: &Responses<'_>, hint: Option<ItemType>) -> Result<Built, Why> {
    let options: Vec<&Element> = interaction.children_named("simpleChoice").collect();
    let choices: Vec<Choice> = options
        .iter()
        .enumerate()
        .map(|(i, o)| Choice { id: choice_letter(i), content: html::content(o), fixed: matches!(o.attr("fixed").map(str::trim), Some("true" | "1")) })
        .collect();
    let decl = responses.of(interaction);
    let single = match decl.and_then(|d| d.attr("cardinality")) {
        Some(c) => c == "single",
        None => interaction.attr("maxChoices").map(str::trim) == Some("1"),
    };
    let values = correct_values(decl);
    if values.is_empty() {
        return Err(Why::new("没有声明正确答案", "no correct response is declared"));
    }
    let position = |v: &str| options.iter().position(|o| o.attr("identifier").map(str::trim) == Some(v));
    let mut keys = Vec::new();
    for v in &values {
        keys.push(position(v).ok_or_else(|| Why::new(format!("正确答案 {v} 不是选项之一"), format!("the correct response {v} is not one of the choices")))?);
    }
    let mapped = mapping(decl, single).1.and_then(Points::from_f64).filter(|p| p.0 > 0);
    if !single {
        keys.sort_unstable();
        keys.dedup();
        return Ok((choices, Key::Multiple { choices: keys.into_iter().map(choice_letter).collect() }, mapped));
    }
    let [key] = keys[..] else {
        return Err(Why::new(format!("单选题声明了 {} 个正确答案", keys.len()), format!("a single-choice item declares {} correct responses", keys.len())));
    };
    if let Some(true_at) = true_choice(&options, &choices, hint) {
        return Ok((Vec::new(), Key::TrueFalse { value: key == true_at }, mapped));
    }
    Ok((choices, Key::Single { choice: choice_letter(key) }, mapped))
}

/// Which of two options means "true", if the item is a true/false item: identifiers
/// `true`/`false` (what the exporter writes), or option texts such as 对/错 or richtig/falsch.
/// The exporter's manifest can say the item is a plain single choice, which wins.
fn true_choice(options: &[&Element], choices: &[Choice], hint: Option<ItemType>) -> Option<usize> {
    if hint == Some(ItemType::SingleChoice) || choices.len() != 2 {
        return None;
    }
    let ids: Vec<String> = options.iter().map(|o| o.attr("identifier").unwrap_or("").trim().to_lowercase()).collect();
    if ids == ["true", "false"] {
        return Some(0);
    }
    if ids == ["false", "true"] {
        return Some(1);
    }
    let reading = |c: &Choice| {
        let text = crate::sanitize::text_of(&c.content).to_lowercase();
        text.trim_end_matches(['.', '。', '!', '！']).trim().to_owned()
    };
    let (a, b) = (reading(&choices[0]), reading(&choices[1]));
    for (t, f) in TRUE_FALSE {
        if a == t && b == f {
            return Some(0);
        }
        if a == f && b == t {
            return Some(1);
        }
    }
    (hint == Some(ItemType::TrueFalse)).then_some(0)
}

/// One blank per text entry: the correct response plus mapped answers worth points.
fn fill_in(interactions: &[&Element], responses: &Responses<'_>) -> Built {
    let mut blanks = Vec::new();
    let mut total = 0.0;
    let mut all_mapped = true;
    for interaction in interactions {
        let decl = responses.of(interaction);
        let mut answers = correct_values(decl);
        let (mapped, best) = mapping(decl, true);
        // Only mapped answers are deduplicated, as before; the set keeps that linear.
        let mut seen: HashSet<String> = answers.iter().cloned().collect();
        for a in mapped {
            if seen.insert(a.clone()) {
                answers.push(a);
            }
        }
        match best {
            Some(b) => total += b,
            None => all_mapped = false,
        }
        blanks.push(answers);
    }
    let mapped = all_mapped.then(|| Points::from_f64(total)).flatten().filter(|p| p.0 > 0);
    (Vec::new(), Key::FillIn { blanks }, mapped)
}

/// Essays: the correct response, or else a rubric for scorers, is the marking guide.
fn short_answer(interaction: &Element, body: &Element, responses: &Responses<'_>) -> Built {
    let values = correct_values(responses.of(interaction));
    let mut reference = (!values.is_empty()).then(|| values.join("\n"));
    if reference.is_none() {
        let mut rubric = None;
        body.walk(&|_| true, &mut |e| {
            if rubric.is_none() && e.name == "rubricBlock" && e.attr("view").is_some_and(|v| v.contains("scorer")) {
                rubric = Some(e.text().split_whitespace().collect::<Vec<_>>().join(" "));
            }
        });
        reference = rubric.filter(|r| !r.is_empty());
    }
    (Vec::new(), Key::ShortAnswer { reference }, None)
}

/// Points the item declares: MAXSCORE's default value, else SCORE's normal maximum.
fn points(root: &Element) -> Option<Points> {
    let outcome = |id: &str| root.children_named("outcomeDeclaration").find(|o| o.attr("identifier") == Some(id));
    let max_score = outcome("MAXSCORE").and_then(|o| o.child("defaultValue")).and_then(|d| d.child("value")).and_then(|v| Points::parse(&v.text()));
    let normal_max = outcome("SCORE").and_then(|o| o.attr("normalMaximum")).and_then(Points::parse);
    max_score.filter(|p| p.0 > 0).or(normal_max.filter(|p| p.0 > 0))
}
