//! Key documents as PDF, in Chinese: a document is a list of blocks (a title, lines of facts,
//! paragraphs, tables, a signature area), laid out on A4 pages with one embedded CJK font,
//! subsetted to the characters used, so the file reads the same everywhere and `pdftotext`
//! gives the text back. The generator knows nothing of where the records come from: the
//! commitment letter, the sign-in sheet, the exam-room record and the score summary are built
//! by the caller; the personal application form and the supervision form will be too.
mod layout;

pub use layout::{Block, Document, FontSource, RenderError, render};
