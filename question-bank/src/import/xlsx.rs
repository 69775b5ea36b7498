//! The XLSX item template (see [`crate::xlsx_template`]): the first sheet, a header row, then
//! one item per row. Problems are reported by row number as a spreadsheet user counts them.
use crate::why::Why;
use std::collections::HashMap;

use calamine::Data;

use super::{ImportError, ImportReport, Limits, SkipCode, sheet};
use crate::item::{Choice, Difficulty, ItemDraft, ItemType, Key, Points, choice_letter};
use crate::sanitize;
use crate::xlsx_template::{self as tpl, Column};

/// A cell as text: whole numbers without a decimal point, booleans as 对 and 错.
pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => {
            if *b {
                "对".into()
            } else {
                "错".into()
            }
        }
        other => other.to_string(),
    }
}

/// A cell as item HTML: HTML (a tag or an entity in it) stays HTML, sanitised; plain text is
/// escaped.
fn rich(text: &str) -> String {
    if sanitize::looks_like_html(text) || sanitize::has_entity(text) { sanitize::clean(text) } else { sanitize::escape(text) }
}

fn item_type(s: &str) -> Option<ItemType> {
    let t = s.trim();
    Some(match t {
        "单选题" | "单选" | "单项选择题" | "single_choice" => ItemType::SingleChoice,
        "多选题" | "多选" | "多项选择题" | "multiple_choice" => ItemType::MultipleChoice,
        "判断题" | "判断" | "true_false" => ItemType::TrueFalse,
        "填空题" | "填空" | "fill_in" => ItemType::FillIn,
        "简答题" | "简答" | "问答题" | "论述题" | "short_answer" => ItemType::ShortAnswer,
        _ => return None,
    })
}

pub fn parse(bytes: &[u8], limits: &Limits) -> Result<ImportReport, ImportError> {
    let sheet = sheet::read_first(bytes, limits)?;
    let mut rows = sheet.rows.iter();
    let header = rows.next().ok_or_else(|| ImportError::Malformed("the sheet is empty".into()))?;
    let columns: HashMap<usize, Column> = header.cells().filter_map(|(i, d)| tpl::column_for_header(&cell_text(d)).map(|c| (i, c))).collect();
    for needed in [Column::Type, Column::Stem, Column::Answer] {
        if !columns.values().any(|c| *c == needed) {
            let name = tpl::COLUMNS.iter().find(|(c, _, _)| *c == needed).map(|(_, n, _)| *n).unwrap_or("?");
            return Err(ImportError::Malformed(format!("the header row has no {name} column")));
        }
    }
    let mut report = ImportReport::default();
    for (i, row) in rows.enumerate() {
        let row_no = i + 2;
        let mut cells: HashMap<Column, String> = HashMap::new();
        for (ci, d) in row.cells() {
            if let Some(c) = columns.get(&ci) {
                let text = cell_text(d).trim().to_string();
                if !text.is_empty() {
                    cells.insert(*c, text);
                }
            }
        }
        if cells.is_empty() {
            continue;
        }
        match row_item(&cells, row_no) {
            Ok(draft) => report.push_checked(draft),
            Err(why) => report.skip_said(format!("row {row_no}"), SkipCode::InvalidItem, why),
        }
        if report.items.len() > limits.max_items {
            return Err(ImportError::TooManyItems { limit: limits.max_items });
        }
    }
    Ok(report)
}

fn row_item(cells: &HashMap<Column, String>, row_no: usize) -> Result<ItemDraft, Why> {
    let get = |c: Column| cells.get(&c).map(String::as_str).unwrap_or("");
    let ty = item_type(get(Column::Type))
        .ok_or_else(|| Why::new(format!("未知题型 {:?}", get(Column::Type)), format!("unknown item type {:?}", get(Column::Type))))?;
    let answer = get(Column::Answer);
    let fixed: Vec<String> = get(Column::Fixed).chars().filter(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_uppercase().to_string()).collect();
    let choices: Vec<Choice> = if ty.is_choice() {
        (0..tpl::MAX_OPTIONS)
            .map_while(|i| cells.get(&Column::Option(i)).map(|t| (i, t)))
            .map(|(i, t)| {
                let id = choice_letter(i);
                Choice { fixed: fixed.contains(&id), id, content: rich(t) }
            })
            .collect()
    } else {
        Vec::new()
    };
    let letters = || -> Vec<String> { answer.chars().filter(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_uppercase().to_string()).collect() };
    let key = match ty {
        ItemType::SingleChoice => match letters().as_slice() {
            [one] => Key::Single { choice: one.clone() },
            _ => {
                return Err(Why::new(format!("单选题答案应为一个字母，实为 {answer:?}"), format!("a single-choice answer is one letter, got {answer:?}")));
            }
        },
        ItemType::MultipleChoice => {
            let mut l = letters();
            l.sort();
            l.dedup();
            Key::Multiple { choices: l }
        }
        ItemType::TrueFalse => Key::TrueFalse {
            value: tpl::parse_true_false(answer)
                .ok_or_else(|| Why::new(format!("判断题答案应为“对”或“错”，实为 {answer:?}"), format!("a true/false answer is 对 or 错, got {answer:?}")))?,
        },
        ItemType::FillIn => Key::FillIn { blanks: tpl::read_blanks(answer) },
        ItemType::ShortAnswer => Key::ShortAnswer { reference: Some(answer.to_string()).filter(|a| !a.is_empty()) },
    };
    let mut draft = ItemDraft::new(format!("row {row_no}"), rich(get(Column::Stem)), choices, key);
    if let Some(p) = cells.get(&Column::Points) {
        draft.points = Points::parse(p)
            .ok_or_else(|| Why::new(format!("分值应为 0 到 1000 的数，实为 {p:?}"), format!("points must be a number from 0 to 1000, got {p:?}")))?;
    }
    if let Some(d) = cells.get(&Column::Difficulty) {
        draft.difficulty = Some(
            d.parse::<u8>()
                .ok()
                .and_then(Difficulty::new)
                .ok_or_else(|| Why::new(format!("难度应为 1 到 5，实为 {d:?}"), format!("difficulty must be 1 to 5, got {d:?}")))?,
        );
    }
    draft.outline_point = cells.get(&Column::OutlinePoint).cloned();
    draft.code = cells.get(&Column::Code).cloned();
    draft.source = cells.get(&Column::Source).cloned();
    draft.tags = get(Column::Tags).split(tpl::TAG_SEPARATORS).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect();
    Ok(draft)
}
