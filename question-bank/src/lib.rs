//! Question banks as pure logic: levels, items, outlines, blueprints, paper assembly, scoring
//! and import/export. No async runtime, no HTTP, no SQL (a test in `tests/` enforces this);
//! randomness comes in as a seed and time as an argument.

pub mod blueprint;
pub mod export;
pub mod identity;
pub mod import;
pub mod item;
pub mod level;
pub mod marking;
pub mod names;
pub mod normalize;
pub mod outline;
pub mod outline_xlsx;
pub mod paper;
pub mod roster;
pub mod sanitize;
pub mod scoring;
pub mod why;
pub mod xlsx_template;
pub mod xml_escape;

pub use item::{Choice, Difficulty, ItemDraft, ItemType, Key, Points};
pub use level::{Level, LevelError};
