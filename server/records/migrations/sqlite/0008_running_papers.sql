-- The deadline sweep looks for running papers whose time is over every few seconds; without
-- this index it read every paper (questions and all) each time.
CREATE INDEX papers_running ON papers(deadline_ms) WHERE status = 'in_progress';
