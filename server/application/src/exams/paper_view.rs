//! A frozen paper as the server keeps it in memory: the questions with what validating and
//! scoring an answer needs. Item versions never change, so this is built once per paper.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use exam_protocol::{CandidateChoice, CandidateItem, ItemRecord, Key, PaperQuestionView};
use question_bank::paper::PaperQuestion;

use crate::events::{Event, EventBus};
use exam_records::{Db, StoreError, StoreResult, items};

#[derive(Debug, Clone)]
pub struct Question {
    pub no: i64,
    pub spec: PaperQuestion,
    /// Shared by every paper that drew this item version.
    pub record: Arc<ItemRecord>,
    pub blanks: usize,
}

/// The id the candidate's copy gives the option shown `n`th (from 0): its letter on the page.
/// It says nothing of the option's place in the bank, so the shuffle cannot be undone by
/// reading the page, nor candidates agree on an answer by the bank's letters.
fn display_id(n: usize) -> String {
    match u8::try_from(n) {
        Ok(i) if i < 26 => char::from(b'A' + i).to_string(),
        _ => format!("o{n}"),
    }
}

impl Question {
    /// The candidate's copy: options in this paper's order under their shown letters, no key.
    pub fn view(&self) -> PaperQuestionView {
        let c = &self.record.content;
        let choices = self
            .spec
            .choice_order
            .iter()
            .filter_map(|id| c.choices.iter().find(|ch| &ch.id == id))
            .enumerate()
            .map(|(n, ch)| CandidateChoice { id: display_id(n), content: ch.content.clone() })
            .collect();
        PaperQuestionView {
            no: self.no,
            points: self.spec.points,
            item: CandidateItem { item_type: c.item_type, stem: c.stem.clone(), choices, blanks: self.blanks },
        }
    }
}

