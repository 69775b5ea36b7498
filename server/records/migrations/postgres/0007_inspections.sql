-- Which institutions a supervisor (督导) inspects: they may watch those rooms live, read only.
CREATE TABLE inspections (
    supervisor_id   BIGINT NOT NULL REFERENCES accounts(id),
    institution_id  BIGINT NOT NULL REFERENCES institutions(id),
    assigned_by     BIGINT,
    assigned_at_ms  BIGINT NOT NULL,
    PRIMARY KEY (supervisor_id, institution_id)
);
