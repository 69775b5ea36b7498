//! Hands in every paper whose time is over, from the stored deadlines: a paper whose candidate
//! closed the page, or whose deadline passed while the server was down, is scored all the same.
use std::time::Duration;

use super::candidate::Finished;
use super::lifecycle::Event;
use crate::App;
use exam_records::exams;

/// How often stored deadlines are checked.
const EVERY: Duration = Duration::from_secs(2);

pub fn spawn(state: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            sweep(&state).await;
        }
    })
}

/// One pass; returns how many papers it handed in.
pub async fn sweep(state: &App) -> usize {
    let due = match exams::overdue_papers(&state.db, state.clock.now_ms()).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "deadline sweep could not read papers");
            return 0;
        }
    };
    let mut done = 0;
    for paper_id in due {
        match super::candidate::finish(state, paper_id, Event::TimeUp, None, "time_over").await {
            Ok(Finished::Ended { .. }) => done += 1,
            // Handed in meanwhile by the candidate, swept by another process, or given more
            // time since the list was read.
            Ok(Finished::AlreadyEnded | Finished::NotDue) => {}
            Err(e) => tracing::error!(paper_id, error = %e, "automatic hand-in failed"),
        }
    }
    done
}
