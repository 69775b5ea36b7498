//! The audit chain's head (its last sequence number and hash), appended to a file in the data
//! directory every few seconds and at shutdown. A head once written must stay in the chain: a
//! chain that ends earlier, or holds another hash at that number, has lost events, however well
//! its remaining links hold. One line per head: `seq hash at_ms`.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use exam_records::{Db, StoreResult, audit};

/// The evidence log's subject of the chain's heads.
pub const LOG_SUBJECT: &str = "audit_chain";

/// The newest head the evidence log holds.
pub async fn last_logged(db: &Db) -> StoreResult<Option<(i64, String)>> {
    let Some((_, data)) = exam_records::evidence::latest_about(db, LOG_SUBJECT).await? else { return Ok(None) };
    let v: serde_json::Value = serde_json::from_slice(&data).unwrap_or_default();
    Ok(v["seq"].as_i64().zip(v["hash"].as_str().map(str::to_string)))
}

/// How often a running server writes the head down when it moved.
pub const EVERY: Duration = Duration::from_secs(2);

pub fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("audit-heads.log")
}

/// The last head written, if any; unreadable lines are skipped.
pub fn last(data_dir: &Path) -> Option<(i64, String)> {
    let text = std::fs::read_to_string(file(data_dir)).ok()?;
    text.lines().rev().find_map(|l| {
        let mut parts = l.split_whitespace();
        let seq = parts.next()?.parse().ok()?;
        let hash = parts.next()?.to_string();
        Some((seq, hash))
    })
}

/// Writes the chain's head down if it moved past `written` (the last sequence number written,
/// as the caller remembers it); the sequence number written down now, or `written`.
pub async fn record(db: &Db, data_dir: &Path, now_ms: i64, written: Option<i64>) -> anyhow::Result<Option<i64>> {
    let Some((seq, hash)) = audit::head(db).await? else {
        return Ok(written);
    };
    if written.is_some_and(|w| w >= seq) {
        return Ok(written);
    }
    std::fs::create_dir_all(data_dir)?;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(file(data_dir))?;
    writeln!(f, "{seq} {hash} {now_ms}")?;
    f.sync_data()?;
    // The head goes into the evidence log too, whose signed checkpoints anyone can hold us to:
    // a file on this machine can be edited with the database, a signed log cannot.
    let entry = serde_json::json!({ "kind": "audit_head", "seq": seq, "hash": hash, "at_ms": now_ms });
    let mut tx = db.writer().begin().await.map_err(exam_records::StoreError::from)?;
    crate::evidence::log::append(&mut tx, "audit_head", LOG_SUBJECT, &entry, now_ms).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await.map_err(exam_records::StoreError::from)?;
    Ok(Some(seq))
}

/// Why the chain does not hold the last recorded head, if it does not. The last one is enough:
/// the chain's links were checked first, so an event that still carries its recorded hash
/// vouches for every event before it, and so for every earlier head.
pub async fn check(db: &Db, recorded: Option<&(i64, String)>) -> StoreResult<Option<String>> {
    let Some((last_seq, last_hash)) = recorded else {
        return Ok(None);
    };
    let head = audit::head(db).await?.map(|(s, _)| s).unwrap_or(0);
    if head < *last_seq {
        return Ok(Some(format!("the chain ends at event {head}, but event {last_seq} was recorded as its head: events were removed")));
    }
    if audit::hash_of(db, *last_seq).await?.as_ref() != Some(last_hash) {
        return Ok(Some(format!("event {last_seq} is not the one recorded as the chain's head: the chain was rewritten")));
    }
    Ok(None)
}

/// Writes the head down every few seconds while the server runs; the file is read once, at
/// start, and after that the last head written is remembered.
pub fn spawn(db: Db, data_dir: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut written = last(&data_dir).map(|(s, _)| s);
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            match record(&db, &data_dir, crate::clock::now_ms(), written).await {
                Ok(w) => written = w,
                Err(e) => tracing::warn!(error = %e, "audit head not written"),
            }
        }
    })
}
