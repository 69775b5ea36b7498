//! Sign-in attempts per client address, in one-minute windows that start at the address's first
//! attempt (not at the clock's minute, which let a burst straddling a minute through twice).
//! Per process: behind a load balancer each node counts its own; the account lock-out in the
//! database is global.
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

const WINDOW_MS: i64 = 60_000;

#[derive(Debug)]
pub struct RateLimiter {
    per_window: u32,
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self { per_window: per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one attempt; false when the address has used up its window.
    pub fn allow(&self, ip: IpAddr, now_ms: i64) -> bool {
        let mut map = match self.windows.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now_ms - *start < WINDOW_MS);
        }
        let entry = map.entry(ip).or_insert((now_ms, 0));
        if now_ms - entry.0 >= WINDOW_MS {
            *entry = (now_ms, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_applies_per_address_and_resets_each_window() {
        let rl = RateLimiter::new(2);
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        assert!(rl.allow(a, 0));
        assert!(rl.allow(a, 1));
        assert!(!rl.allow(a, 2));
        assert!(rl.allow(b, 3));
        assert!(rl.allow(a, WINDOW_MS));
    }

    #[test]
    fn attempts_either_side_of_a_clock_minute_count_together() {
        let rl = RateLimiter::new(2);
        let a: IpAddr = [127, 0, 0, 1].into();
        assert!(rl.allow(a, WINDOW_MS - 2));
        assert!(rl.allow(a, WINDOW_MS - 1));
        assert!(!rl.allow(a, WINDOW_MS + 1), "the window runs a minute from the first attempt");
        assert!(rl.allow(a, 2 * WINDOW_MS - 2));
    }
}
