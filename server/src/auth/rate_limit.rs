//! Sign-in attempts per client address, in fixed one-minute windows. Per process: behind a
//! load balancer each node counts its own; the account lock-out in the database is global.
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
        let window = now_ms / WINDOW_MS;
        let mut map = match self.windows.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() > 100_000 {
            map.retain(|_, (w, _)| *w == window);
        }
        let entry = map.entry(ip).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
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
}
