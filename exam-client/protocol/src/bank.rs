//! Question banks, their items and reviews, imports and exports, as the API carries them.
use question_bank::{Choice, Difficulty, ItemType, Key, Points};
use serde::{Deserialize, Serialize};

pub use question_bank::blueprint::{Blueprint, Shortfall};
pub use question_bank::outline::{Importance, Outline, OutlineProblem};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bank {
    pub id: i64,
    /// The owning institution; `None` for a provincial bank kept by the regulator.
    pub institution_id: Option<i64>,
    /// National occupational classification code, e.g. `6-31-01-03`.
    pub occupation_code: String,
    /// 工种, or empty.
    pub work_type: String,
    pub name: String,
    /// Level codes 5 … 1 this bank holds items for.
    pub levels: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBank {
    #[serde(default)]
    pub institution_id: Option<i64>,
    pub occupation_code: String,
    #[serde(default)]
    pub work_type: String,
    pub name: String,
    pub levels: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Author,
    Reviewer,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Author => "author",
            MemberRole::Reviewer => "reviewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [MemberRole::Author, MemberRole::Reviewer].into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub account_id: i64,
    pub role: MemberRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Draft,
    InReview,
    Approved,
    Rejected,
    Retired,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 5] = [ItemStatus::Draft, ItemStatus::InReview, ItemStatus::Approved, ItemStatus::Rejected, ItemStatus::Retired];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::InReview => "in_review",
            ItemStatus::Approved => "approved",
            ItemStatus::Rejected => "rejected",
            ItemStatus::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ItemStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What an author writes: everything about an item except its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemContent {
    #[serde(default)]
    pub code: Option<String>,
    pub item_type: ItemType,
    /// HTML; sanitised by the server.
    pub stem: String,
    #[serde(default)]
    pub choices: Vec<Choice>,
    pub key: Key,
    pub points: Points,
    #[serde(default)]
    pub difficulty: Option<Difficulty>,
    #[serde(default)]
    pub outline_point: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// One version of an item as authors and reviewers see it (with its key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub item_id: i64,
    pub version_id: i64,
    pub version: i64,
    pub bank_id: i64,
    pub status: ItemStatus,
    pub author_id: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub review_comment: Option<String>,
    pub created_at_ms: i64,
    pub content: ItemContent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemPage {
    pub total: i64,
    pub items: Vec<ItemRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Approve,
    Reject,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub decision: ReviewDecision,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedItem {
    pub item: String,
    pub code: String,
    pub reason: String,
}

/// The report of an import, dry run or committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub format: String,
    pub imported: usize,
    pub skipped: Vec<SkippedItem>,
    pub dry_run: bool,
    /// Images an item points at that the file does not carry: the item and the image's path.
    #[serde(default)]
    pub missing_images: Vec<MissingImage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingImage {
    pub item: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineVersion {
    pub version: i64,
    pub outline: Outline,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feasibility {
    pub feasible: bool,
    pub approved_items: usize,
    pub shortfalls: Vec<Shortfall>,
    pub problems: Vec<String>,
}

/// An item as a candidate receives it: no key, no points per option, nothing to give the
/// answer away. The one shape the exam page and the authors' preview both render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateItem {
    pub item_type: ItemType,
    pub stem: String,
    /// Option ids and content, in the order this candidate sees them.
    pub choices: Vec<CandidateChoice>,
    /// How many blanks a fill-in item has.
    pub blanks: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateChoice {
    pub id: String,
    pub content: String,
}

impl CandidateItem {
    pub fn from_content(c: &ItemContent) -> CandidateItem {
        CandidateItem {
            item_type: c.item_type,
            stem: c.stem.clone(),
            choices: c.choices.iter().map(|ch| CandidateChoice { id: ch.id.clone(), content: ch.content.clone() }).collect(),
            blanks: match &c.key {
                Key::FillIn { blanks } => blanks.len(),
                _ => 0,
            },
        }
    }
}
