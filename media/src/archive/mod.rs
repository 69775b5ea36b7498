//! Archive stores: where recordings and documents are kept for their retention period, write
//! once. Two backends behind one type: a local directory (the default; the store itself refuses
//! deletion and shortening before the retain-until date) and S3-compatible object storage with
//! Object Lock in COMPLIANCE mode (or a bucket-level WORM policy, for stores such as Aliyun OSS
//! that lock a whole bucket). Whatever the backend would allow, [`Archive`] refuses an early
//! delete, a delete under legal hold and a shortened retention itself; [`Archive::probe`]
//! finds out at start what the backend enforces on its own.
pub mod local;
pub mod s3;

use std::time::Duration;

pub use local::LocalStore;
pub use s3::{S3Mode, S3Settings, S3Store};

/// An object's lock: kept until `retain_until_ms` at least, and while a legal hold is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lock {
    pub retain_until_ms: i64,
    pub legal_hold: bool,
}

/// What a put stored: the version to name it by later (keep it in the database: a lock does
/// not stop new versions of a key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: String,
    pub version_id: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("refused: {0}")]
    Refused(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid object key {0:?}")]
    BadKey(String),
    #[error("the archive is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// What the backend enforces by itself, found with a canary object at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Enforcement {
    /// The backend refused to delete a locked version.
    pub refuses_early_delete: bool,
    /// The backend refused to shorten a locked version's retain-until date.
    pub refuses_shortening: bool,
}

impl Enforcement {
    pub fn enforcing(&self) -> bool {
        self.refuses_early_delete && self.refuses_shortening
    }
}

/// A key as both backends accept it: ASCII letters, digits and `/ _ - .`, relative, no `..`.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 512
        && !key.starts_with('/')
        && !key.ends_with('/')
        && key.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.'))
}

/// One archive, on one backend.
#[derive(Debug, Clone)]
pub enum Archive {
    Local(LocalStore),
    S3(S3Store),
}

impl Archive {
    pub fn kind(&self) -> &'static str {
        match self {
            Archive::Local(_) => "local",
            Archive::S3(s) => s.kind(),
        }
    }

    /// Stores `bytes` under `key` as a new version, locked.
    pub async fn put(&self, key: &str, bytes: Vec<u8>, lock: Lock) -> Result<Stored, ArchiveError> {
        if !valid_key(key) {
            return Err(ArchiveError::BadKey(key.to_string()));
        }
        match self {
            Archive::Local(s) => s.put(key, bytes, lock).await,
            Archive::S3(s) => s.put(key, bytes, lock).await,
        }
    }

    pub async fn get(&self, key: &str, version: &str) -> Result<Vec<u8>, ArchiveError> {
        match self {
            Archive::Local(s) => s.get(key, version).await,
            Archive::S3(s) => s.get(key, version).await,
        }
    }

    /// The lock the backend holds for a version.
    pub async fn lock_of(&self, key: &str, version: &str) -> Result<Lock, ArchiveError> {
        match self {
            Archive::Local(s) => s.lock_of(key, version).await,
            Archive::S3(s) => s.lock_of(key, version).await,
        }
    }

    /// Deletes a version whose retention has passed and that is not held; refused otherwise,
    /// on every backend. `known` is the lock as our records have it (the later date of the
    /// two counts, so a backend that forgot a lock does not shorten it).
    pub async fn delete(&self, key: &str, version: &str, known: Option<Lock>, now_ms: i64) -> Result<(), ArchiveError> {
        let lock = self.lock_of(key, version).await?;
        if known.is_none() && lock.retain_until_ms == 0 {
            // Nothing says how long it must be kept (a bucket-level WORM store keeps no date per
            // object): what cannot be dated is not deleted.
            return Err(ArchiveError::Refused(format!("{key} ({version}) has no retention on record")));
        }
        let until = lock.retain_until_ms.max(known.map_or(0, |k| k.retain_until_ms));
        if lock.legal_hold || known.is_some_and(|k| k.legal_hold) {
            return Err(ArchiveError::Refused(format!("{key} ({version}) is under legal hold")));
        }
        if now_ms < until {
            return Err(ArchiveError::Refused(format!("{key} ({version}) is retained until {until} (ms since 1970)")));
        }
        self.raw_delete(key, version).await
    }

    /// Moves a version's retain-until date later; an earlier date is refused on every backend.
    pub async fn extend(&self, key: &str, version: &str, until_ms: i64) -> Result<(), ArchiveError> {
        let lock = self.lock_of(key, version).await?;
        if until_ms < lock.retain_until_ms {
            return Err(ArchiveError::Refused(format!("{key} ({version}) is retained until {}; a retention is never shortened", lock.retain_until_ms)));
        }
        self.raw_set_retention(key, version, until_ms).await
    }

    /// Places or lifts a legal hold.
    pub async fn hold(&self, key: &str, version: &str, on: bool) -> Result<(), ArchiveError> {
        match self {
            Archive::Local(s) => s.set_legal_hold(key, version, on).await,
            Archive::S3(s) => s.set_legal_hold(key, version, on).await,
        }
    }

    async fn raw_delete(&self, key: &str, version: &str) -> Result<(), ArchiveError> {
        match self {
            Archive::Local(s) => s.delete(key, version).await,
            Archive::S3(s) => s.delete(key, version).await,
        }
    }

    async fn raw_set_retention(&self, key: &str, version: &str, until_ms: i64) -> Result<(), ArchiveError> {
        match self {
            Archive::Local(s) => s.set_retention(key, version, until_ms).await,
            Archive::S3(s) => s.set_retention(key, version, until_ms).await,
        }
    }

    /// Whether the backend itself refuses an early delete and a shortened date: a canary
    /// object locked for a day is written, then the backend is asked directly (past our own
    /// checks) to shorten its lock and to delete it. A backend that lets either through is
    /// reported as not enforcing; the canary, if it survives, expires by itself.
    pub async fn probe(&self, now_ms: i64) -> Result<Enforcement, ArchiveError> {
        let key = format!("canary/{now_ms}-{:08x}", rand::random::<u32>());
        let day = Duration::from_secs(86_400).as_millis() as i64;
        let stored = self
            .put(&key, b"canary: the archive's lock is tested with this object".to_vec(), Lock { retain_until_ms: now_ms + day, legal_hold: false })
            .await?;
        let refuses_shortening = match self.raw_set_retention(&key, &stored.version_id, now_ms + day / 2).await {
            Ok(()) => self.lock_of(&key, &stored.version_id).await.map(|l| l.retain_until_ms >= now_ms + day).unwrap_or(false),
            Err(ArchiveError::Refused(_)) => true,
            Err(e) => return Err(e),
        };
        let refuses_early_delete = match self.raw_delete(&key, &stored.version_id).await {
            Ok(()) => self.get(&key, &stored.version_id).await.is_ok(),
            Err(ArchiveError::Refused(_)) => true,
            Err(e) => return Err(e),
        };
        Ok(Enforcement { refuses_early_delete, refuses_shortening })
    }
}

/// SHA-256 of bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_plain_relative_paths() {
        for good in ["recordings/1/2/camera/000001.webm", "documents/session-1/sign-in.pdf", "canary/1-ab"] {
            assert!(valid_key(good), "{good}");
        }
        for bad in ["", "/abs", "a/../b", "a//b", "a/./b", "trailing/", "空格", "a b", "a\\b"] {
            assert!(!valid_key(bad), "{bad}");
        }
    }
}
