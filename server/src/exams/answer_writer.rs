//! The durable answer path. Every answer goes to one writer task per database, which commits
//! whatever answers are waiting as one transaction and acknowledges each only after the
//! commit: with SQLite's synchronous=FULL that is one disk flush for many answers, instead of
//! one per answer. Under load a commit first lets a couple of milliseconds of answers gather,
//! so the flushes (and the thread's sleeps and wake-ups around each) stay few. Answers are
//! appended, never overwritten; a resent answer (same paper and client sequence number) is
//! acknowledged again as a duplicate and stored once.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::store::{Db, StoreError};

/// One answer as the candidate gave it. `response` is JSON, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerEvent {
    pub paper_id: i64,
    pub client_seq: i64,
    pub question_no: i64,
    pub response: String,
    pub received_at_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ack {
    /// Newly stored.
    Stored,
    /// Already stored earlier (a resend); nothing changed.
    Duplicate,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the answer could not be stored: {0}")]
    Store(#[from] StoreError),
    #[error("the answer writer has stopped")]
    Stopped,
}

struct Pending {
    event: AnswerEvent,
    done: oneshot::Sender<Result<Ack, String>>,
}

/// A handle to the writer task; cheap to clone.
#[derive(Debug, Clone)]
pub struct AnswerWriter {
    tx: mpsc::Sender<Pending>,
    counts: Arc<Counts>,
}

/// What the writer has done since it started.
#[derive(Debug, Default)]
struct Counts {
    commits: AtomicU64,
    answers: AtomicU64,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("paper_id", &self.event.paper_id).field("client_seq", &self.event.client_seq).finish()
    }
}

/// Most answers committed in one transaction; more wait for the next one.
const MAX_BATCH: usize = 4_000;
/// How long a commit waits for more answers to join it, when the last one carried more than one
/// (a lone answer on a quiet server is committed at once).
const GATHER: Duration = Duration::from_millis(2);
/// Rows per INSERT statement (5 parameters each). SQLite looks parameters up by name in a list,
/// so binding costs grow with the square of a statement's parameters: 100 rows is near the
/// cheapest per row.
const ROWS_PER_STATEMENT: usize = 100;

impl AnswerWriter {
    pub fn spawn(db: Db) -> AnswerWriter {
        let (tx, rx) = mpsc::channel(65_536);
        let counts = Arc::new(Counts::default());
        tokio::spawn(run(db, rx, counts.clone()));
        AnswerWriter { tx, counts }
    }

    /// Transactions committed and answers in them, since the writer started.
    pub fn counts(&self) -> (u64, u64) {
        (self.counts.commits.load(Ordering::Relaxed), self.counts.answers.load(Ordering::Relaxed))
    }

    /// Resolves once the answer is durable (or known to be already stored).
    pub async fn write(&self, event: AnswerEvent) -> Result<Ack, WriteError> {
        let (done, wait) = oneshot::channel();
        self.tx.send(Pending { event, done }).await.map_err(|_| WriteError::Stopped)?;
        match wait.await {
            Ok(Ok(ack)) => Ok(ack),
            Ok(Err(reason)) => Err(WriteError::Store(StoreError::Database(sqlx::Error::Protocol(reason)))),
            Err(_) => Err(WriteError::Stopped),
        }
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Pending>, counts: Arc<Counts>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    let mut busy = false;
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if busy {
            let until = tokio::time::Instant::now() + GATHER;
            while batch.len() < MAX_BATCH {
                let room = MAX_BATCH - batch.len();
                match tokio::time::timeout_at(until, rx.recv_many(&mut batch, room)).await {
                    Ok(n) if n > 0 => {}
                    _ => break,
                }
            }
        }
        busy = batch.len() > 1;
        counts.commits.fetch_add(1, Ordering::Relaxed);
        counts.answers.fetch_add(batch.len() as u64, Ordering::Relaxed);
        let result = commit(&db, &batch).await;
        match result {
            Ok(stored) => {
                for (p, new) in batch.drain(..).zip(stored) {
                    let _ = p.done.send(Ok(if new { Ack::Stored } else { Ack::Duplicate }));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, answers = batch.len(), "answer batch failed");
                for p in batch.drain(..) {
                    let _ = p.done.send(Err("database error".to_string()));
                }
            }
        }
    }
}

/// Inserts the batch in one transaction; for each answer, whether it was new.
async fn commit(db: &Db, batch: &[Pending]) -> Result<Vec<bool>, StoreError> {
    let mut tx = db.writer().begin().await?;
    let mut new_keys = std::collections::HashSet::new();
    for chunk in batch.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| format!("(${}, ${}, ${}, ${}, ${})", r * 5 + 1, r * 5 + 2, r * 5 + 3, r * 5 + 4, r * 5 + 5))
            .collect();
        // Built from constant fragments and numbered placeholders only.
        let sql = format!(
            "INSERT INTO answer_events (paper_id, client_seq, question_no, response, received_at_ms) VALUES {} \
             ON CONFLICT (paper_id, client_seq) DO NOTHING RETURNING paper_id, client_seq",
            values.join(", ")
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for p in chunk {
            let e = &p.event;
            q = q.bind(e.paper_id).bind(e.client_seq).bind(e.question_no).bind(&e.response).bind(e.received_at_ms);
        }
        // A resend within the same batch conflicts with its twin: only the first is new.
        new_keys.extend(q.fetch_all(&mut *tx).await?);
    }
    tx.commit().await?;
    let mut seen = std::collections::HashSet::new();
    Ok(batch
        .iter()
        .map(|p| {
            let key = (p.event.paper_id, p.event.client_seq);
            new_keys.contains(&key) && seen.insert(key)
        })
        .collect())
}
