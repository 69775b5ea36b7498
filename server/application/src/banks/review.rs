//! The life of an item: draft → in review → approved (or rejected, back to the author) →
//! retired. Every move is an audit event; nobody approves an item they wrote.
use exam_protocol::{ItemRecord, ItemStatus, ReviewDecision};

use crate::actor::Actor;
use crate::error::AppError;
use exam_records::audit::{self, Entry};
use exam_records::{Db, StoreError, items};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Submit,
    Review(ReviewDecision),
    Retire,
}

/// Where a move takes an item from, and to; `None` if the move does not apply.
pub fn transition(from: ItemStatus, m: Move) -> Option<ItemStatus> {
    use ItemStatus::*;
    match (from, m) {
        (Draft | Rejected, Move::Submit) => Some(InReview),
        (InReview, Move::Review(ReviewDecision::Approve)) => Some(Approved),
        (InReview, Move::Review(ReviewDecision::Reject)) => Some(Rejected),
        (Approved, Move::Retire) => Some(Retired),
        _ => None,
    }
}

pub async fn apply(db: &Db, user: &Actor, item: &ItemRecord, m: Move, comment: Option<&str>) -> Result<ItemStatus, AppError> {
    let to = transition(item.status, m).ok_or(AppError::from(super::BankRefusal::InvalidItemTransition))?;
    if matches!(m, Move::Review(_)) && item.author_id == Some(user.account.id) {
        return Err(AppError::from(super::BankRefusal::OwnItemReview));
    }
    if matches!(m, Move::Review(ReviewDecision::Reject)) && comment.is_none_or(|c| c.trim().is_empty()) {
        return Err(AppError::from(super::BankRefusal::CommentRequired));
    }
    let now = crate::clock::now_ms();
    let reviewer = matches!(m, Move::Review(_)).then_some((user.account.id, comment, now));
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    if !items::set_status(&mut tx, item.version_id, item.status, to, reviewer).await? {
        return Err(AppError::from(super::BankRefusal::InvalidItemTransition));
    }
    audit::append(
        &mut tx,
        db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: match to {
                ItemStatus::InReview => "item.submit",
                ItemStatus::Approved => "item.approve",
                ItemStatus::Rejected => "item.reject",
                _ => "item.retire",
            },
            target: format!("item_version:{}", item.version_id),
            detail: serde_json::json!({ "item_id": item.item_id, "version": item.version, "from": item.status.as_str() }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ItemStatus::*;

    #[test]
    fn only_the_drawn_moves_exist() {
        assert_eq!(transition(Draft, Move::Submit), Some(InReview));
        assert_eq!(transition(Rejected, Move::Submit), Some(InReview));
        assert_eq!(transition(InReview, Move::Review(ReviewDecision::Approve)), Some(Approved));
        assert_eq!(transition(InReview, Move::Review(ReviewDecision::Reject)), Some(Rejected));
        assert_eq!(transition(Approved, Move::Retire), Some(Retired));
        assert_eq!(transition(Approved, Move::Submit), None, "an approved item changes only by a new version");
        assert_eq!(transition(Draft, Move::Review(ReviewDecision::Approve)), None, "review needs a submission");
        assert_eq!(transition(Retired, Move::Retire), None);
    }
}
