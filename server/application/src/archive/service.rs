//! The archive as the running server holds it: the store, the spool, what the canary found,
//! and the uploader that moves spooled files into the store (retrying while it is down).
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use media::archive::{Archive, Enforcement, LocalStore, Lock, S3Settings, S3Store};
use serde::Serialize;

use crate::config::Settings;
use exam_records::{Db, archive as rows};

/// How often the uploader looks for spooled files.
const EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct ArchiveService {
    pub store: Archive,
    pub spool: PathBuf,
    state: Arc<RwLock<State>>,
    wake: Arc<tokio::sync::Notify>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct State {
    enforcement: Option<Enforcement>,
    last_error: Option<String>,
}

/// What `/readyz` and the operator's page show of the archive.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub backend: &'static str,
    /// `None` until the canary has run.
    pub enforcement: Option<Enforcement>,
    pub backlog: i64,
    pub last_error: Option<String>,
}

impl ArchiveService {
    pub fn open(settings: &Settings) -> anyhow::Result<ArchiveService> {
        let a = &settings.archive;
        let dir = |s: &str, default: &str| if s.trim().is_empty() { settings.data_dir.join(default) } else { PathBuf::from(s) };
        let store = match a.backend.as_str() {
            "s3" => Archive::S3(S3Store::new(&S3Settings {
                endpoint: a.s3_endpoint.clone(),
                region: a.s3_region.clone(),
                bucket: a.s3_bucket.clone(),
                access_key: a.s3_access_key.clone(),
                secret_key: a.s3_secret_key.clone(),
                mode: a.s3_mode,
                path_style: a.s3_path_style,
            })),
            _ => Archive::Local(LocalStore::new(dir(&a.local_dir, "archive"))),
        };
        let spool = dir(&a.spool_dir, "spool");
        std::fs::create_dir_all(&spool)?;
        Ok(ArchiveService { store, spool, state: Arc::default(), wake: Arc::default() })
    }

    /// Runs the canary and keeps what it found; refuses when the settings require an
    /// enforcing backend and this one is not.
    pub async fn probe(&self, now_ms: i64, require_enforcing: bool) -> anyhow::Result<Enforcement> {
        if let Archive::S3(s) = &self.store
            && let Err(e) = s.ensure_bucket().await
        {
            tracing::warn!(error = %e, "archive bucket not checked");
        }
        let e = self.store.probe(now_ms).await.map_err(|e| anyhow::anyhow!("the archive's canary failed: {e}"))?;
        if let Ok(mut s) = self.state.write() {
            s.enforcement = Some(e);
        }
        if !e.enforcing() {
            tracing::warn!(
                backend = self.store.kind(),
                ?e,
                "the archive backend does not enforce every lock itself; our own checks still refuse early deletes and shortening"
            );
        }
        anyhow::ensure!(
            !require_enforcing || e.enforcing(),
            "archive.require_enforcing_backend is set, but the {} backend does not enforce its locks (refuses early delete: {}, refuses shortening: {})",
            self.store.kind(),
            e.refuses_early_delete,
            e.refuses_shortening
        );
        Ok(e)
    }

    pub async fn status(&self, db: &Db) -> Status {
        let s = self.state.read().map(|s| s.clone()).unwrap_or_default();
        Status { backend: self.store.kind(), enforcement: s.enforcement, backlog: rows::backlog(db).await.unwrap_or(-1), last_error: s.last_error }
    }

    /// Asks the uploader to look now (a file was just spooled).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Uploads what waits in the spool; stops at the first failure (the archive is likely
    /// down) and tries again later. How many were uploaded.
    pub async fn upload_pending(&self, db: &Db, now_ms: i64) -> usize {
        let pending = match rows::pending(db, 100).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "archive backlog not read");
                return 0;
            }
        };
        let mut done = 0;
        for o in pending {
            let Some(path) = o.spool_path.clone() else { continue };
            let result = async {
                let bytes = tokio::fs::read(&path).await.map_err(|e| format!("spool file {path}: {e}"))?;
                if media::archive::sha256_hex(&bytes) != o.sha256 {
                    return Err(format!("spool file {path} no longer has its recorded SHA-256"));
                }
                let stored = self
                    .store
                    .put(&o.object_key, bytes, Lock { retain_until_ms: o.retain_until_ms, legal_hold: o.legal_hold })
                    .await
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>(stored)
            }
            .await;
            match result {
                Ok(stored) => {
                    if let Err(e) = rows::mark_archived(db, o.id, &stored.version_id, now_ms).await {
                        tracing::warn!(error = %e, id = o.id, "archived, but not recorded; it will be uploaded again as a new version");
                        break;
                    }
                    // The archive holds it: the spool copy may go.
                    let _ = tokio::fs::remove_file(&path).await;
                    done += 1;
                    if let Ok(mut s) = self.state.write() {
                        s.last_error = None;
                    }
                }
                Err(e) => {
                    let _ = rows::mark_failed(db, o.id, &e).await;
                    if let Ok(mut s) = self.state.write() {
                        s.last_error = Some(e.clone());
                    }
                    tracing::warn!(error = %e, id = o.id, "archive upload failed; the file stays in the spool and is tried again");
                    break;
                }
            }
        }
        done
    }

    /// The uploader: every few seconds, and at once when woken.
    pub fn spawn_uploader(&self, db: Db, clock: crate::clock::Clock) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(EVERY) => {}
                    _ = me.wake.notified() => {}
                }
                me.upload_pending(&db, clock.now_ms()).await;
            }
        })
    }
}
