//! How long evidence is kept. Video of an evaluation: at least 5 years (DOMAIN.md).

/// Milliseconds in a (non-leap) day; retention is counted generously in whole days.
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Years a recording must be kept; the notice requires at least 5.
    pub video_years: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error("video retention must be at least 5 years, got {0}")]
    TooShort(u32),
}

impl RetentionPolicy {
    pub const MIN_VIDEO_YEARS: u32 = 5;

    pub fn new(video_years: u32) -> Result<Self, RetentionError> {
        if video_years < Self::MIN_VIDEO_YEARS {
            return Err(RetentionError::TooShort(video_years));
        }
        Ok(Self { video_years })
    }

    /// The earliest instant a recording made at `recorded_at_ms` may be deleted. Leap days are
    /// covered by counting 366 days a year, so the date never falls short of the rule.
    pub fn video_retain_until_ms(&self, recorded_at_ms: i64) -> i64 {
        recorded_at_ms + i64::from(self.video_years) * 366 * DAY_MS
    }
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self { video_years: Self::MIN_VIDEO_YEARS }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_below_five_years_is_refused() {
        assert_eq!(RetentionPolicy::new(4), Err(RetentionError::TooShort(4)));
        let p = RetentionPolicy::default();
        // 5 calendar years from 2024-01-01 includes two leap days: 1827 days.
        assert!(p.video_retain_until_ms(0) >= 1827 * DAY_MS);
    }
}
