//! The evidence log's formats, in the published forms any tool can check without our code:
//! RFC 9162 Merkle hashing and proofs ([`merkle`]), C2SP tlog-tiles ([`tiles`]), C2SP signed
//! notes with Ed25519 ([`note`]) and C2SP checkpoints ([`checkpoint`]). Pure: no runtime,
//! no I/O, no SQL, no HTTP; the caller brings time, keys and storage.
pub mod checkpoint;
pub mod merkle;
pub mod note;
pub mod receipt;
pub mod tiles;
