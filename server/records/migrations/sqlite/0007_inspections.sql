-- Which institutions a supervisor (督导) inspects: they may watch those rooms live, read only.
CREATE TABLE inspections (
    supervisor_id   INTEGER NOT NULL REFERENCES accounts(id),
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    assigned_by     INTEGER,
    assigned_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (supervisor_id, institution_id)
);
