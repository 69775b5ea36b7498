-- The media tracks (JSON list of camera, microphone, screen) a session requires to be
-- streaming before a candidate's first question.
ALTER TABLE exam_sessions ADD COLUMN required_media TEXT NOT NULL DEFAULT '["camera","microphone","screen"]';
