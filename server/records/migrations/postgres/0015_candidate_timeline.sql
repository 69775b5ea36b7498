-- A candidate's timeline (review playback, integrity counts) read by candidate, not by
-- scanning the whole session's events.
CREATE INDEX exam_events_candidate ON exam_events(session_candidate_id, id);
