-- Theory test delivery: filings, sessions (场次) with proctors and rosters, one paper per
-- candidate, answers as an append-only log, exam-room events and certification scores.

-- Occupations and levels an institution has filed (备案); sessions outside them are refused.
CREATE TABLE filings (
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    occupation_code TEXT NOT NULL,
    level           INTEGER NOT NULL,
    filed_at_ms     INTEGER NOT NULL,
    PRIMARY KEY (institution_id, occupation_code, level)
);

CREATE TABLE exam_sessions (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    institution_id        INTEGER NOT NULL REFERENCES institutions(id),
    bank_id               INTEGER NOT NULL REFERENCES banks(id),
    level                 INTEGER NOT NULL,
    batch                 TEXT NOT NULL,
    name                  TEXT NOT NULL,
    room                  TEXT NOT NULL,
    starts_at_ms          INTEGER NOT NULL,
    ends_at_ms            INTEGER NOT NULL,
    duration_secs         INTEGER NOT NULL,
    late_entry_secs       INTEGER NOT NULL,
    earliest_hand_in_secs INTEGER NOT NULL,
    capacity              INTEGER NOT NULL,
    multiple_partial      INTEGER NOT NULL,
    pass_mark             INTEGER NOT NULL,
    device_approval       INTEGER NOT NULL,
    blueprint             TEXT NOT NULL,
    created_by            INTEGER,
    created_at_ms         INTEGER NOT NULL
);

CREATE TABLE session_proctors (
    session_id      INTEGER NOT NULL REFERENCES exam_sessions(id),
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (session_id, account_id)
);

CREATE TABLE session_candidates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id      INTEGER NOT NULL REFERENCES exam_sessions(id),
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    ticket          TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    id_kind         TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    commitment_at_ms INTEGER,
    commitment_addr TEXT,
    signed_in_at_ms INTEGER,
    UNIQUE (session_id, account_id)
);
CREATE INDEX session_candidates_person ON session_candidates(id_kind, id_number);

-- A paper is frozen when the candidate starts: its questions (version ids, points, option
-- order) and seed never change. Timing fields move only by audited proctor actions.
CREATE TABLE papers (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    session_candidate_id INTEGER NOT NULL UNIQUE REFERENCES session_candidates(id),
    seed                 INTEGER NOT NULL,
    questions            TEXT NOT NULL,
    started_at_ms        INTEGER NOT NULL,
    deadline_ms          INTEGER NOT NULL,
    paused_at_ms         INTEGER,
    status               TEXT NOT NULL,
    ended_at_ms          INTEGER,
    score                INTEGER,
    score_detail         TEXT
);

-- Every accepted answer, in the order the candidate gave them; the current answer to a
-- question is the one with the highest client sequence number. Nothing is overwritten.
CREATE TABLE answer_events (
    paper_id        INTEGER NOT NULL REFERENCES papers(id),
    client_seq      INTEGER NOT NULL,
    question_no     INTEGER NOT NULL,
    response        TEXT NOT NULL,
    received_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (paper_id, client_seq)
);

CREATE TABLE exam_events (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id           INTEGER NOT NULL REFERENCES exam_sessions(id),
    session_candidate_id INTEGER REFERENCES session_candidates(id),
    kind                 TEXT NOT NULL,
    detail              TEXT NOT NULL,
    actor_id             INTEGER,
    at_ms                INTEGER NOT NULL
);
CREATE INDEX exam_events_session ON exam_events(session_id, id);

-- Scores feeding the level-certification record, one row per assessed component.
CREATE TABLE certification_scores (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    id_kind         TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    occupation_code TEXT NOT NULL,
    level           INTEGER NOT NULL,
    component       TEXT NOT NULL,
    score           INTEGER NOT NULL,
    passed          INTEGER NOT NULL,
    session_id      INTEGER REFERENCES exam_sessions(id),
    at_ms           INTEGER NOT NULL
);
CREATE INDEX certification_scores_person ON certification_scores(id_kind, id_number, occupation_code, level);
