-- The evidence log (RFC 9162 Merkle tree, served as C2SP tlog tiles): entries in the order
-- they were appended, never changed or removed; idx is gapless from 0 (taken from the serial
-- allocator inside the appending transaction). The leaf hash is kept so the tree can be
-- rebuilt without re-hashing every entry.
CREATE TABLE evidence_entries (
    idx            INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    -- What the entry is about, for finding it again: paper:<id>, audit:<seq>, segment:<id>…
    subject        TEXT NOT NULL,
    data           BLOB NOT NULL,
    leaf_hash      BLOB NOT NULL,
    appended_at_ms INTEGER NOT NULL
);
CREATE INDEX evidence_entries_subject ON evidence_entries(subject);
-- Signed checkpoints (C2SP signed notes), one per tree size signed.
CREATE TABLE evidence_checkpoints (
    size         INTEGER PRIMARY KEY,
    root         BLOB NOT NULL,
    note         TEXT NOT NULL,
    signed_at_ms INTEGER NOT NULL
);
