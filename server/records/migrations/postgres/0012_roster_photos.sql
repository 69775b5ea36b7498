-- The photo the institution holds for a candidate (from the application or the roster), shown
-- on the admission ticket and to the proctor beside the photo taken at the device check, so
-- identity is checked by a person against both (人证核验). One per candidate; a new upload
-- replaces it, and the audit trail keeps who uploaded which.
CREATE TABLE roster_photos (
    session_candidate_id BIGINT PRIMARY KEY REFERENCES session_candidates(id),
    uploaded_at_ms       BIGINT NOT NULL,
    uploaded_by          BIGINT NOT NULL REFERENCES accounts(id),
    mime                 TEXT NOT NULL,
    bytes                BYTEA NOT NULL
);
