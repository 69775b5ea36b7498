//! The notice's key documents, generated from the records as PDFs in Chinese and kept
//! permanently in the archive (a legal hold and a far date), each logged in the evidence log:
//! the commitment letter (承诺书) of each candidate, and the sign-in sheet (签到表), the
//! exam-room record (考场记录表) and the score summary (成绩汇总表) of each session. Made at the
//! session's end and on demand; the personal application form and the supervision form will
//! join them on the same generator.
pub mod commitment;
pub mod generate;
pub mod room_record;

pub use generate::{Generated, for_session};
