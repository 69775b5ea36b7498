//! Question banks on the server: who may do what in a bank, managing it (members, outline,
//! blueprints), importing into it, and moving items through review. Storage is in
//! `exam_records::{banks, items}`; rules that need no database are in `question-bank`.
pub mod export;
pub mod import;
pub mod items;
pub mod manage;
pub mod review;
pub mod scope;

/// What work on a bank refuses (managing it, its items, their review, import and export), each with its stable code; the web layer chooses the HTTP status by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BankRefusal {
    #[error("already_member")]
    AlreadyMember,
    #[error("blueprint_level_mismatch")]
    BlueprintLevelMismatch,
    #[error("comment_required")]
    CommentRequired,
    #[error("invalid_blueprint")]
    InvalidBlueprint,
    #[error("invalid_item")]
    InvalidItem,
    #[error("invalid_item_transition")]
    InvalidItemTransition,
    #[error("invalid_levels")]
    InvalidLevels,
    #[error("invalid_name")]
    InvalidName,
    #[error("invalid_occupation_code")]
    InvalidOccupationCode,
    #[error("invalid_tag")]
    InvalidTag,
    #[error("member_role_mismatch")]
    MemberRoleMismatch,
    #[error("own_item_review")]
    OwnItemReview,
    #[error("sheet_too_large")]
    SheetTooLarge,
    #[error("too_many_items")]
    TooManyItems,
    #[error("unknown_format")]
    UnknownFormat,
    #[error("unknown_outline_point")]
    UnknownOutlinePoint,
    #[error("invalid_image")]
    InvalidImage,
    #[error("too_many_images")]
    TooManyImages,
}

impl BankRefusal {
    /// The stable code a client receives.
    pub fn code(&self) -> &'static str {
        match self {
            BankRefusal::AlreadyMember => "already_member",
            BankRefusal::BlueprintLevelMismatch => "blueprint_level_mismatch",
            BankRefusal::CommentRequired => "comment_required",
            BankRefusal::InvalidBlueprint => "invalid_blueprint",
            BankRefusal::InvalidItem => "invalid_item",
            BankRefusal::InvalidItemTransition => "invalid_item_transition",
            BankRefusal::InvalidLevels => "invalid_levels",
            BankRefusal::InvalidName => "invalid_name",
            BankRefusal::InvalidOccupationCode => "invalid_occupation_code",
            BankRefusal::InvalidTag => "invalid_tag",
            BankRefusal::MemberRoleMismatch => "member_role_mismatch",
            BankRefusal::OwnItemReview => "own_item_review",
            BankRefusal::SheetTooLarge => "sheet_too_large",
            BankRefusal::TooManyItems => "too_many_items",
            BankRefusal::UnknownFormat => "unknown_format",
            BankRefusal::UnknownOutlinePoint => "unknown_outline_point",
            BankRefusal::InvalidImage => "invalid_image",
            BankRefusal::TooManyImages => "too_many_images",
        }
    }

    pub fn kind(&self) -> crate::error::RefusalKind {
        use crate::error::RefusalKind;
        match self {
            BankRefusal::AlreadyMember | BankRefusal::InvalidItemTransition => RefusalKind::Conflict,
            BankRefusal::BlueprintLevelMismatch
            | BankRefusal::CommentRequired
            | BankRefusal::InvalidBlueprint
            | BankRefusal::InvalidItem
            | BankRefusal::InvalidLevels
            | BankRefusal::InvalidName
            | BankRefusal::InvalidOccupationCode
            | BankRefusal::InvalidTag
            | BankRefusal::MemberRoleMismatch
            | BankRefusal::OwnItemReview
            | BankRefusal::SheetTooLarge
            | BankRefusal::TooManyItems
            | BankRefusal::UnknownFormat
            | BankRefusal::UnknownOutlinePoint
            | BankRefusal::InvalidImage => RefusalKind::Invalid,
            BankRefusal::TooManyImages => RefusalKind::TooMany,
        }
    }
}

impl From<BankRefusal> for crate::error::AppError {
    fn from(r: BankRefusal) -> Self {
        crate::error::AppError::Bank(r)
    }
}
