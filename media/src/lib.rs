//! Proctoring media: WebRTC ingest and fan-out, the recorder, archive stores and retention.
//! No HTTP routes and no SQL live here. The WebRTC and recorder parts arrive with the
//! proctoring issue; today this crate holds the retention rule every archive store will enforce.

pub mod retention;
