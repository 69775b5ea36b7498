//! Question banks on the server: who may do what in a bank, importing into it, and moving
//! items through review. Storage is in `store::{banks, items}`; rules that need no database
//! are in `question-bank`.
pub mod import;
pub mod review;
pub mod scope;
