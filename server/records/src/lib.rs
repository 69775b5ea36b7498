//! Records: one store layer whose every query runs on SQLite (embedded default) and
//! PostgreSQL (scale). Queries use `$n` placeholders and plain integer/text columns, which
//! both engines read the same way through sqlx's `Any` driver.

pub mod accounts;
pub mod answers;
pub mod archive;
pub mod audit;
pub mod banks;
pub mod evidence;
pub mod exams;
pub mod institutions;
pub mod items;
pub mod marking;
pub mod photos;
pub mod review;
pub mod serials;
pub mod sessions;

use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AnyPool, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors from the store. Unique-key violations are told apart so handlers can answer 409.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return StoreError::Conflict(db.constraint().unwrap_or_else(|| db.message()).to_string());
        }
        StoreError::Database(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database handle. On SQLite, writes go through a single connection so writers never
/// fight over the file lock, and reads use their own pool. On PostgreSQL, writes and reads have
/// separate pools, so a crowd of reads never makes a commit (an answer's acknowledgement) wait
/// for a connection.
#[derive(Debug, Clone)]
pub struct Db {
    pub backend: Backend,
    read: AnyPool,
    write: AnyPool,
}

/// Connections a PostgreSQL handle opens at most, unless told otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 24;

impl Db {
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Db::connect_with(url, DEFAULT_POOL_SIZE).await
    }

    /// As [`Db::connect`], with at most `pool_size` PostgreSQL connections: a quarter (at least
    /// two) for writing transactions, the rest for reads. SQLite ignores it.
    pub async fn connect_with(url: &str, pool_size: u32) -> anyhow::Result<Db> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("database_url must start with sqlite: or postgres:");
        };
        match backend {
            Backend::Sqlite => {
                if let Some(dir) = sqlite_parent_dir(url) {
                    std::fs::create_dir_all(&dir).with_context(|| format!("creating data directory {}", dir.display()))?;
                }
                // The writer touches index pages all over the answers table: give it room to keep
                // them (SQLite's default is 2 MB; readers keep the default).
                let write = sqlite_pool(url, 1, WRITER_CACHE_KIB).await?;
                let read = sqlite_pool(url, 8, 2_000).await?;
                Ok(Db { backend, read, write })
            }
            Backend::Postgres => {
                let writers = (pool_size / 4).max(2);
                let readers = pool_size.saturating_sub(writers).max(2);
                let pool = |max: u32| AnyPoolOptions::new().max_connections(max).acquire_timeout(Duration::from_secs(10)).connect(url);
                let write = pool(writers).await.context("connecting to PostgreSQL")?;
                let read = pool(readers).await.context("connecting to PostgreSQL")?;
                Ok(Db { backend, read, write })
            }
        }
    }

    /// Pool for queries that only read.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Pool for transactions that write.
    pub fn writer(&self) -> &AnyPool {
        &self.write
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.migrator().run(&self.write).await.context("applying migrations")?;
        Ok(())
    }

    /// Ready means reachable and every migration this binary knows has been applied.
    pub async fn ready(&self) -> StoreResult<bool> {
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&self.read).await?;
        let known = i64::try_from(self.migrator().iter().count()).unwrap_or(i64::MAX);
        Ok(applied >= known)
    }
}

/// The writer connection's page cache, in KiB.
const WRITER_CACHE_KIB: u32 = 16 * 1024;

async fn sqlite_pool(url: &str, max: u32, cache_kib: u32) -> anyhow::Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn: &mut AnyConnection, _| {
            Box::pin(async move {
                // WAL lets readers run beside the writer; FULL makes a commit durable before
                // it is acknowledged; the timeout covers another process holding the lock.
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = FULL").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                // Built from a constant number only.
                conn.execute(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{cache_kib}"))).await?;
                Ok(())
            })
        })
        .connect(url)
        .await
        .with_context(|| "opening the SQLite database".to_string())
}

fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    std::path::Path::new(path).parent().map(|p| p.to_path_buf())
}
