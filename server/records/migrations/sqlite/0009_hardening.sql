-- What the holes issue needed in the records.

-- The answer a short-answer item is marked from: the client sequence number of the candidate's
-- current answer when the paper ended, so markers read exactly what was handed in.
ALTER TABLE marking_items ADD COLUMN answer_seq INTEGER;

-- Numbers handed out in order and never reused (admission tickets per institution and year,
-- certificate numbers next): the next value per scope and key, taken inside the caller's
-- transaction.
CREATE TABLE serials (
    scope       TEXT NOT NULL,
    key         TEXT NOT NULL,
    next_value  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

-- A session's number among its institution's sessions of its year, as its tickets carry it.
ALTER TABLE exam_sessions ADD COLUMN ticket_serial INTEGER;
