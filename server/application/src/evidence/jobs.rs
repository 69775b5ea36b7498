//! The evidence's background work while the server runs: a checkpoint signed every minute
//! while anything was appended (so no entry waits long for a signature, and a session's end is
//! covered within the minute), and the purge of files past their term every hour.
use std::time::Duration;

use crate::app::App;

pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(60);
pub const PURGE_EVERY: Duration = Duration::from_secs(3600);

pub fn spawn(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut checkpoint = tokio::time::interval(CHECKPOINT_EVERY);
        let mut purge = tokio::time::interval(PURGE_EVERY);
        loop {
            tokio::select! {
                _ = checkpoint.tick() => {
                    if let Err(e) = app.evidence.checkpoint(&app.db, app.clock.now_ms()).await {
                        tracing::warn!(error = %e, "evidence checkpoint not signed");
                    }
                }
                _ = purge.tick() => {
                    match crate::archive::files::purge(&app, app.clock.now_ms()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(files = n, "archive purged past retention"),
                        Err(e) => tracing::warn!(error = %e, "archive purge failed"),
                    }
                }
            }
        }
    })
}
