//! Proctoring media: WebRTC ingest and fan-out, the recorder, archive stores and retention.
//! No HTTP routes and no SQL live here.

pub mod archive;
pub mod recorder;
pub mod reencode;
pub mod retention;
pub mod sfu;
pub mod thumbnails;
