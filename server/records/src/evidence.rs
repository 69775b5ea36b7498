//! The evidence log's rows: entries appended in order (never updated or deleted) and the signed
//! checkpoints over them.
use sqlx::{AnyConnection, Row};

use crate::{Db, StoreResult, serials};

/// Appends an entry inside the caller's transaction; its index (from 0, without gaps: a
/// rolled-back transaction gives its number back with its row).
pub async fn append(conn: &mut AnyConnection, kind: &str, subject: &str, data: &[u8], leaf_hash: &[u8], now_ms: i64) -> StoreResult<i64> {
    let idx = serials::next(&mut *conn, "evidence_log", "").await? - 1;
    sqlx::query("INSERT INTO evidence_entries (idx, kind, subject, data, leaf_hash, appended_at_ms) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(idx)
        .bind(kind)
        .bind(subject)
        .bind(data)
        .bind(leaf_hash)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    Ok(idx)
}

/// Leaf hashes from `from` on, in order, at most `limit`.
pub async fn leaf_hashes(db: &Db, from: i64, limit: i64) -> StoreResult<Vec<Vec<u8>>> {
    let rows =
        sqlx::query("SELECT leaf_hash FROM evidence_entries WHERE idx >= $1 ORDER BY idx LIMIT $2").bind(from).bind(limit).fetch_all(db.reader()).await?;
    rows.iter().map(|r| Ok(r.try_get("leaf_hash")?)).collect()
}

/// Entries `from..to` (kind and bytes), in order.
pub async fn entries(db: &Db, from: i64, to: i64) -> StoreResult<Vec<(String, Vec<u8>)>> {
    let rows =
        sqlx::query("SELECT kind, data FROM evidence_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx").bind(from).bind(to).fetch_all(db.reader()).await?;
    rows.iter().map(|r| Ok((r.try_get("kind")?, r.try_get("data")?))).collect()
}

/// The newest signed checkpoint: its size and note.
pub async fn latest_checkpoint(db: &Db) -> StoreResult<Option<(i64, String)>> {
    let row = sqlx::query("SELECT size, note FROM evidence_checkpoints ORDER BY size DESC LIMIT 1").fetch_optional(db.reader()).await?;
    row.map(|r| Ok((r.try_get("size")?, r.try_get("note")?))).transpose()
}

/// Keeps a signed checkpoint; another process signing the same size first is not an error.
pub async fn insert_checkpoint(conn: &mut AnyConnection, size: i64, root: &[u8], note: &str, now_ms: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO evidence_checkpoints (size, root, note, signed_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING")
        .bind(size)
        .bind(root)
        .bind(note)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// The newest entry about `subject`: its index and bytes.
pub async fn latest_about(db: &Db, subject: &str) -> StoreResult<Option<(i64, Vec<u8>)>> {
    let row =
        sqlx::query("SELECT idx, data FROM evidence_entries WHERE subject = $1 ORDER BY idx DESC LIMIT 1").bind(subject).fetch_optional(db.reader()).await?;
    row.map(|r| Ok((r.try_get("idx")?, r.try_get("data")?))).transpose()
}

/// Every signed checkpoint, oldest first: size, root and note.
pub async fn checkpoints(db: &Db) -> StoreResult<Vec<(i64, Vec<u8>, String)>> {
    let rows = sqlx::query("SELECT size, root, note FROM evidence_checkpoints ORDER BY size").fetch_all(db.reader()).await?;
    rows.iter().map(|r| Ok((r.try_get("size")?, r.try_get("root")?, r.try_get("note")?))).collect()
}

/// Every entry of one kind: index and bytes, oldest first.
pub async fn of_kind(db: &Db, kind: &str) -> StoreResult<Vec<(i64, Vec<u8>)>> {
    let rows = sqlx::query("SELECT idx, data FROM evidence_entries WHERE kind = $1 ORDER BY idx").bind(kind).fetch_all(db.reader()).await?;
    rows.iter().map(|r| Ok((r.try_get("idx")?, r.try_get("data")?))).collect()
}

/// A stored entry as the verifier reads it.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub idx: i64,
    pub kind: String,
    pub subject: String,
    pub data: Vec<u8>,
    pub leaf_hash: Vec<u8>,
}

/// Entries from `from` on, in order, at most `limit`.
pub async fn stored(db: &Db, from: i64, limit: i64) -> StoreResult<Vec<StoredEntry>> {
    let rows = sqlx::query("SELECT idx, kind, subject, data, leaf_hash FROM evidence_entries WHERE idx >= $1 ORDER BY idx LIMIT $2")
        .bind(from)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredEntry {
                idx: r.try_get("idx")?,
                kind: r.try_get("kind")?,
                subject: r.try_get("subject")?,
                data: r.try_get("data")?,
                leaf_hash: r.try_get("leaf_hash")?,
            })
        })
        .collect()
}
