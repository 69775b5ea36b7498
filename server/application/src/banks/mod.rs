//! Question banks on the server: who may do what in a bank, managing it (members, outline,
//! blueprints), importing into it, and moving items through review. Storage is in
//! `exam_records::{banks, items}`; rules that need no database are in `question-bank`.
pub mod export;
pub mod import;
pub mod items;
pub mod manage;
pub mod review;
pub mod scope;
