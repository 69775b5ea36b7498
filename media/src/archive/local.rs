//! The local directory store, the embedded default. Each version of a key is a read-only file
//! `<root>/<key>/<version>.bin` with its lock beside it in `<version>.lock.json`; the store
//! itself refuses to delete a version before its retain-until date or under a legal hold, and
//! to move a date earlier. (Whoever has the machine's root account can still remove files:
//! the evidence log's hashes are what shows that, and an S3 store with Object Lock is the
//! answer where that must be prevented.)
use std::path::{Path, PathBuf};

use super::{ArchiveError, Lock, Stored, sha256_hex, valid_key};

#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn valid_version(v: &str) -> bool {
    !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl LocalStore {
    pub fn new(root: impl Into<PathBuf>) -> LocalStore {
        LocalStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn paths(&self, key: &str, version: &str) -> Result<(PathBuf, PathBuf), ArchiveError> {
        if !valid_key(key) {
            return Err(ArchiveError::BadKey(key.to_string()));
        }
        if !valid_version(version) {
            return Err(ArchiveError::NotFound(format!("{key} ({version})")));
        }
        let dir = self.root.join(key);
        Ok((dir.join(format!("{version}.bin")), dir.join(format!("{version}.lock.json"))))
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>, lock: Lock) -> Result<Stored, ArchiveError> {
        let version = format!("{:013}-{:016x}", now_ms(), rand::random::<u64>());
        let (data, lock_path) = self.paths(key, &version)?;
        let sha256 = sha256_hex(&bytes);
        let size = bytes.len() as u64;
        tokio::task::spawn_blocking(move || -> Result<(), ArchiveError> {
            let dir = data.parent().ok_or_else(|| ArchiveError::BadKey("no directory".into()))?;
            std::fs::create_dir_all(dir)?;
            write_durably(&lock_path, &serde_json::to_vec(&lock).map_err(std::io::Error::other)?)?;
            write_durably(&data, &bytes)?;
            set_read_only(&data)?;
            Ok(())
        })
        .await
        .map_err(|e| ArchiveError::Unavailable(e.to_string()))??;
        Ok(Stored { key: key.to_string(), version_id: version, size, sha256 })
    }

    pub async fn get(&self, key: &str, version: &str) -> Result<Vec<u8>, ArchiveError> {
        let (data, _) = self.paths(key, version)?;
        match tokio::fs::read(&data).await {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ArchiveError::NotFound(format!("{key} ({version})"))),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn lock_of(&self, key: &str, version: &str) -> Result<Lock, ArchiveError> {
        let (_, lock_path) = self.paths(key, version)?;
        match tokio::fs::read(&lock_path).await {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| ArchiveError::Unavailable(format!("{}: {e}", lock_path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ArchiveError::NotFound(format!("{key} ({version})"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a version, refused before its date or under a hold.
    pub async fn delete(&self, key: &str, version: &str) -> Result<(), ArchiveError> {
        let lock = self.lock_of(key, version).await?;
        if lock.legal_hold {
            return Err(ArchiveError::Refused(format!("{key} ({version}) is under legal hold")));
        }
        if now_ms() < lock.retain_until_ms {
            return Err(ArchiveError::Refused(format!("{key} ({version}) is retained until {}", lock.retain_until_ms)));
        }
        let (data, lock_path) = self.paths(key, version)?;
        tokio::fs::remove_file(&data).await?;
        tokio::fs::remove_file(&lock_path).await?;
        Ok(())
    }

    /// Moves the retain-until date later; earlier is refused.
    pub async fn set_retention(&self, key: &str, version: &str, until_ms: i64) -> Result<(), ArchiveError> {
        let lock = self.lock_of(key, version).await?;
        if until_ms < lock.retain_until_ms {
            return Err(ArchiveError::Refused(format!("{key} ({version}) is retained until {}; a retention is never shortened", lock.retain_until_ms)));
        }
        self.write_lock(key, version, Lock { retain_until_ms: until_ms, ..lock }).await
    }

    pub async fn set_legal_hold(&self, key: &str, version: &str, on: bool) -> Result<(), ArchiveError> {
        let lock = self.lock_of(key, version).await?;
        self.write_lock(key, version, Lock { legal_hold: on, ..lock }).await
    }

    async fn write_lock(&self, key: &str, version: &str, lock: Lock) -> Result<(), ArchiveError> {
        let (_, lock_path) = self.paths(key, version)?;
        let bytes = serde_json::to_vec(&lock).map_err(std::io::Error::other)?;
        tokio::task::spawn_blocking(move || write_durably(&lock_path, &bytes)).await.map_err(|e| ArchiveError::Unavailable(e.to_string()))??;
        Ok(())
    }
}

/// Writes a file whole or not at all: a temporary file, synced, renamed over the name, and the
/// directory synced.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{:08x}", rand::random::<u32>()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn set_read_only(path: &Path) -> std::io::Result<()> {
    let mut perms = std::fs::metadata(path)?.permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(path, perms)
}
