//! Evidence that lasts: the append-only evidence log (RFC 9162 Merkle tree served as C2SP
//! tlog tiles with signed C2SP checkpoints). Entries are appended inside the transaction that
//! makes what they prove (a hand-in now; segments, documents and audit heads next).
pub mod jobs;
pub mod log;
pub mod log_files;
pub mod receipt;
pub mod segments;
pub mod verify;

pub use log::EvidenceLog;
