//! Candidates' own photos, taken at the device check for the identity check (人证核验).
use sqlx::{AnyConnection, Row};

use crate::{Db, StoreResult};

/// A photo as stored: its type and bytes, and when it was taken.
#[derive(Debug, Clone)]
pub struct Photo {
    pub taken_at_ms: i64,
    pub mime: String,
    pub bytes: Vec<u8>,
}

pub async fn insert(conn: &mut AnyConnection, candidate_id: i64, now_ms: i64, mime: &str, bytes: &[u8]) -> StoreResult<()> {
    sqlx::query("INSERT INTO candidate_photos (session_candidate_id, taken_at_ms, mime, bytes) VALUES ($1, $2, $3, $4)")
        .bind(candidate_id)
        .bind(now_ms)
        .bind(mime)
        .bind(bytes)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many photos a candidate has taken.
pub async fn count(db: &Db, candidate_id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM candidate_photos WHERE session_candidate_id = $1").bind(candidate_id).fetch_one(db.reader()).await?)
}

/// The candidate's latest photo.
pub async fn latest(db: &Db, candidate_id: i64) -> StoreResult<Option<Photo>> {
    let row = sqlx::query("SELECT taken_at_ms, mime, bytes FROM candidate_photos WHERE session_candidate_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(candidate_id)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| Ok(Photo { taken_at_ms: r.try_get("taken_at_ms")?, mime: r.try_get("mime")?, bytes: r.try_get("bytes")? })).transpose()
}

/// The candidates of a session with a photo, for the room's list.
pub async fn candidates_with_photo(db: &Db, session_id: i64) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT p.session_candidate_id FROM candidate_photos p JOIN session_candidates c ON c.id = p.session_candidate_id WHERE c.session_id = $1",
    )
    .bind(session_id)
    .fetch_all(db.reader())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Sets (or replaces) the institution's photo of a candidate.
pub async fn set_roster(conn: &mut AnyConnection, candidate_id: i64, by: i64, now_ms: i64, mime: &str, bytes: &[u8]) -> StoreResult<()> {
    sqlx::query("DELETE FROM roster_photos WHERE session_candidate_id = $1").bind(candidate_id).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO roster_photos (session_candidate_id, uploaded_at_ms, uploaded_by, mime, bytes) VALUES ($1, $2, $3, $4, $5)")
        .bind(candidate_id)
        .bind(now_ms)
        .bind(by)
        .bind(mime)
        .bind(bytes)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The institution's photo of a candidate.
pub async fn roster(db: &Db, candidate_id: i64) -> StoreResult<Option<Photo>> {
    let row = sqlx::query("SELECT uploaded_at_ms, mime, bytes FROM roster_photos WHERE session_candidate_id = $1")
        .bind(candidate_id)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| Ok(Photo { taken_at_ms: r.try_get("uploaded_at_ms")?, mime: r.try_get("mime")?, bytes: r.try_get("bytes")? })).transpose()
}

/// The candidates of a session the institution has a photo of.
pub async fn candidates_with_roster_photo(db: &Db, session_id: i64) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT p.session_candidate_id FROM roster_photos p JOIN session_candidates c ON c.id = p.session_candidate_id WHERE c.session_id = $1")
            .bind(session_id)
            .fetch_all(db.reader())
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
