-- Files kept in the archive for their retention period (recordings, key documents, scans of
-- paper materials). A row is written with the file in the spool; the uploader fills in the
-- archive's version id once the archive holds it, and only then is the spool copy removed.
-- Rows are never deleted: a purge past retention sets deleted_at_ms.
CREATE TABLE archive_objects (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    object_key      TEXT NOT NULL UNIQUE,
    class           TEXT NOT NULL,
    subject         TEXT NOT NULL,
    institution_id  INTEGER,
    name            TEXT NOT NULL,
    mime            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    retain_until_ms INTEGER NOT NULL,
    legal_hold      INTEGER NOT NULL DEFAULT 0,
    spool_path      TEXT,
    version_id      TEXT,
    archived_at_ms  INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at_ms   INTEGER NOT NULL,
    created_by      INTEGER,
    evidence_idx    INTEGER,
    deleted_at_ms   INTEGER
);
CREATE INDEX archive_objects_subject ON archive_objects(subject);
CREATE INDEX archive_objects_pending ON archive_objects(archived_at_ms);
