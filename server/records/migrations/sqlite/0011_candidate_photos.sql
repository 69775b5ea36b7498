-- The photo a candidate takes of themselves at the device check, for the proctor to compare
-- with the person and the document (人证核验); the proctor's finding is an exam event.
CREATE TABLE candidate_photos (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    session_candidate_id INTEGER NOT NULL REFERENCES session_candidates(id),
    taken_at_ms          INTEGER NOT NULL,
    mime                 TEXT NOT NULL,
    bytes                BLOB NOT NULL
);
CREATE INDEX candidate_photos_candidate ON candidate_photos(session_candidate_id);
