//! The evidence's background work while the server runs: every minute, the key documents of
//! sessions that ended and a checkpoint when anything was appended (so no entry waits long
//! for a signature, and a session's end is covered within the minute), and archival copies
//! when `archive.reencode` is on; every hour, the purge
//! of files past their term.
use std::time::Duration;

use crate::app::App;

pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(60);
pub const PURGE_EVERY: Duration = Duration::from_secs(3600);

pub fn spawn(app: App) -> tokio::task::JoinHandle<()> {
    if app.settings.archive.reencode {
        // Archival copies in a task of their own, one segment at a time, so a long encode
        // never holds up a checkpoint.
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                match crate::archive::reencode::due(&app, 1).await {
                    Ok(0) | Err(_) => tokio::time::sleep(CHECKPOINT_EVERY).await,
                    Ok(_) => tokio::time::sleep(std::time::Duration::from_secs(5)).await,
                }
            }
        });
    }
    tokio::spawn(async move {
        let mut checkpoint = tokio::time::interval(CHECKPOINT_EVERY);
        let mut purge = tokio::time::interval(PURGE_EVERY);
        loop {
            tokio::select! {
                _ = checkpoint.tick() => {
                    // Sessions that ended get their key documents first, so they are logged
                    // before the checkpoint.
                    if let Err(e) = crate::documents::generate::due(&app).await {
                        tracing::warn!(error = %e, "key documents not made");
                    }
                    if let Err(e) = app.evidence.checkpoint(&app.db, app.clock.now_ms()).await {
                        tracing::warn!(error = %e, "evidence checkpoint not signed");
                    }
                    // The log's own files (checkpoint and tiles) into the archive, for good.
                    if let Err(e) = crate::evidence::log_files::archive_new(&app).await {
                        tracing::warn!(error = %e, "evidence log files not archived");
                    }
                }
                _ = purge.tick() => {
                    crate::review::thumbnails::expire(&app, app.clock.now_ms()).await;
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
