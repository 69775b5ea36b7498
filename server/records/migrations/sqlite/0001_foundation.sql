-- Foundation: institutions, accounts, sessions, audit trail. Instants are Unix milliseconds.
CREATE TABLE institutions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    filing_number   TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL
);

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    institution_id  INTEGER REFERENCES institutions(id),
    password_hash   TEXT NOT NULL,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0,
    created_at_ms   INTEGER NOT NULL
);
CREATE INDEX accounts_institution ON accounts(institution_id);

CREATE TABLE auth_sessions (
    token_hash      TEXT PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    created_at_ms   INTEGER NOT NULL,
    expires_at_ms   INTEGER NOT NULL,
    revoked_at_ms   INTEGER
);
CREATE INDEX auth_sessions_account ON auth_sessions(account_id);

CREATE TABLE audit_events (
    seq             INTEGER PRIMARY KEY,
    at_ms           INTEGER NOT NULL,
    actor_id        INTEGER,
    actor_role      TEXT,
    action          TEXT NOT NULL,
    target          TEXT NOT NULL,
    detail          TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
