-- Double marking of short answers, and the device a candidate sits the test on.

-- How far two markers may differ (percent of the question's points) before a third marks.
ALTER TABLE exam_sessions ADD COLUMN marking_threshold_pct INTEGER NOT NULL DEFAULT 20;

-- Who marks a session's short answers (考评员); by default its proctors.
CREATE TABLE session_markers (
    session_id      INTEGER NOT NULL REFERENCES exam_sessions(id),
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (session_id, account_id)
);

-- One row per answer that needs a person's marking, made when the paper is handed in.
-- final_points is set once the marks agree (or a third has marked).
CREATE TABLE marking_items (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id      INTEGER NOT NULL REFERENCES exam_sessions(id),
    paper_id        INTEGER NOT NULL REFERENCES papers(id),
    question_no     INTEGER NOT NULL,
    max_points      INTEGER NOT NULL,
    wanted          INTEGER NOT NULL,
    final_points    INTEGER,
    UNIQUE (paper_id, question_no)
);
CREATE INDEX marking_items_open ON marking_items(session_id, final_points);

-- Every mark given; never edited. A marker marks an answer at most once.
CREATE TABLE marks (
    marking_item_id INTEGER NOT NULL REFERENCES marking_items(id),
    marker_id       INTEGER NOT NULL REFERENCES accounts(id),
    round           INTEGER NOT NULL,
    points          INTEGER NOT NULL,
    comment         TEXT NOT NULL,
    at_ms           INTEGER NOT NULL,
    PRIMARY KEY (marking_item_id, marker_id),
    UNIQUE (marking_item_id, round)
);

-- The device (a random id the candidate's browser keeps) a started paper is bound to, and one
-- waiting for a proctor's approval when the session requires it.
ALTER TABLE session_candidates ADD COLUMN device_id TEXT;
ALTER TABLE session_candidates ADD COLUMN pending_device_id TEXT;
