//! The audit chain's head (its last sequence number and hash), appended to a file in the data
//! directory every few seconds and at shutdown. A head once written must stay in the chain: a
//! chain that ends earlier, or holds another hash at that number, has lost events, however well
//! its remaining links hold. One line per head: `seq hash at_ms`.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::store::{Db, StoreResult, audit};

/// How often a running server writes the head down when it moved.
pub const EVERY: Duration = Duration::from_secs(2);

pub fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("audit-heads.log")
}

/// Every head written so far, oldest first; unreadable lines are skipped.
pub fn read(data_dir: &Path) -> Vec<(i64, String)> {
    let Ok(text) = std::fs::read_to_string(file(data_dir)) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let seq = parts.next()?.parse().ok()?;
            let hash = parts.next()?.to_string();
            Some((seq, hash))
        })
        .collect()
}

/// Writes the chain's head down if it moved since the last line; the head written.
pub async fn record(
    db: &Db,
    data_dir: &Path,
    now_ms: i64,
) -> anyhow::Result<Option<(i64, String)>> {
    let Some((seq, hash)) = audit::head(db).await? else {
        return Ok(None);
    };
    if read(data_dir).last().is_some_and(|(s, _)| *s >= seq) {
        return Ok(None);
    }
    std::fs::create_dir_all(data_dir)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file(data_dir))?;
    writeln!(f, "{seq} {hash} {now_ms}")?;
    f.sync_data()?;
    Ok(Some((seq, hash)))
}

/// Why the chain does not hold the recorded heads, if it does not.
pub async fn check(db: &Db, recorded: &[(i64, String)]) -> StoreResult<Option<String>> {
    let Some((last_seq, _)) = recorded.iter().max_by_key(|(s, _)| *s) else {
        return Ok(None);
    };
    let head = audit::head(db).await?.map(|(s, _)| s).unwrap_or(0);
    if head < *last_seq {
        return Ok(Some(format!(
            "the chain ends at event {head}, but event {last_seq} was recorded as its head: events were removed"
        )));
    }
    for (seq, hash) in recorded {
        match audit::hash_of(db, *seq).await? {
            Some(h) if h == *hash => {}
            _ => {
                return Ok(Some(format!(
                    "event {seq} is not the one recorded as the chain's head: the chain was rewritten"
                )));
            }
        }
    }
    Ok(None)
}

/// Writes the head down every few seconds while the server runs.
pub fn spawn(db: Db, data_dir: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = record(&db, &data_dir, crate::clock::now_ms()).await {
                tracing::warn!(error = %e, "audit head not written");
            }
        }
    })
}
