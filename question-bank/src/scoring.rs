//! Scoring a candidate's response against an item's key: the shape checks a response must pass
//! before it is stored, points for the auto-scored types, short answers to the markers, and
//! totals per outline scope for the score summary.
use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::item::{ItemType, Key, Points};
use crate::normalize;
use crate::outline::Outline;

#[cfg(test)]
mod tests;

/// Longest short answer kept, in characters: far beyond a real answer, small enough to store.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Longest fill-in blank, in characters.
pub const MAX_BLANK_CHARS: usize = 1_000;
/// The key [`by_scope`] gives points of items the outline cannot place (scope codes are never
/// empty in a valid outline).
pub const NO_SCOPE: &str = "";

/// What a candidate answered. JSON: `{"kind": "choices", "value": ["A", "C"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Response {
    /// Single choice: one id (none: not answered); multiple choice: any number.
    Choices(Vec<String>),
    TrueFalse(bool),
    /// One answer per blank, in order.
    Blanks(Vec<String>),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("this response does not fit a {} item", .item_type.as_str())]
    WrongShape { item_type: ItemType },
    /// `index`: the position in the response, not the id (which is the client's text).
    #[error("answer {index} is not one of the item's options")]
    UnknownChoice { index: usize },
    #[error("a single-choice item takes one option, not {count}")]
    TooManyChoices { count: usize },
    #[error("the same option is chosen twice")]
    DuplicateChoice,
    #[error("the item has {expected} blanks, the response {got}")]
    WrongBlankCount { expected: usize, got: usize },
    #[error("the answer is longer than {max} characters")]
    TooLong { max: usize },
    /// NUL cannot be stored in a PostgreSQL text column.
    #[error("the answer contains a NUL character")]
    InvalidCharacter,
}

impl ResponseError {
    /// Stable, for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            ResponseError::WrongShape { .. } => "wrong_response_shape",
            ResponseError::UnknownChoice { .. } => "unknown_choice",
            ResponseError::TooManyChoices { .. } => "too_many_choices",
            ResponseError::DuplicateChoice => "duplicate_choice",
            ResponseError::WrongBlankCount { .. } => "wrong_blank_count",
            ResponseError::TooLong { .. } => "response_too_long",
            ResponseError::InvalidCharacter => "invalid_character",
        }
    }
}

/// Checks a response against the item it answers: `choice_ids` are the item's option ids,
/// `blanks` its number of blanks. Choices are checked for unknown ids, then duplicates, then
/// count. An empty choice list is allowed: it clears the answer and scores 0.
pub fn validate(item_type: ItemType, choice_ids: &[String], blanks: usize, r: &Response) -> Result<(), ResponseError> {
    match (item_type, r) {
        (ItemType::SingleChoice | ItemType::MultipleChoice, Response::Choices(ids)) => {
            let mut seen = HashSet::new();
            for (index, id) in ids.iter().enumerate() {
                if !choice_ids.contains(id) {
                    return Err(ResponseError::UnknownChoice { index });
                }
                if !seen.insert(id.as_str()) {
                    return Err(ResponseError::DuplicateChoice);
                }
            }
            if item_type == ItemType::SingleChoice && ids.len() > 1 {
                return Err(ResponseError::TooManyChoices { count: ids.len() });
            }
            Ok(())
        }
        (ItemType::TrueFalse, Response::TrueFalse(_)) => Ok(()),
        (ItemType::FillIn, Response::Blanks(given)) => {
            if given.len() != blanks {
                return Err(ResponseError::WrongBlankCount { expected: blanks, got: given.len() });
            }
            given.iter().try_for_each(|b| check_text(b, MAX_BLANK_CHARS))
        }
        (ItemType::ShortAnswer, Response::Text(t)) => check_text(t, MAX_TEXT_CHARS),
        _ => Err(ResponseError::WrongShape { item_type }),
    }
}

fn check_text(s: &str, max: usize) -> Result<(), ResponseError> {
    // Bytes bound chars from above, so only long strings are counted, and only up to `max`.
    if s.len() > max && s.chars().nth(max).is_some() {
        return Err(ResponseError::TooLong { max });
    }
    if s.contains('\0') {
        return Err(ResponseError::InvalidCharacter);
    }
    Ok(())
}

