//! The log as this process sees it: the signing key, and the tree rebuilt from the stored leaf
//! hashes and kept up to date from the database (any process may append; the order is the
//! database's). Checkpoints are signed when asked for and the tree has grown, so a reader
//! always gets one covering every committed entry, and nothing is signed for an idle log.
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use evidence::checkpoint::Checkpoint;
use evidence::merkle::{Hash, Tree, leaf_hash};
use evidence::note::NoteSigner;
use evidence::tiles::{self, TileRef};
use exam_records::{Db, StoreError, evidence as rows};
use tokio::sync::Mutex;

use crate::error::AppError;

/// The most leaf hashes read from the database at once while catching up.
const CATCH_UP_BATCH: i64 = 10_000;

#[derive(Clone)]
pub struct EvidenceLog {
    signer: Arc<NoteSigner>,
    tree: Arc<Mutex<Tree>>,
}

impl std::fmt::Debug for EvidenceLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceLog").field("origin", &self.signer.name()).finish_non_exhaustive()
    }
}

impl EvidenceLog {
    /// The signing key from the settings, or the one kept in the data directory (made there at
    /// first start, readable by this user only). Its name must be the log's origin.
    pub fn open(settings: &crate::config::EvidenceSettings, data_dir: &Path) -> anyhow::Result<EvidenceLog> {
        let text = if settings.signing_key.trim().is_empty() { key_in(data_dir, &settings.origin)? } else { settings.signing_key.trim().to_string() };
        let signer = NoteSigner::from_text(&text).map_err(|e| anyhow::anyhow!("evidence.signing_key: {e}"))?;
        anyhow::ensure!(
            signer.name() == settings.origin,
            "evidence.signing_key is for the log {:?}, but evidence.origin is {:?}",
            signer.name(),
            settings.origin
        );
        Ok(EvidenceLog { signer: Arc::new(signer), tree: Arc::new(Mutex::new(Tree::new())) })
    }

    /// The verifier key to publish: `<origin>+<key ID>+<key>`.
    pub fn verifier_key(&self) -> String {
        self.signer.verifier_text()
    }

    pub fn origin(&self) -> &str {
        self.signer.name()
    }

    /// Brings the tree up to every committed entry.
    async fn caught_up(&self, db: &Db) -> Result<tokio::sync::MutexGuard<'_, Tree>, AppError> {
        let mut tree = self.tree.lock().await;
        loop {
            let batch = rows::leaf_hashes(db, tree.size() as i64, CATCH_UP_BATCH).await?;
            for h in &batch {
                let h: Hash = h.as_slice().try_into().map_err(|_| AppError::Internal(anyhow::anyhow!("a stored leaf hash is not 32 bytes")))?;
                tree.push_leaf_hash(h);
            }
            if (batch.len() as i64) < CATCH_UP_BATCH {
                return Ok(tree);
            }
        }
    }

    /// The newest signed checkpoint, signing one first if the log has grown past it.
    pub async fn checkpoint(&self, db: &Db, now_ms: i64) -> Result<String, AppError> {
        let tree = self.caught_up(db).await?;
        let latest = rows::latest_checkpoint(db).await?;
        if let Some((size, note)) = &latest
            && *size as u64 >= tree.size()
        {
            return Ok(note.clone());
        }
        let cp = Checkpoint { origin: self.origin().to_string(), size: tree.size(), root: tree.root() };
        let note = cp.sign(&self.signer).map_err(|e| AppError::Internal(anyhow::anyhow!("signing a checkpoint: {e}")))?;
        if cp.size == 0 {
            // The empty log's head is served, not kept.
            return Ok(note);
        }
        let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
        rows::insert_checkpoint(&mut tx, cp.size as i64, &cp.root, &note, now_ms).await?;
        tx.commit().await.map_err(StoreError::from)?;
        // Another process may have signed this size first: serve the stored one.
        Ok(rows::latest_checkpoint(db).await?.map(|(_, n)| n).unwrap_or(note))
    }

    /// A tile at its tlog-tiles path (`tile/…`), as of the newest checkpoint; `None` when it
    /// does not exist there.
    pub async fn tile(&self, db: &Db, path: &str) -> Result<Option<Vec<u8>>, AppError> {
        let Some(t) = TileRef::parse(path) else { return Ok(None) };
        let Some((size, _)) = rows::latest_checkpoint(db).await? else { return Ok(None) };
        let size = size as u64;
        if t.level.is_some() {
            let tree = self.caught_up(db).await?;
            return Ok(tiles::hash_tile(&tree, size, t));
        }
        let Some(width) = tiles::wanted_width(t, size) else { return Ok(None) };
        let from = (t.index * tiles::WIDTH) as i64;
        let entries = rows::entries(db, from, from + width as i64).await?;
        if entries.len() as u64 != width {
            return Ok(None);
        }
        Ok(Some(tiles::bundle(entries.iter().map(|(_, d)| d.as_slice()))))
    }
}

/// What proves one entry: the signed checkpoint, the entry's index and bytes, and its
/// inclusion proof up to that checkpoint.
#[derive(Debug, Clone)]
pub struct Proved {
    pub checkpoint: String,
    pub size: u64,
    pub index: u64,
    pub entry: Vec<u8>,
    pub proof: Vec<Hash>,
}

impl EvidenceLog {
    /// The newest entry about `subject`, proved in a checkpoint that covers it (signed now if
    /// none does yet); `None` when there is no such entry.
    pub async fn prove_latest_about(&self, db: &Db, subject: &str, now_ms: i64) -> Result<Option<Proved>, AppError> {
        let Some((index, entry)) = rows::latest_about(db, subject).await? else { return Ok(None) };
        let note = self.checkpoint(db, now_ms).await?;
        let cp = evidence::checkpoint::Checkpoint::open(&note, &self.signer.verifier())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("our own checkpoint does not open: {e}")))?;
        let tree = self.caught_up(db).await?;
        let proof = tree.inclusion_proof(index as u64, cp.size).map_err(|e| AppError::Internal(anyhow::anyhow!("proving entry {index}: {e}")))?;
        Ok(Some(Proved { checkpoint: note, size: cp.size, index: index as u64, entry, proof }))
    }
}

/// Appends an entry in the caller's transaction; its index in the log.
pub async fn append(conn: &mut sqlx::AnyConnection, kind: &str, subject: &str, entry: &serde_json::Value, now_ms: i64) -> Result<i64, AppError> {
    let data = serde_json::to_vec(entry).map_err(|e| AppError::Internal(e.into()))?;
    if data.len() > tiles::MAX_ENTRY {
        return Err(AppError::Internal(anyhow::anyhow!("an evidence entry of {} bytes is over the format's limit", data.len())));
    }
    Ok(rows::append(conn, kind, subject, &data, &leaf_hash(&data), now_ms).await?)
}

/// The key kept in the data directory, made there if missing.
fn key_in(data_dir: &Path, origin: &str) -> anyhow::Result<String> {
    let path = data_dir.join("evidence-signing.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(text.trim().to_string());
    }
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    let signer = NoteSigner::from_seed(origin, seed).map_err(|e| anyhow::anyhow!("evidence.origin {origin:?}: {e}"))?;
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path).with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut f, format!("{}\n", signer.to_text()).as_bytes())?;
    tracing::info!(path = %path.display(), "made the evidence log's signing key; publish /evidence/log/key");
    Ok(signer.to_text())
}
