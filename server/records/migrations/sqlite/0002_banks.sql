-- Question banks, their members, outline and blueprint versions, items and item versions.
CREATE TABLE banks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    institution_id  INTEGER REFERENCES institutions(id),
    occupation_code TEXT NOT NULL,
    work_type       TEXT NOT NULL,
    name            TEXT NOT NULL,
    levels          TEXT NOT NULL,
    created_by      INTEGER,
    created_at_ms   INTEGER NOT NULL
);

CREATE TABLE bank_members (
    bank_id         INTEGER NOT NULL REFERENCES banks(id),
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    member_role     TEXT NOT NULL,
    added_at_ms     INTEGER NOT NULL,
    PRIMARY KEY (bank_id, account_id)
);

-- Outlines and blueprints are whole documents; a change is a new version, never an edit.
CREATE TABLE bank_outlines (
    bank_id         INTEGER NOT NULL REFERENCES banks(id),
    version         INTEGER NOT NULL,
    doc             TEXT NOT NULL,
    created_by      INTEGER,
    created_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (bank_id, version)
);

CREATE TABLE blueprints (
    bank_id         INTEGER NOT NULL REFERENCES banks(id),
    level           INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    doc             TEXT NOT NULL,
    created_by      INTEGER,
    created_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (bank_id, level, version)
);

CREATE TABLE items (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    bank_id         INTEGER NOT NULL REFERENCES banks(id),
    created_by      INTEGER,
    created_at_ms   INTEGER NOT NULL
);

-- An approved version is never edited: a change is a new version that is reviewed again,
-- and papers keep pointing at the version id they used.
CREATE TABLE item_versions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id         INTEGER NOT NULL REFERENCES items(id),
    bank_id         INTEGER NOT NULL REFERENCES banks(id),
    version         INTEGER NOT NULL,
    is_current      INTEGER NOT NULL,
    status          TEXT NOT NULL,
    item_type       TEXT NOT NULL,
    code            TEXT,
    stem            TEXT NOT NULL,
    search_text     TEXT NOT NULL,
    choices         TEXT NOT NULL,
    answer_key      TEXT NOT NULL,
    points          INTEGER NOT NULL,
    difficulty      INTEGER,
    outline_point   TEXT,
    tags            TEXT NOT NULL,
    source          TEXT,
    author_id       INTEGER,
    created_at_ms   INTEGER NOT NULL,
    reviewed_by     INTEGER,
    reviewed_at_ms  INTEGER,
    review_comment  TEXT,
    UNIQUE (item_id, version)
);
CREATE INDEX item_versions_search ON item_versions(bank_id, is_current, status, item_type);
CREATE INDEX item_versions_point ON item_versions(bank_id, outline_point);

CREATE TABLE item_assets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    item_version_id INTEGER NOT NULL REFERENCES item_versions(id),
    path            TEXT NOT NULL,
    mime            TEXT NOT NULL,
    bytes           BLOB NOT NULL
);
CREATE INDEX item_assets_version ON item_assets(item_version_id);
