//! The certification rules a session is checked against (DOMAIN.md, from the provincial
//! notice): proctors per candidate and per room, a room's capacity, the theory test's length,
//! the late-entry cut-off, the earliest hand-in, the pass mark and the double-marking
//! threshold. The notice's values are the defaults; a deployment may set its own in `[rules]`,
//! checked once at start with a message that says what is wrong.
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// A theory test lasts at least this long (minutes); also a session's default length.
    pub min_duration_minutes: i64,
    /// And at most this long (minutes).
    pub max_duration_minutes: i64,
    /// Nobody enters later than this after the start (minutes), unless the session says less.
    pub late_entry_minutes: i64,
    /// Nobody hands in earlier than this after the start (minutes), unless the session says less.
    pub earliest_hand_in_minutes: i64,
    /// Candidates one room holds, unless the session says fewer.
    pub room_capacity: i64,
    /// One proctor for every so many candidates …
    pub candidates_per_proctor: i64,
    /// … and never fewer than this many in a room.
    pub min_proctors: i64,
    /// Out of 100, each part on its own, unless the session says otherwise.
    pub pass_mark: i64,
    /// Two markers may differ by this percent of a question's points before a third marks.
    pub marking_threshold_pct: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_duration_minutes: 90,
            max_duration_minutes: 600,
            late_entry_minutes: 30,
            earliest_hand_in_minutes: 30,
            room_capacity: 30,
            candidates_per_proctor: 15,
            min_proctors: 2,
            pass_mark: 60,
            marking_threshold_pct: 20,
        }
    }
}

impl Rules {
    /// Every value in its range, or what is wrong, naming the setting.
    pub fn validate(&self) -> Result<(), String> {
        let check = |ok: bool, what: &str| if ok { Ok(()) } else { Err(format!("rules.{what}")) };
        check((1..=1440).contains(&self.min_duration_minutes), "min_duration_minutes must be 1..=1440")?;
        check(
            (self.min_duration_minutes..=1440).contains(&self.max_duration_minutes),
            "max_duration_minutes must be at least min_duration_minutes and at most 1440",
        )?;
        check((0..=self.min_duration_minutes).contains(&self.late_entry_minutes), "late_entry_minutes must be 0..=min_duration_minutes")?;
        check((0..=self.min_duration_minutes).contains(&self.earliest_hand_in_minutes), "earliest_hand_in_minutes must be 0..=min_duration_minutes")?;
        check((1..=200).contains(&self.room_capacity), "room_capacity must be 1..=200")?;
        check((1..=200).contains(&self.candidates_per_proctor), "candidates_per_proctor must be 1..=200")?;
        check((1..=20).contains(&self.min_proctors), "min_proctors must be 1..=20")?;
        check((0..=100).contains(&self.pass_mark), "pass_mark must be 0..=100")?;
        check((0..=100).contains(&self.marking_threshold_pct), "marking_threshold_pct must be 0..=100")?;
        Ok(())
    }

    /// Proctors a room of `candidates` needs.
    pub fn proctors_needed(&self, candidates: usize) -> usize {
        let per = usize::try_from(self.candidates_per_proctor.max(1)).unwrap_or(1);
        usize::try_from(self.min_proctors).unwrap_or(0).max(candidates.div_ceil(per))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_is_the_default_and_passes() {
        let r = Rules::default();
        assert_eq!(r.validate(), Ok(()));
        assert_eq!((r.proctors_needed(1), r.proctors_needed(30), r.proctors_needed(31)), (2, 2, 3));
    }

    #[test]
    fn each_bad_value_is_named() {
        let bad = [
            (Rules { min_duration_minutes: 0, ..Rules::default() }, "rules.min_duration_minutes"),
            (Rules { max_duration_minutes: 60, ..Rules::default() }, "rules.max_duration_minutes"),
            (Rules { late_entry_minutes: 120, ..Rules::default() }, "rules.late_entry_minutes"),
            (Rules { earliest_hand_in_minutes: -1, ..Rules::default() }, "rules.earliest_hand_in_minutes"),
            (Rules { room_capacity: 0, ..Rules::default() }, "rules.room_capacity"),
            (Rules { candidates_per_proctor: 0, ..Rules::default() }, "rules.candidates_per_proctor"),
            (Rules { min_proctors: 0, ..Rules::default() }, "rules.min_proctors"),
            (Rules { pass_mark: 101, ..Rules::default() }, "rules.pass_mark"),
            (Rules { marking_threshold_pct: -5, ..Rules::default() }, "rules.marking_threshold_pct"),
        ];
        for (rules, name) in bad {
            let err = rules.validate().expect_err(name);
            assert!(err.starts_with(name), "{err}");
        }
    }
}
