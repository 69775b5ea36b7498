-- A narrow copy of each item's current version for search: filtering and counting scan these
-- few columns instead of whole versions with their HTML and JSON. Trigrams make substring
-- search of Chinese text use an index without word segmentation.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE item_search (
    item_id         BIGINT PRIMARY KEY REFERENCES items(id),
    bank_id         BIGINT NOT NULL REFERENCES banks(id),
    version_id      BIGINT NOT NULL REFERENCES item_versions(id),
    status          TEXT NOT NULL,
    item_type       TEXT NOT NULL,
    difficulty      BIGINT,
    outline_point   TEXT,
    tags            TEXT NOT NULL,
    search_text     TEXT NOT NULL
);
CREATE INDEX item_search_bank ON item_search(bank_id, item_id);
CREATE INDEX item_search_text ON item_search USING gin (search_text gin_trgm_ops);

INSERT INTO item_search (item_id, bank_id, version_id, status, item_type, difficulty, outline_point, tags, search_text)
SELECT item_id, bank_id, id, status, item_type, difficulty, outline_point, tags, search_text
FROM item_versions WHERE is_current = 1;
