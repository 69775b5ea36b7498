//! What a recording may write per track: a token bucket of bytes, refilled at the track's
//! allowed rate up to a burst of a few seconds of it. The browser chooses its bitrate, so
//! without this a hostile client could fill the disk; with it a track writes at most about
//! `rate × time + burst`. Time comes only from the packets' arrival instants, so tests (and a
//! slow disk) see the same decisions.
use std::time::{Duration, Instant};

/// Nanoseconds in a second: tokens are kept in byte-nanoseconds so that refills of a few
/// microseconds between packets are not rounded away.
const NANOS: u128 = 1_000_000_000;

/// The caps the recorder applies to each file's tracks. 0 kbit/s turns a cap off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecorderLimits {
    /// Per VP8 track (camera or screen), in kbit/s (1 kbit = 1,000 bits).
    pub max_video_kbps: u32,
    /// Per Opus track, in kbit/s.
    pub max_audio_kbps: u32,
    /// How long a track may run above its rate before frames are dropped; also the largest
    /// frame that can ever be written (a bigger one never fits in the bucket).
    pub burst: Duration,
}

impl Default for RecorderLimits {
    /// Above what browsers send for a 720p camera or a screen share (about 2.5 Mbit/s at most)
    /// and well above Opus speech (tens of kbit/s), so honest streams lose nothing.
    fn default() -> Self {
        RecorderLimits { max_video_kbps: 2_500, max_audio_kbps: 256, burst: Duration::from_secs(4) }
    }
}

/// One track's bucket.
#[derive(Debug)]
pub struct ByteBudget {
    kbps: u32,
    /// Bytes per second; 0 means no cap.
    rate: u128,
    /// The bucket's size, in byte-nanoseconds.
    capacity: u128,
    tokens: u128,
    last: Option<Instant>,
}

impl ByteBudget {
    /// A bucket for `kbps` kbit/s with `burst` of it; it starts full, since a stream opens with
    /// its largest frame (a keyframe).
    pub fn new(kbps: u32, burst: Duration) -> ByteBudget {
        let rate = u128::from(kbps) * 1000 / 8;
        let capacity = rate.saturating_mul(burst.as_nanos());
        ByteBudget { kbps, rate, capacity, tokens: capacity, last: None }
    }

    /// The cap, as configured.
    pub fn kbps(&self) -> u32 {
        self.kbps
    }

    /// Whether `bytes` arriving at `now` fit; if they do they are taken from the bucket.
    pub fn take(&mut self, now: Instant, bytes: usize) -> bool {
        if self.rate == 0 {
            return true;
        }
        if let Some(last) = self.last {
            // An instant earlier than the last one refills nothing (and does not move `last` back).
            let elapsed = now.saturating_duration_since(last).as_nanos();
            self.tokens = self.tokens.saturating_add(self.rate.saturating_mul(elapsed)).min(self.capacity);
        }
        self.last = Some(self.last.map_or(now, |last| last.max(now)));
        let need = (bytes as u128).saturating_mul(NANOS);
        if need > self.tokens {
            return false;
        }
        self.tokens -= need;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_starts_full_refills_at_its_rate_and_holds_no_more_than_the_burst() {
        let t0 = Instant::now();
        // 80 kbit/s = 10,000 bytes/s; 2 s of burst = 20,000 bytes.
        let mut b = ByteBudget::new(80, Duration::from_secs(2));
        assert!(b.take(t0, 20_000), "the whole burst at once");
        assert!(!b.take(t0, 1), "and nothing more");
        assert!(!b.take(t0 + Duration::from_millis(99), 1_000));
        assert!(b.take(t0 + Duration::from_millis(100), 1_000), "a tenth of a second buys 1,000 bytes");
        // A long pause refills the burst, not more.
        let later = t0 + Duration::from_secs(60);
        assert!(!b.take(later, 20_001));
        assert!(b.take(later, 20_000));
    }

    #[test]
    fn an_earlier_instant_refills_nothing() {
        let t0 = Instant::now() + Duration::from_secs(10);
        let mut b = ByteBudget::new(80, Duration::from_secs(1));
        assert!(b.take(t0, 10_000));
        assert!(!b.take(t0 - Duration::from_secs(5), 1));
        assert!(!b.take(t0 + Duration::from_millis(50), 1_000), "only 50 ms since the latest instant");
        assert!(b.take(t0 + Duration::from_millis(100), 1_000));
    }

    #[test]
    fn zero_kbps_is_no_cap() {
        let mut b = ByteBudget::new(0, Duration::from_secs(4));
        assert!(b.take(Instant::now(), usize::MAX));
    }

    #[test]
    fn small_steps_add_up_without_rounding_away() {
        let t0 = Instant::now();
        // 8 kbit/s = 1 byte per millisecond; 1 ms of burst.
        let mut b = ByteBudget::new(8, Duration::from_millis(1));
        assert!(b.take(t0, 1));
        // 1,000 steps of 1 µs make the next byte.
        let mut t = t0;
        for _ in 0..999 {
            t += Duration::from_micros(1);
            assert!(!b.take(t, 1));
        }
        assert!(b.take(t + Duration::from_micros(1), 1));
    }
}
