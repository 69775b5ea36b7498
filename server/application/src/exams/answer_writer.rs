//! The durable answer path. Every answer goes to one writer task per database, which commits
//! whatever answers are waiting as one transaction and acknowledges each only after the
//! commit: with SQLite's synchronous=FULL that is one disk flush for many answers, instead of
//! one per answer. Under load a commit first lets a couple of milliseconds of answers gather,
//! so the flushes (and the thread's sleeps and wake-ups around each) stay few. Answers are
//! appended, never overwritten; a resent answer (same paper and client sequence number) is
//! acknowledged again as a duplicate and stored once.
//!
//! The transaction itself decides whether an answer still counts: it reads the papers of the
//! batch (locking them against a hand-in on PostgreSQL; on SQLite every write goes through one
//! connection) and stores only answers to papers in progress, not paused, given before the
//! deadline. So an acknowledged answer is always one the score is computed from, whatever a
//! cached clock said when it arrived.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::timing::PaperClock;
use exam_records::{Db, StoreError, answers};

pub use exam_records::answers::AnswerEvent;

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
    /// Final: the paper no longer takes answers (the code says why: `paper_ended`,
    /// `paper_paused`, `time_over`).
    #[error("the answer no longer counts: {0}")]
    Refused(&'static str),
}

/// What became of one answer in its batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Stored,
    Duplicate,
    Refused(&'static str),
}

struct Pending {
    event: AnswerEvent,
    done: oneshot::Sender<Result<Outcome, String>>,
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
            Ok(Ok(Outcome::Stored)) => Ok(Ack::Stored),
            Ok(Ok(Outcome::Duplicate)) => Ok(Ack::Duplicate),
            Ok(Ok(Outcome::Refused(code))) => Err(WriteError::Refused(code)),
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
            Ok(outcomes) => {
                for (p, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = p.done.send(Ok(outcome));
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

/// Inserts the batch in one transaction; for each answer, what became of it.
async fn commit(db: &Db, batch: &[Pending]) -> Result<Vec<Outcome>, StoreError> {
    let mut tx = db.writer().begin().await?;
    let mut papers: Vec<i64> = batch.iter().map(|p| p.event.paper_id).collect();
    papers.sort_unstable();
    papers.dedup();
    answers::hold_papers(&mut tx, db.backend, &papers).await?;
    let events: Vec<&AnswerEvent> = batch.iter().map(|p| &p.event).collect();
    let new_keys = answers::insert_counting(&mut tx, &events).await?;
    // What was not stored is a resend, or no longer counts: told apart only for those (few).
    let mut seen = std::collections::HashSet::new();
    let stored: Vec<bool> =
        batch.iter().map(|p| new_keys.contains(&(p.event.paper_id, p.event.client_seq)) && seen.insert((p.event.paper_id, p.event.client_seq))).collect();
    let rest: Vec<&AnswerEvent> = batch.iter().zip(&stored).filter(|(_, s)| !**s).map(|(p, _)| &p.event).collect();
    let (clocks, stored_before) = if rest.is_empty() {
        Default::default()
    } else {
        let mut rest_papers: Vec<i64> = rest.iter().map(|e| e.paper_id).collect();
        rest_papers.sort_unstable();
        rest_papers.dedup();
        let keys: Vec<(i64, i64)> = rest.iter().map(|e| (e.paper_id, e.client_seq)).collect();
        (answers::open_papers(&mut tx, &rest_papers).await?, answers::existing(&mut tx, &keys).await?)
    };
    tx.commit().await?;
    Ok(batch
        .iter()
        .zip(stored)
        .map(|(p, stored)| {
            let e = &p.event;
            if stored {
                return Outcome::Stored;
            }
            // A resend of an answer stored before the paper ended still counts: a duplicate.
            if stored_before.contains(&(e.paper_id, e.client_seq)) {
                return Outcome::Duplicate;
            }
            match clocks.get(&e.paper_id) {
                None => Outcome::Refused("paper_ended"),
                Some(&(deadline_ms, paused_at_ms)) => match (PaperClock { deadline_ms, paused_at_ms }).check_answer(e.received_at_ms) {
                    Err(t) => Outcome::Refused(t.code()),
                    // Counted and not new: its twin in this batch was stored.
                    Ok(()) => Outcome::Duplicate,
                },
            }
        })
        .collect())
}
