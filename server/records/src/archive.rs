//! The archive's records: each file kept, its class, lock, where it waits (the spool) and the
//! archive's version of it.
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Db, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveObject {
    pub id: i64,
    pub object_key: String,
    pub class: String,
    pub subject: String,
    pub institution_id: Option<i64>,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub retain_until_ms: i64,
    pub legal_hold: bool,
    pub spool_path: Option<String>,
    pub version_id: Option<String>,
    pub archived_at_ms: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub created_by: Option<i64>,
    pub evidence_idx: Option<i64>,
    pub deleted_at_ms: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, object_key, class, subject, institution_id, name, mime, size, sha256, retain_until_ms, legal_hold, spool_path, version_id, archived_at_ms, attempts, last_error, created_at_ms, created_by, evidence_idx, deleted_at_ms"
    };
}

fn from_row(r: &AnyRow) -> StoreResult<ArchiveObject> {
    Ok(ArchiveObject {
        id: r.try_get("id")?,
        object_key: r.try_get("object_key")?,
        class: r.try_get("class")?,
        subject: r.try_get("subject")?,
        institution_id: r.try_get("institution_id")?,
        name: r.try_get("name")?,
        mime: r.try_get("mime")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        retain_until_ms: r.try_get("retain_until_ms")?,
        legal_hold: r.try_get::<i64, _>("legal_hold")? != 0,
        spool_path: r.try_get("spool_path")?,
        version_id: r.try_get("version_id")?,
        archived_at_ms: r.try_get("archived_at_ms")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        created_at_ms: r.try_get("created_at_ms")?,
        created_by: r.try_get("created_by")?,
        evidence_idx: r.try_get("evidence_idx")?,
        deleted_at_ms: r.try_get("deleted_at_ms")?,
    })
}

/// Records a file waiting in the spool; its id.
pub async fn insert(conn: &mut AnyConnection, o: &ArchiveObject) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO archive_objects (object_key, class, subject, institution_id, name, mime, size, sha256, retain_until_ms, legal_hold, spool_path, created_at_ms, created_by, evidence_idx)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(&o.object_key)
    .bind(&o.class)
    .bind(&o.subject)
    .bind(o.institution_id)
    .bind(&o.name)
    .bind(&o.mime)
    .bind(o.size)
    .bind(&o.sha256)
    .bind(o.retain_until_ms)
    .bind(i64::from(o.legal_hold))
    .bind(&o.spool_path)
    .bind(o.created_at_ms)
    .bind(o.created_by)
    .bind(o.evidence_idx)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Option<ArchiveObject>> {
    let row = sqlx::query(concat!("SELECT ", columns!(), " FROM archive_objects WHERE id = $1")).bind(id).fetch_optional(db.reader()).await?;
    row.as_ref().map(from_row).transpose()
}

/// The files about a subject (`session:1`…), oldest first.
pub async fn of_subject(db: &Db, subject: &str) -> StoreResult<Vec<ArchiveObject>> {
    let rows = sqlx::query(concat!("SELECT ", columns!(), " FROM archive_objects WHERE subject = $1 ORDER BY id")).bind(subject).fetch_all(db.reader()).await?;
    rows.iter().map(from_row).collect()
}

/// Files the archive does not hold yet, oldest first.
/// Recording segments (class `video`) of sessions that ended before `ended_before_ms`, not
/// deleted, that have no re-encoded copy (named `<name>.vp9`) yet and are not one; at most `limit`.
pub async fn without_reencode(db: &Db, ended_before_ms: i64, limit: i64) -> StoreResult<Vec<ArchiveObject>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM archive_objects o WHERE o.class = 'video' AND o.deleted_at_ms IS NULL AND o.name NOT LIKE '%.vp9' AND o.created_at_ms < $1 \
         AND NOT EXISTS (SELECT 1 FROM archive_objects d WHERE d.subject = o.subject AND d.name = o.name || '.vp9') ORDER BY o.id LIMIT $2"
    ))
    .bind(ended_before_ms)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn pending(db: &Db, limit: i64) -> StoreResult<Vec<ArchiveObject>> {
    let rows = sqlx::query(concat!("SELECT ", columns!(), " FROM archive_objects WHERE archived_at_ms IS NULL ORDER BY id LIMIT $1"))
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(from_row).collect()
}

/// How many files wait for the archive.
pub async fn backlog(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM archive_objects WHERE archived_at_ms IS NULL").fetch_one(db.reader()).await?)
}

/// The archive holds it now, as this version; the spool copy is gone.
pub async fn mark_archived(db: &Db, id: i64, version_id: &str, now_ms: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE archive_objects SET version_id = $2, archived_at_ms = $3, spool_path = NULL, last_error = NULL WHERE id = $1 AND archived_at_ms IS NULL",
    )
    .bind(id)
    .bind(version_id)
    .bind(now_ms)
    .execute(db.writer())
    .await?;
    Ok(())
}

pub async fn mark_failed(db: &Db, id: i64, error: &str) -> StoreResult<()> {
    sqlx::query("UPDATE archive_objects SET attempts = attempts + 1, last_error = $2 WHERE id = $1").bind(id).bind(error).execute(db.writer()).await?;
    Ok(())
}

pub async fn set_hold(conn: &mut AnyConnection, id: i64, on: bool) -> StoreResult<()> {
    sqlx::query("UPDATE archive_objects SET legal_hold = $2 WHERE id = $1").bind(id).bind(i64::from(on)).execute(conn).await?;
    Ok(())
}

/// Archived files past their date, not held and not deleted yet.
pub async fn purgeable(db: &Db, now_ms: i64, limit: i64) -> StoreResult<Vec<ArchiveObject>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM archive_objects WHERE deleted_at_ms IS NULL AND archived_at_ms IS NOT NULL AND legal_hold = 0 AND retain_until_ms <= $1 ORDER BY id LIMIT $2"
    ))
    .bind(now_ms)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn mark_deleted(conn: &mut AnyConnection, id: i64, now_ms: i64) -> StoreResult<()> {
    sqlx::query("UPDATE archive_objects SET deleted_at_ms = $2 WHERE id = $1").bind(id).bind(now_ms).execute(conn).await?;
    Ok(())
}

pub async fn of_key(db: &Db, key: &str) -> StoreResult<Option<ArchiveObject>> {
    let row = sqlx::query(concat!("SELECT ", columns!(), " FROM archive_objects WHERE object_key = $1")).bind(key).fetch_optional(db.reader()).await?;
    row.as_ref().map(from_row).transpose()
}
