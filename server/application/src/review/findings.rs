//! A reviewer's finding: what was seen (and where in the recording), by whom, when, and the
//! conclusion. Appended to the candidate's record (the exam-room record shows it), to the
//! audit trail, and to the evidence log, so a finding cannot later be changed or dropped
//! unnoticed. Findings are never edited: a second look is a second finding.
use serde::{Deserialize, Serialize};

use super::reviewable;
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;
use exam_records::StoreError;
use exam_records::audit::{self, Entry};
use exam_records::exams;

/// The longest description of what was seen, in characters.
pub const MAX_SEEN_CHARS: usize = 2_000;
/// Findings one reviewer may record in a minute.
const PER_MINUTE: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// Nothing against the rules.
    NoIssue,
    /// Something to look into further.
    Suspected,
    /// A breach of the rules, seen.
    Violation,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    pub seen: String,
    pub conclusion: Conclusion,
    /// The moment in the recording it is about (wall-clock ms), if any.
    #[serde(default)]
    pub media_at_ms: Option<i64>,
}

/// Records a finding.
pub async fn record(app: &App, actor: &Actor, candidate_id: i64, f: &NewFinding) -> Result<(), AppError> {
    let (c, s) = reviewable(app, actor, candidate_id).await?;
    let seen = f.seen.trim();
    if seen.is_empty() || seen.chars().count() > MAX_SEEN_CHARS || seen.chars().any(|ch| ch.is_control() && ch != '\n') {
        return Err(AppError::Validation("invalid_finding"));
    }
    let now = app.clock.now_ms();
    if let Some(t) = f.media_at_ms
        && !(s.starts_at_ms - 86_400_000..=now).contains(&t)
    {
        return Err(AppError::Validation("invalid_finding"));
    }
    if !app.limiter.hit(&format!("finding:{}", actor.account.id), PER_MINUTE, now).await {
        return Err(AppError::RateLimited);
    }
    let detail = serde_json::json!({
        "seen": seen, "conclusion": f.conclusion, "media_at_ms": f.media_at_ms,
        "reviewer": actor.account.id, "reviewer_name": actor.account.display_name, "role": actor.role().as_str(),
    });
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    let detail = detail.to_string();
    exams::insert_event(&mut tx, s.id, Some(c.id), "finding", &detail, Some(actor.account.id), now).await?;
    // The log is public: it carries the finding's digest, not its words, its conclusion or
    // the reviewer.
    let entry = serde_json::json!({
        "kind": "finding", "session": s.id, "candidate": c.id, "at_ms": now, "sha256": media::archive::sha256_hex(detail.as_bytes()),
    });
    crate::evidence::log::append(&mut tx, "finding", &format!("candidate:{}", c.id), &entry, now).await?;
    audit::append(
        &mut tx,
        app.db.backend,
        &Entry {
            actor: actor.audit_actor(),
            action: "review.finding",
            target: format!("candidate:{}", c.id),
            detail: serde_json::json!({ "conclusion": f.conclusion }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