impl Question {
    /// A response as the candidate's copy names options, in the bank's ids (what is stored and
    /// scored). An id the copy does not show stays unknown, and validation refuses it.
    pub fn to_bank_ids(&self, r: question_bank::scoring::Response) -> question_bank::scoring::Response {
        use question_bank::scoring::Response;
        match r {
            Response::Choices(ids) => Response::Choices(
                ids.into_iter()
                    .map(|d| {
                        let n = (0..self.spec.choice_order.len()).find(|n| display_id(*n) == d);
                        n.and_then(|n| self.spec.choice_order.get(n).cloned()).unwrap_or_else(|| format!("\u{1}{d}"))
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// A stored response as the candidate's copy names options.
    pub fn to_display_ids(&self, r: question_bank::scoring::Response) -> question_bank::scoring::Response {
        use question_bank::scoring::Response;
        match r {
            Response::Choices(ids) => {
                Response::Choices(ids.into_iter().filter_map(|id| self.spec.choice_order.iter().position(|o| *o == id).map(display_id)).collect())
            }
            other => other,
        }
    }
}

/// Status, deadline and pause of a paper as last read.
type Clock = (exam_records::exams::PaperStatus, i64, Option<i64>);

/// How long a paper's clock is trusted from memory when every change is announced: by this
/// process directly, by others over the Redis event bus. Only a safety net.
pub const CLOCK_TTL_ANNOUNCED: Duration = Duration::from_secs(60);
/// How long when other processes may change clocks without telling (PostgreSQL without Redis):
/// this bounds how long such a change takes to be seen.
pub const CLOCK_TTL_UNANNOUNCED: Duration = Duration::from_millis(1000);

/// Between half and all of `ttl`, by paper: clocks read at the same moment (a whole room
/// starting) are not all read again at the same moment, in the middle of everyone's answers.
fn spread(ttl: Duration, paper_id: i64) -> Duration {
    ttl.mul_f64(0.5 + (paper_id.rem_euclid(1024) as f64) / 2048.0)
}

/// Loaded papers by id. Questions are immutable, so sharing them across requests is safe;
/// clocks are kept so each answer and each clock tick does not cost a database read.
#[derive(Debug)]
pub struct PaperCache {
    papers: Mutex<HashMap<i64, Arc<Vec<Question>>>>,
    /// Item versions by id: thousands of papers draw from the same few hundred items.
    versions: Mutex<HashMap<i64, Arc<ItemRecord>>>,
    clocks: Mutex<HashMap<i64, (Instant, Clock)>>,
    clock_ttl: Duration,
}

impl PaperCache {
    pub fn new(clock_ttl: Duration) -> PaperCache {
        PaperCache { papers: Mutex::default(), versions: Mutex::default(), clocks: Mutex::default(), clock_ttl }
    }

    /// Forgets clocks as the bus announces changes; forgets them all after missed events.
    pub fn follow(self: &Arc<Self>, bus: &EventBus) {
        let mut rx = bus.subscribe();
        let me = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let event = rx.recv().await;
                let Some(cache) = me.upgrade() else { return };
                match event {
                    Ok(Event::PaperChanged { paper_id, .. }) => cache.invalidate(paper_id),
                    Ok(Event::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => cache.forget_clocks(),
                    Err(broadcast::error::RecvError::Closed) => return,
                    Ok(_) => {}
                }
            }
        });
    }

    fn forget_clocks(&self) {
        self.clocks.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    pub async fn clock(&self, db: &Db, paper_id: i64) -> StoreResult<Option<Clock>> {
        if let Some((at, clock)) = self.clocks.lock().unwrap_or_else(|e| e.into_inner()).get(&paper_id)
            && at.elapsed() < spread(self.clock_ttl, paper_id)
        {
            return Ok(Some(*clock));
        }
        self.fresh_clock(db, paper_id).await
    }

    /// Reads the clock from the database, whatever is cached: for a socket told that it changed
    /// (the event may reach it before it reaches this cache).
    pub async fn fresh_clock(&self, db: &Db, paper_id: i64) -> StoreResult<Option<Clock>> {
        let clock = exam_records::exams::paper_clock(db, paper_id).await?;
        if let Some(c) = &clock {
            let mut map = self.clocks.lock().unwrap_or_else(|e| e.into_inner());
            if map.len() > 50_000 {
                map.clear();
            }
            map.insert(paper_id, (Instant::now(), *c));
        }
        Ok(clock)
    }

    /// Forgets a paper's clock after a pause, resume, extra time or end.
    pub fn invalidate(&self, paper_id: i64) {
        self.clocks.lock().unwrap_or_else(|e| e.into_inner()).remove(&paper_id);
    }

    async fn version(&self, db: &Db, version_id: i64) -> StoreResult<Arc<ItemRecord>> {
        if let Some(v) = self.versions.lock().unwrap_or_else(|e| e.into_inner()).get(&version_id) {
            return Ok(v.clone());
        }
        let record = Arc::new(items::version(db, version_id).await?.ok_or_else(|| StoreError::Database(sqlx::Error::RowNotFound))?);
        let mut map = self.versions.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.clear();
        }
        map.insert(version_id, record.clone());
        Ok(record)
    }

    pub async fn questions(&self, db: &Db, paper_id: i64, questions_json: &str) -> StoreResult<Arc<Vec<Question>>> {
        if let Some(q) = self.papers.lock().unwrap_or_else(|e| e.into_inner()).get(&paper_id) {
            return Ok(q.clone());
        }
        let specs: Vec<PaperQuestion> =
            serde_json::from_str(questions_json).map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("paper {paper_id}: {e}").into())))?;
        let mut out = Vec::with_capacity(specs.len());
        for (i, spec) in specs.into_iter().enumerate() {
            let record = self.version(db, spec.version_id).await?;
            let blanks = match &record.content.key {
                Key::FillIn { blanks } => blanks.len(),
                _ => 0,
            };
            out.push(Question { no: i as i64 + 1, spec, record, blanks });
        }
        let out = Arc::new(out);
        let mut map = self.papers.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 50_000 {
            map.clear();
        }
        map.insert(paper_id, out.clone());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_of_one_room_expire_spread_over_half_the_time_to_live() {
        let ttl = Duration::from_secs(60);
        let lives: Vec<Duration> = (1..=2_000).map(|id| spread(ttl, id)).collect();
        assert!(lives.iter().all(|l| *l >= ttl / 2 && *l < ttl));
        let (min, max) = (lives.iter().min().copied().unwrap_or_default(), lives.iter().max().copied().unwrap_or_default());
        assert!(max - min > Duration::from_secs(25), "spread from {min:?} to {max:?}");
    }
}
