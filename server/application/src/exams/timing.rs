//! The server's clock for a session and a paper, as plain functions of stored instants and
//! `now`: nothing here reads the time itself, so a restart resumes every paper where it was.

/// The timing rules of one session (场次), as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    pub starts_at_ms: i64,
    /// End of the window in which the session may run at all.
    pub ends_at_ms: i64,
    pub duration_ms: i64,
    /// No entry later than this after the start (default 30 minutes).
    pub late_entry_ms: i64,
    /// No hand-in earlier than this after the start (default 30 minutes).
    pub earliest_hand_in_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimingError {
    #[error("the session has not opened yet")]
    NotOpen,
    #[error("entry closed at the late-entry cut-off")]
    EntryClosed,
    #[error("the time is over")]
    TimeOver,
    #[error("hand-in is not allowed yet")]
    TooEarly,
    #[error("the paper is paused")]
    Paused,
}

impl TimingError {
    pub fn code(self) -> &'static str {
        match self {
            TimingError::NotOpen => "session_not_open",
            TimingError::EntryClosed => "entry_closed",
            TimingError::TimeOver => "time_over",
            TimingError::TooEarly => "hand_in_too_early",
            TimingError::Paused => "paper_paused",
        }
    }
}

impl SessionTimes {
    /// Signing in and starting are allowed from the start until the late-entry cut-off.
    pub fn check_entry(&self, now_ms: i64) -> Result<(), TimingError> {
        if now_ms < self.starts_at_ms {
            Err(TimingError::NotOpen)
        } else if now_ms > self.starts_at_ms + self.late_entry_ms {
            Err(TimingError::EntryClosed)
        } else {
            Ok(())
        }
    }

    /// Everyone's time ends together: a late entrant does not get the minutes they missed,
    /// and no paper runs past the session's window.
    pub fn deadline_ms(&self) -> i64 {
        (self.starts_at_ms + self.duration_ms).min(self.ends_at_ms)
    }
}

/// One candidate's paper clock: the deadline moves only by extra time and by pauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperClock {
    pub deadline_ms: i64,
    pub paused_at_ms: Option<i64>,
}

impl PaperClock {
    /// Milliseconds left; a paused clock does not run.
    pub fn remaining_ms(&self, now_ms: i64) -> i64 {
        let at = self.paused_at_ms.unwrap_or(now_ms);
        (self.deadline_ms - at).max(0)
    }

    pub fn is_over(&self, now_ms: i64) -> bool {
        self.paused_at_ms.is_none() && now_ms >= self.deadline_ms
    }

    /// Whether an answer given at `now` may be stored.
    pub fn check_answer(&self, now_ms: i64) -> Result<(), TimingError> {
        if self.paused_at_ms.is_some() {
            Err(TimingError::Paused)
        } else if now_ms >= self.deadline_ms {
            Err(TimingError::TimeOver)
        } else {
            Ok(())
        }
    }

    pub fn check_hand_in(&self, times: &SessionTimes, now_ms: i64) -> Result<(), TimingError> {
        if now_ms < times.starts_at_ms + times.earliest_hand_in_ms { Err(TimingError::TooEarly) } else { Ok(()) }
    }

    pub fn paused(self, now_ms: i64) -> PaperClock {
        match self.paused_at_ms {
            Some(_) => self,
            None => PaperClock { paused_at_ms: Some(now_ms.min(self.deadline_ms)), ..self },
        }
    }

    /// The time spent paused is added to the deadline.
    pub fn resumed(self, now_ms: i64) -> PaperClock {
        match self.paused_at_ms {
            Some(p) => PaperClock { deadline_ms: self.deadline_ms + (now_ms - p).max(0), paused_at_ms: None },
            None => self,
        }
    }

    pub fn extended(self, extra_ms: i64) -> PaperClock {
        PaperClock { deadline_ms: self.deadline_ms + extra_ms.max(0), ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn times() -> SessionTimes {
        SessionTimes { starts_at_ms: 1_000 * MIN, ends_at_ms: 1_200 * MIN, duration_ms: 90 * MIN, late_entry_ms: 30 * MIN, earliest_hand_in_ms: 30 * MIN }
    }

    #[test]
    fn entry_window() {
        let t = times();
        assert_eq!(t.check_entry(999 * MIN), Err(TimingError::NotOpen));
        assert_eq!(t.check_entry(1_000 * MIN), Ok(()));
        assert_eq!(t.check_entry(1_030 * MIN), Ok(()));
        assert_eq!(t.check_entry(1_030 * MIN + 1), Err(TimingError::EntryClosed));
        assert_eq!(t.deadline_ms(), 1_090 * MIN, "late entrants end with everyone");
    }

    #[test]
    fn pause_resume_and_extra_time_move_the_deadline() {
        let t = times();
        let c = PaperClock { deadline_ms: t.deadline_ms(), paused_at_ms: None };
        assert_eq!(c.remaining_ms(1_080 * MIN), 10 * MIN);
        let p = c.paused(1_080 * MIN);
        assert_eq!(p.remaining_ms(1_200 * MIN), 10 * MIN, "a paused clock does not run");
        assert_eq!(p.check_answer(1_081 * MIN), Err(TimingError::Paused));
        assert!(!p.is_over(2_000 * MIN));
        let r = p.resumed(1_085 * MIN);
        assert_eq!(r.deadline_ms, 1_095 * MIN);
        assert_eq!(r.extended(5 * MIN).remaining_ms(1_095 * MIN), 5 * MIN);
        assert_eq!(r.check_answer(1_095 * MIN), Err(TimingError::TimeOver));
        assert!(r.is_over(1_095 * MIN));
        assert_eq!(r.check_hand_in(&t, 1_029 * MIN), Err(TimingError::TooEarly));
        assert_eq!(r.check_hand_in(&t, 1_030 * MIN), Ok(()));
    }
}
