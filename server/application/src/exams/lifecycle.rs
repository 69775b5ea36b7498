//! A paper's life as a state machine: it takes what happened and when, and answers what the
//! paper becomes, or why that cannot happen. Pure: no database and no clock of its own, so every
//! path is tested in simulated time. A fixed paper (drawn whole at the start, as today's papers
//! are) and an adaptive one (the next question chosen after each answer, for the intelligent
//! tests to come) live through the same states; they differ in what an answer asks for next.
use exam_records::exams::PaperStatus;

use super::timing::{PaperClock, TimingError};

/// How a paper's questions come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// All drawn at the start and frozen.
    Fixed,
    /// One at a time: after each answer the next is chosen (from the candidate's answers so far).
    Adaptive,
}

/// Where a paper is, and its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paper {
    pub status: PaperStatus,
    pub clock: PaperClock,
    pub delivery: Delivery,
}

/// What can happen to a paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The candidate answers a question.
    Answer,
    /// A proctor pauses the clock.
    Pause,
    /// A proctor lets the clock run again; the pause is added to the deadline.
    Resume,
    /// A proctor gives more time.
    ExtraTime { ms: i64 },
    /// The candidate hands in (the earliest hand-in is the session's rule, checked apart).
    HandIn,
    /// The deadline has passed and the sweep ends the paper.
    TimeUp,
    /// A proctor ends the paper.
    Terminate,
}

/// What an event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The answer counts. On an adaptive paper, the next question is to be chosen now.
    Answered { choose_next: bool },
    /// The paper is now this.
    Now(Paper),
}

/// Why an event cannot happen to the paper as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("paper_ended")]
    Ended,
    #[error("paper_paused")]
    Paused,
    #[error("time_over")]
    TimeOver,
    /// The sweep came before the deadline (or while the clock stands).
    #[error("not_over")]
    NotOver,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Ended => "paper_ended",
            Refusal::Paused => "paper_paused",
            Refusal::TimeOver => "time_over",
            Refusal::NotOver => "not_over",
        }
    }
}

impl Paper {
    /// What `event` at `now_ms` does to the paper.
    pub fn on(self, event: Event, now_ms: i64) -> Result<Step, Refusal> {
        if self.status != PaperStatus::InProgress {
            return Err(Refusal::Ended);
        }
        let now = |clock: PaperClock| Step::Now(Paper { clock, ..self });
        let ended = |status: PaperStatus| Step::Now(Paper { status, ..self });
        match event {
            Event::Answer => match self.clock.check_answer(now_ms) {
                Ok(()) => Ok(Step::Answered { choose_next: self.delivery == Delivery::Adaptive }),
                Err(TimingError::Paused) => Err(Refusal::Paused),
                Err(_) => Err(Refusal::TimeOver),
            },
            // Pausing a paused clock, or resuming a running one, changes nothing.
            Event::Pause => Ok(now(self.clock.paused(now_ms))),
            Event::Resume => Ok(now(self.clock.resumed(now_ms))),
            Event::ExtraTime { ms } => Ok(now(self.clock.extended(ms))),
            Event::HandIn => Ok(ended(PaperStatus::HandedIn)),
            Event::TimeUp if self.clock.is_over(now_ms) => Ok(ended(PaperStatus::HandedIn)),
            Event::TimeUp => Err(Refusal::NotOver),
            Event::Terminate => Ok(ended(PaperStatus::Terminated)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn fresh(delivery: Delivery) -> Paper {
        Paper { status: PaperStatus::InProgress, clock: PaperClock { deadline_ms: 90 * MIN, paused_at_ms: None }, delivery }
    }

    fn now(step: Result<Step, Refusal>) -> Paper {
        match step {
            Ok(Step::Now(p)) => p,
            other => panic!("a new state, not {other:?}"),
        }
    }

    #[test]
    fn a_fixed_paper_through_pause_extra_time_and_its_deadline() {
        let p = fresh(Delivery::Fixed);
        assert_eq!(p.on(Event::Answer, 10 * MIN), Ok(Step::Answered { choose_next: false }));
        let paused = now(p.on(Event::Pause, 10 * MIN));
        assert_eq!(paused.on(Event::Answer, 20 * MIN), Err(Refusal::Paused));
        assert_eq!(paused.on(Event::TimeUp, 200 * MIN), Err(Refusal::NotOver), "a paused clock never runs out");
        let resumed = now(paused.on(Event::Resume, 40 * MIN));
        assert_eq!(resumed.clock.deadline_ms, 120 * MIN, "the pause is added");
        let longer = now(resumed.on(Event::ExtraTime { ms: 10 * MIN }, 41 * MIN));
        assert_eq!(longer.clock.deadline_ms, 130 * MIN);
        assert_eq!(longer.on(Event::Answer, 130 * MIN - 1), Ok(Step::Answered { choose_next: false }));
        assert_eq!(longer.on(Event::Answer, 130 * MIN), Err(Refusal::TimeOver));
        assert_eq!(longer.on(Event::TimeUp, 129 * MIN), Err(Refusal::NotOver));
        let swept = now(longer.on(Event::TimeUp, 130 * MIN));
        assert_eq!(swept.status, PaperStatus::HandedIn);
        for e in [Event::Answer, Event::Pause, Event::Resume, Event::ExtraTime { ms: MIN }, Event::HandIn, Event::TimeUp, Event::Terminate] {
            assert_eq!(swept.on(e, 131 * MIN), Err(Refusal::Ended), "{e:?} after the end");
        }
    }

    #[test]
    fn pausing_twice_or_resuming_a_running_clock_changes_nothing() {
        let p = fresh(Delivery::Fixed);
        let paused = now(p.on(Event::Pause, 5 * MIN));
        assert_eq!(now(paused.on(Event::Pause, 9 * MIN)), paused);
        assert_eq!(now(p.on(Event::Resume, 5 * MIN)), p);
    }

    #[test]
    fn an_adaptive_paper_asks_for_the_next_question_after_each_answer() {
        let p = fresh(Delivery::Adaptive);
        assert_eq!(p.on(Event::Answer, MIN), Ok(Step::Answered { choose_next: true }));
        assert_eq!(now(p.on(Event::Terminate, MIN)).status, PaperStatus::Terminated);
    }
}
