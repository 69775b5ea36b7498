//! Question banks as pure logic: levels, items, outlines, blueprints, paper assembly, scoring
//! and import/export. No async runtime, no HTTP, no SQL (a test in `tests/` enforces this);
//! randomness comes in as an Rng and time as an argument.

pub mod level;

pub use level::{Level, LevelError};
