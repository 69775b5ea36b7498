//! The server's clock. Instants are Unix milliseconds. The system's clock in service; a test
//! clock that moves only when told, so a 90-minute paper's whole life (start, pause, extra
//! time, deadline, automatic hand-in) is driven in milliseconds without editing any row.
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The wall clock, for what is not a use case's decision (log lines, bus message freshness).
pub fn now_ms() -> i64 {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// An instant as China's civil time (UTC+8, no daylight saving): year, month, day, hour,
/// minute. Certification dates and printed times are China's.
pub fn china_civil(ms: i64) -> (i32, u32, u32, u32, u32) {
    let local = ms + 8 * 3_600_000;
    let days = local.div_euclid(86_400_000);
    let in_day = local.rem_euclid(86_400_000) / 60_000;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let n = |v: i64| u32::try_from(v).unwrap_or(0);
    (i32::try_from(y).unwrap_or(1970), n(m), n(d), n(in_day / 60), n(in_day % 60))
}

/// Where the use cases read the time.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// `None`: the system's clock; `Some`: a test clock standing at this instant.
    set: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { set: None }
    }

    /// A clock standing at `at_ms` until moved.
    pub fn test(at_ms: i64) -> Clock {
        Clock { set: Some(Arc::new(AtomicI64::new(at_ms))) }
    }

    pub fn now_ms(&self) -> i64 {
        match &self.set {
            Some(at) => at.load(Ordering::SeqCst),
            None => now_ms(),
        }
    }

    /// Moves a test clock forward; the system's clock cannot be moved and ignores this.
    pub fn advance_ms(&self, ms: i64) {
        if let Some(at) = &self.set {
            at.fetch_add(ms, Ordering::SeqCst);
        }
    }

    pub fn is_test(&self) -> bool {
        self.set.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_moves_only_when_told_and_the_system_clock_ignores_it() {
        let c = Clock::test(1_000);
        assert_eq!(c.now_ms(), 1_000);
        let shared = c.clone();
        shared.advance_ms(90 * 60_000);
        assert_eq!(c.now_ms(), 1_000 + 90 * 60_000, "clones share the instant");
        let s = Clock::system();
        let before = s.now_ms();
        s.advance_ms(3_600_000);
        assert!(s.now_ms() - before < 3_600_000);
        assert!(!s.is_test() && c.is_test());
    }
}
