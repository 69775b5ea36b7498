//! Retention by class, from the settings (never under the notice's minimums, which the
//! settings refuse at start).
use crate::config::ArchiveSettings;

/// Days counted per year: 366, so a period never falls short across leap years.
const YEAR_MS: i64 = 366 * 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Evaluation video: 5 years at least from the session's end.
    Video,
    /// Scanned paper materials: 3 years at least.
    Paper,
    /// The notice's key documents: permanent (a legal hold and a far date).
    KeyDocument,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Video => "video",
            Class::Paper => "paper",
            Class::KeyDocument => "key_document",
        }
    }

    pub fn parse(s: &str) -> Option<Class> {
        match s {
            "video" => Some(Class::Video),
            "paper" => Some(Class::Paper),
            "key_document" => Some(Class::KeyDocument),
            _ => None,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Class::Video => "考评录像（保存 5 年以上）",
            Class::Paper => "纸质材料扫描件（保存 3 年以上）",
            Class::KeyDocument => "关键材料（永久保存）",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Class::Video => "Evaluation video (5 years or more)",
            Class::Paper => "Scanned paper materials (3 years or more)",
            Class::KeyDocument => "Key document (kept permanently)",
        }
    }

    /// The retain-until date of a file of this class whose period starts at `from_ms`.
    pub fn retain_until(self, settings: &ArchiveSettings, from_ms: i64) -> i64 {
        let years = match self {
            Class::Video => settings.video_years,
            Class::Paper => settings.paper_years,
            Class::KeyDocument => settings.key_document_years,
        };
        from_ms.saturating_add(i64::from(years).saturating_mul(YEAR_MS))
    }

    /// Key documents are held from the start.
    pub fn held(self) -> bool {
        self == Class::KeyDocument
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_keeps_at_least_its_minimum() {
        let s = ArchiveSettings::default();
        let from = 1_800_000_000_000;
        assert!(Class::Video.retain_until(&s, from) - from >= 5 * 365 * 86_400_000 + 2 * 86_400_000);
        assert!(Class::Paper.retain_until(&s, from) - from >= 3 * 366 * 86_400_000);
        assert!(Class::KeyDocument.held() && !Class::Video.held());
        let low = ArchiveSettings { video_years: 4, ..ArchiveSettings::default() };
        assert!(low.validate().expect_err("under 5 years").to_string().contains("at least 5 years"));
        let low = ArchiveSettings { paper_years: 2, ..ArchiveSettings::default() };
        assert!(low.validate().is_err());
    }
}
