//! Skill levels (职业技能等级) as the national system numbers them.
use serde::{Deserialize, Serialize};

/// Level 5 (初级工) up to level 1 (高级技师). Parsed once at the edge; inside, code trusts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Level(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelError {
    #[error("level must be 1 to 5, got {0}")]
    OutOfRange(u8),
}

impl Level {
    pub fn new(code: u8) -> Result<Self, LevelError> {
        if (1..=5).contains(&code) { Ok(Level(code)) } else { Err(LevelError::OutOfRange(code)) }
    }

    pub fn code(self) -> u8 {
        self.0
    }

    /// The name printed on certificates, e.g. `四级/中级工`.
    pub fn name_zh(self) -> &'static str {
        match self.0 {
            5 => "五级/初级工",
            4 => "四级/中级工",
            3 => "三级/高级工",
            2 => "二级/技师",
            _ => "一级/高级技师",
        }
    }

    /// Levels 2 and 1 add a comprehensive review (综合评审) to theory and skill.
    pub fn needs_review(self) -> bool {
        self.0 <= 2
    }
}

impl TryFrom<u8> for Level {
    type Error = LevelError;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Level::new(v)
    }
}

impl From<Level> for u8 {
    fn from(l: Level) -> u8 {
        l.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_to_five_are_levels() {
        assert!(Level::new(0).is_err());
        assert!(Level::new(6).is_err());
        assert_eq!(Level::new(4).map(Level::name_zh), Ok("四级/中级工"));
        assert!(Level::new(2).map(Level::needs_review).unwrap_or(false));
        assert!(!Level::new(3).map(Level::needs_review).unwrap_or(true));
    }
}
