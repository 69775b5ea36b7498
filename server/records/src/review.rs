//! What review playback reads: one candidate's events and answer saves in time order, and the
//! evidence entries that describe their recording's segments.
use sqlx::Row;

use crate::{Db, StoreResult};

/// One event of a candidate's record.
#[derive(Debug, Clone)]
pub struct TimelineEvent {
    pub id: i64,
    pub kind: String,
    pub detail: String,
    pub actor_id: Option<i64>,
    pub at_ms: i64,
}

/// A candidate's events but the questions viewed, oldest first, at most `limit`.
pub async fn candidate_timeline(db: &Db, session_id: i64, candidate_id: i64, limit: i64) -> StoreResult<Vec<TimelineEvent>> {
    let rows = sqlx::query(
        "SELECT id, kind, detail, actor_id, at_ms FROM exam_events WHERE session_candidate_id = $1 AND session_id = $2 AND kind <> 'viewing' \
         ORDER BY id LIMIT $3",
    )
    .bind(candidate_id)
    .bind(session_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    timeline_rows(&rows)
}

/// Which question was on a candidate's screen when, oldest first, at most `limit`: apart from
/// the other events, so however many there are they cannot crowd those out.
pub async fn candidate_viewings(db: &Db, session_id: i64, candidate_id: i64, limit: i64) -> StoreResult<Vec<TimelineEvent>> {
    let rows = sqlx::query(
        "SELECT id, kind, detail, actor_id, at_ms FROM exam_events WHERE session_candidate_id = $1 AND session_id = $2 AND kind = 'viewing' \
         ORDER BY id LIMIT $3",
    )
    .bind(candidate_id)
    .bind(session_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    timeline_rows(&rows)
}

fn timeline_rows(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<TimelineEvent>> {
    rows.iter()
        .map(|r| {
            Ok(TimelineEvent {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                detail: r.try_get("detail")?,
                actor_id: r.try_get("actor_id")?,
                at_ms: r.try_get("at_ms")?,
            })
        })
        .collect()
}

/// When each answer of a paper was saved, oldest first: question number and time.
pub async fn answer_times(db: &Db, paper_id: i64, limit: i64) -> StoreResult<Vec<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT question_no, received_at_ms FROM answer_events WHERE paper_id = $1 ORDER BY client_seq LIMIT $2")
        .bind(paper_id)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    Ok(rows)
}

/// The bytes of the evidence entry at `idx`.
pub async fn evidence_entry(db: &Db, idx: i64) -> StoreResult<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar("SELECT data FROM evidence_entries WHERE idx = $1").bind(idx).fetch_optional(db.reader()).await?)
}
