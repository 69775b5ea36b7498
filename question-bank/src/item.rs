//! Items (试题) as importers produce them and banks keep them: type, sanitised stem and options,
//! the key, points, difficulty and the outline point the item tests.
use serde::{Deserialize, Serialize};

/// The item types a machine-based theory test uses. Everything else is skipped on import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    /// 单选题
    SingleChoice,
    /// 多选题
    MultipleChoice,
    /// 判断题
    TrueFalse,
    /// 填空题: one or more blanks, each with accepted answers.
    FillIn,
    /// 简答题: marked by people.
    ShortAnswer,
}

impl ItemType {
    pub const ALL: [ItemType; 5] = [ItemType::SingleChoice, ItemType::MultipleChoice, ItemType::TrueFalse, ItemType::FillIn, ItemType::ShortAnswer];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::SingleChoice => "single_choice",
            ItemType::MultipleChoice => "multiple_choice",
            ItemType::TrueFalse => "true_false",
            ItemType::FillIn => "fill_in",
            ItemType::ShortAnswer => "short_answer",
        }
    }

    pub fn parse(s: &str) -> Option<ItemType> {
        ItemType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The name Chinese item banks use, e.g. in the XLSX template's type column.
    pub fn name_zh(self) -> &'static str {
        match self {
            ItemType::SingleChoice => "单选题",
            ItemType::MultipleChoice => "多选题",
            ItemType::TrueFalse => "判断题",
            ItemType::FillIn => "填空题",
            ItemType::ShortAnswer => "简答题",
        }
    }

    pub fn is_choice(self) -> bool {
        matches!(self, ItemType::SingleChoice | ItemType::MultipleChoice)
    }
}

/// One option of a choice item. `id` is the letter shown (A, B, …) and the key refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    /// Sanitised HTML.
    pub content: String,
    /// Stays in place when options are shuffled (e.g. "以上都对 / all of the above").
    #[serde(default)]
    pub fixed: bool,
}

/// The right answer. Never sent to a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Key {
    /// The id of the one right choice.
    Single {
        choice: String,
    },
    /// The ids of every right choice, in choice order.
    Multiple {
        choices: Vec<String>,
    },
    TrueFalse {
        value: bool,
    },
    /// Per blank, the accepted answers (compared after [`crate::normalize::fill_in`]).
    FillIn {
        blanks: Vec<Vec<String>>,
    },
    /// A marking guide for the people who mark it, if the source has one.
    ShortAnswer {
        reference: Option<String>,
    },
}

impl Key {
    pub fn item_type(&self) -> ItemType {
        match self {
            Key::Single { .. } => ItemType::SingleChoice,
            Key::Multiple { .. } => ItemType::MultipleChoice,
            Key::TrueFalse { .. } => ItemType::TrueFalse,
            Key::FillIn { .. } => ItemType::FillIn,
            Key::ShortAnswer { .. } => ItemType::ShortAnswer,
        }
    }
}

/// Points in thousandths, so sums and comparisons are exact (1.5 points = 1500).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Points(pub u32);

impl Points {
    pub const ONE: Points = Points(1000);

    /// From a decimal as files write it ("1", "2.5", "1.0000000"); `None` if negative,
    /// not a number, or over 1000 points.
    pub fn parse(s: &str) -> Option<Points> {
        let v: f64 = s.trim().parse().ok()?;
        Points::from_f64(v)
    }

    pub fn from_f64(v: f64) -> Option<Points> {
        if !v.is_finite() || !(0.0..=1000.0).contains(&v) {
            return None;
        }
        Some(Points((v * 1000.0).round() as u32))
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 1000.0
    }
}

impl std::fmt::Display for Points {
    /// "2", "1.5", "0.125": no trailing zeros.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whole = self.0 / 1000;
        let frac = self.0 % 1000;
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let s = format!("{frac:03}");
            write!(f, "{whole}.{}", s.trim_end_matches('0'))
        }
    }
}

/// Difficulty 1 (easiest) to 5 (hardest), the scale Chinese banks use (难度 1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Difficulty(u8);

impl Difficulty {
    pub fn new(v: u8) -> Option<Difficulty> {
        (1..=5).contains(&v).then_some(Difficulty(v))
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Difficulty {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        Difficulty::new(v).ok_or_else(|| format!("difficulty must be 1 to 5, got {v}"))
    }
}

impl From<Difficulty> for u8 {
    fn from(d: Difficulty) -> u8 {
        d.0
    }
}

/// A file an item refers to (an image in a QTI package), kept with the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// The path the item's HTML uses for it.
    pub path: String,
    pub mime: String,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// An item as read from a file or typed in, before it is stored in a bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDraft {
    /// Where it came from in the source, for reports: an identifier, title or line.
    pub source_ref: String,
    /// The outline's item code (e.g. `3-A-A-B-E-004`), if given.
    pub code: Option<String>,
    pub item_type: ItemType,
    /// Sanitised HTML.
    pub stem: String,
    /// Options of choice items, in source order; empty for other types.
    pub choices: Vec<Choice>,
    pub key: Key,
    pub points: Points,
    pub difficulty: Option<Difficulty>,
    /// Code of the outline's assessment point (鉴定点) this item tests.
    pub outline_point: Option<String>,
    pub tags: Vec<String>,
    /// Free text: the file, book or standard it came from.
    pub source: Option<String>,
    /// Images and other files the stem or options use.
    pub assets: Vec<Asset>,
}

