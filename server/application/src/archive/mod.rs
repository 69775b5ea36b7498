//! Evidence kept for its term: files go to a local spool first (so an archive that is down
//! loses nothing), are logged in the evidence log with their SHA-256 as they arrive, and are
//! uploaded to the archive store by a background task; each class has its retention, and
//! regulators place and lift legal holds. A purge deletes only what is past retention and not
//! held, and writes each deletion to the audit trail.
pub mod files;
pub mod reencode;
pub mod retention;
pub mod service;

pub use retention::Class;
pub use service::ArchiveService;
