-- A session cancelled before it starts (no paper drawn yet): when, and the admin's reason.
-- Its candidates can no longer sign in, and it no longer blocks their other sessions.
ALTER TABLE exam_sessions ADD COLUMN cancelled_at_ms BIGINT;
ALTER TABLE exam_sessions ADD COLUMN cancel_reason TEXT;