/// Scoring options a bank or session can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScoringRules {
    /// Multiple choice: partial points when only right options are chosen (少选得部分分);
    /// default all-or-nothing.
    #[serde(default)]
    pub multiple_partial: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Scored {
    Points(Points),
    /// A short answer for the markers.
    NeedsMarking,
}

/// The points a response earns. Total on any input: a response of the wrong shape for the key
/// (which [`validate`] refuses) earns 0, as does no response and a blank short answer (nothing
/// to mark). Partial points are rounded down to the thousandth, all-right is exactly `points`.
pub fn score(key: &Key, response: Option<&Response>, points: Points, rules: &ScoringRules) -> Scored {
    let zero = Scored::Points(Points(0));
    let all_or_nothing = |right: bool| Scored::Points(if right { points } else { Points(0) });
    let Some(response) = response else {
        return zero;
    };
    match (key, response) {
        (Key::Single { choice }, Response::Choices(ids)) => all_or_nothing(matches!(ids.as_slice(), [id] if id == choice)),
        (Key::TrueFalse { value }, Response::TrueFalse(v)) => all_or_nothing(v == value),
        (Key::Multiple { choices }, Response::Choices(ids)) => Scored::Points(multiple(choices, ids, points, rules)),
        (Key::FillIn { blanks }, Response::Blanks(given)) => Scored::Points(fill_in(blanks, given, points)),
        (Key::ShortAnswer { .. }, Response::Text(t)) if !t.trim().is_empty() => Scored::NeedsMarking,
        _ => zero,
    }
}

/// Any wrong option: 0. Otherwise all right: full points; some right: 0, or with
/// `multiple_partial` points × right chosen / right in the key. Repeated ids count once.
fn multiple(key: &[String], chosen: &[String], points: Points, rules: &ScoringRules) -> Points {
    let right: HashSet<&str> = key.iter().map(String::as_str).collect();
    let chosen: HashSet<&str> = chosen.iter().map(String::as_str).collect();
    if right.is_empty() || chosen.is_empty() || !chosen.is_subset(&right) {
        return Points(0);
    }
    if chosen.len() == right.len() {
        points
    } else if rules.multiple_partial {
        share(points, chosen.len(), right.len())
    } else {
        Points(0)
    }
}

/// Each blank an equal share: points × right blanks / blanks, rounded down, so all right is
/// exactly `points` and which blanks are right does not matter. A blank left empty is never
/// right, even against an accepted answer that is empty.
fn fill_in(key: &[Vec<String>], given: &[String], points: Points) -> Points {
    let right = key
        .iter()
        .zip(given)
        .filter(|(accepted, answer)| {
            let answer = normalize::fill_in(answer);
            !answer.is_empty() && accepted.iter().any(|a| normalize::fill_in(a) == answer)
        })
        .count();
    share(points, right, key.len())
}

fn share(points: Points, part: usize, whole: usize) -> Points {
    // u128: no product of a u32 and a usize can overflow it.
    let (Ok(part), Ok(whole)) = (u128::try_from(part), u128::try_from(whole)) else {
        return Points(0);
    };
    if whole == 0 || part > whole {
        return Points(0);
    }
    Points(u32::try_from(u128::from(points.0) * part / whole).unwrap_or(0))
}

/// The paper's total, or `None` while a short answer waits for its marks.
pub fn total(scored: &[Scored]) -> Option<Points> {
    scored.iter().try_fold(Points(0), |sum, s| match s {
        Scored::Points(p) => Some(Points(sum.0.saturating_add(p.0))),
        Scored::NeedsMarking => None,
    })
}

/// Points per top-level scope (every scope of the outline, 0 when nothing scored there); items
/// without a point the outline knows go under [`NO_SCOPE`].
pub fn by_scope(outline: &Outline, scored: &[(Option<String>, Points)]) -> BTreeMap<String, Points> {
    let mut out: BTreeMap<String, Points> = outline.scopes.iter().map(|s| (s.code.clone(), Points(0))).collect();
    for (point, p) in scored {
        let scope = point
            .as_deref()
            .and_then(|c| outline.path_to_point(c))
            .and_then(|path| path.first().map(|s| s.code.clone()))
            .unwrap_or_else(|| NO_SCOPE.to_string());
        let sum = out.entry(scope).or_insert(Points(0));
        *sum = Points(sum.0.saturating_add(p.0));
    }
    out
}