impl ItemDraft {
    /// The images the item's stem and options point at that it does not carry.
    pub fn missing_images(&self) -> Vec<String> {
        let mut html = self.stem.clone();
        for c in &self.choices {
            html.push_str(&c.content);
        }
        crate::sanitize::relative_sources(&html).into_iter().filter(|src| !self.assets.iter().any(|a| a.path == *src)).collect()
    }

    /// A draft with defaults (1 point, no difficulty, no tags); importers fill in the rest.
    pub fn new(source_ref: impl Into<String>, stem: impl Into<String>, choices: Vec<Choice>, key: Key) -> ItemDraft {
        ItemDraft {
            source_ref: source_ref.into(),
            code: None,
            item_type: key.item_type(),
            stem: stem.into(),
            choices,
            key,
            points: Points::ONE,
            difficulty: None,
            outline_point: None,
            tags: Vec::new(),
            source: None,
            assets: Vec::new(),
        }
    }

    /// Checks that the key fits the type and the options: every problem a reviewer would
    /// otherwise find by hand. Returns a reason fit for an import report.
    pub fn check(&self) -> Result<(), crate::why::Why> {
        use crate::why::Why;
        if self.key.item_type() != self.item_type {
            return Err(Why::new(
                format!("答案的题型（{}）与试题题型（{}）不一致", self.key.item_type().as_str(), self.item_type.as_str()),
                format!("key is for {} but the item is {}", self.key.item_type().as_str(), self.item_type.as_str()),
            ));
        }
        if crate::sanitize::text_of(&self.stem).trim().is_empty() && self.assets.is_empty() {
            return Err(Why::new("题干为空", "the stem is empty"));
        }
        let ids: Vec<&str> = self.choices.iter().map(|c| c.id.as_str()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != ids.len() {
            return Err(Why::new("有两个选项的编号相同", "two options have the same id"));
        }
        match &self.key {
            Key::Single { choice } => {
                if self.choices.len() < 2 {
                    return Err(Why::new("单选题至少需要 2 个选项", "a single-choice item needs at least 2 options"));
                }
                if unique.binary_search(&choice.as_str()).is_err() {
                    return Err(Why::new(format!("答案 {choice} 不是选项之一"), format!("the key {choice} is not one of the options")));
                }
            }
            Key::Multiple { choices } => {
                if self.choices.len() < 2 {
                    return Err(Why::new("多选题至少需要 2 个选项", "a multiple-choice item needs at least 2 options"));
                }
                if choices.is_empty() {
                    return Err(Why::new("多选题至少需要一个正确选项", "a multiple-choice item needs at least one right option"));
                }
                // `unique` is sorted: searching it keeps an item of many options linear-log.
                if let Some(bad) = choices.iter().find(|c| unique.binary_search(&c.as_str()).is_err()) {
                    return Err(Why::new(format!("答案 {bad} 不是选项之一"), format!("the key {bad} is not one of the options")));
                }
            }
            Key::TrueFalse { .. } | Key::ShortAnswer { .. } => {
                if !self.choices.is_empty() {
                    return Err(Why::new("该题型没有选项", "this item type has no options"));
                }
            }
            Key::FillIn { blanks } => {
                if blanks.is_empty() || blanks.iter().any(|b| b.iter().all(|a| a.trim().is_empty())) {
                    return Err(Why::new("每个空至少需要一个可接受的答案", "every blank needs at least one accepted answer"));
                }
            }
        }
        if self.points.0 == 0 {
            return Err(Why::new("试题分值必须大于 0", "an item must be worth more than 0 points"));
        }
        Ok(())
    }
}

/// The media type of an item's file from its name, for formats that do not record it.
pub fn mime_of(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Option letters A, B, C, … (then A1, B1, … past Z, which no real item reaches).
pub fn choice_letter(index: usize) -> String {
    let letter = char::from(b'A' + (index % 26) as u8);
    if index < 26 { letter.to_string() } else { format!("{letter}{}", index / 26) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_and_print_exactly() {
        assert_eq!(Points::parse("1.0000000"), Some(Points(1000)));
        assert_eq!(Points::parse("2.5").map(|p| p.to_string()), Some("2.5".into()));
        assert_eq!(Points(125).to_string(), "0.125");
        assert_eq!(Points::parse("-1"), None);
        assert_eq!(Points::parse("abc"), None);
    }

    #[test]
    fn check_catches_keys_that_do_not_fit() {
        let ab = vec![Choice { id: "A".into(), content: "甲".into(), fixed: false }, Choice { id: "B".into(), content: "乙".into(), fixed: false }];
        let ok = ItemDraft::new("1", "题干", ab.clone(), Key::Single { choice: "B".into() });
        assert_eq!(ok.check(), Ok(()));
        let bad = ItemDraft::new("2", "题干", ab.clone(), Key::Single { choice: "C".into() });
        assert!(bad.check().is_err());
        let empty = ItemDraft::new("3", "  ", ab, Key::Multiple { choices: vec!["A".into()] });
        assert!(empty.check().is_err());
        let tf = ItemDraft::new("4", "地球是圆的", vec![], Key::TrueFalse { value: true });
        assert_eq!(tf.check(), Ok(()));
        assert_eq!(choice_letter(0), "A");
        assert_eq!(choice_letter(5), "F");
    }
}
