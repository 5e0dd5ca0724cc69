-- +goose Up
CREATE TABLE providers (
    id         TEXT PRIMARY KEY,
    schac      TEXT NOT NULL DEFAULT '',
    doc        TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX providers_schac ON providers (schac);

CREATE TABLE discoveries (
    id           INTEGER PRIMARY KEY,
    provider_id  TEXT NOT NULL REFERENCES providers (id),
    started_at   TIMESTAMP NOT NULL,
    duration_ms  INTEGER NOT NULL,
    manifest_url TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    probes       TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX discoveries_provider ON discoveries (provider_id, started_at);

CREATE TABLE manifests (
    id          INTEGER PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    version     INTEGER NOT NULL,
    url         TEXT NOT NULL,
    fetched_at  TIMESTAMP NOT NULL,
    body        BLOB NOT NULL,
    UNIQUE (provider_id, version)
);

CREATE TABLE sources (
    id               TEXT PRIMARY KEY,
    provider_id      TEXT NOT NULL REFERENCES providers (id),
    key              TEXT NOT NULL,
    type             TEXT NOT NULL,
    url              TEXT NOT NULL,
    version          TEXT NOT NULL DEFAULT '',
    name             TEXT NOT NULL DEFAULT '',
    entry            TEXT NOT NULL DEFAULT '{}',
    active           INTEGER NOT NULL DEFAULT 1,
    manifest_version INTEGER NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    last_run_id      INTEGER NOT NULL DEFAULT 0,
    last_status      TEXT NOT NULL DEFAULT '',
    last_error       TEXT NOT NULL DEFAULT '',
    last_run_at      TIMESTAMP,
    error_count      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (provider_id, key)
);

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    source_id     TEXT NOT NULL REFERENCES sources (id),
    trigger       TEXT NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    status        TEXT NOT NULL,
    pages         INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0,
    seen          INTEGER NOT NULL DEFAULT 0,
    added         INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    removed       INTEGER NOT NULL DEFAULT 0,
    conflicts     INTEGER NOT NULL DEFAULT 0,
    warnings      TEXT NOT NULL DEFAULT '[]',
    warning_count INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_source ON runs (source_id, id);

CREATE TABLE run_pages (
    run_id       INTEGER NOT NULL REFERENCES runs (id),
    seq          INTEGER NOT NULL,
    url          TEXT NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    bytes        INTEGER NOT NULL,
    blob         TEXT NOT NULL DEFAULT '',
    fetched_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE courses (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    source_id   TEXT NOT NULL REFERENCES sources (id),
    doc         TEXT NOT NULL,
    hash        TEXT NOT NULL,
    first_seen  TIMESTAMP NOT NULL,
    changed_at  TIMESTAMP NOT NULL,
    last_seen   TIMESTAMP NOT NULL,
    removed     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX courses_source ON courses (source_id);
CREATE INDEX courses_provider ON courses (provider_id) WHERE removed = 0;

-- +goose Down
DROP TABLE courses;
DROP TABLE run_pages;
DROP TABLE runs;
DROP TABLE sources;
DROP TABLE manifests;
DROP TABLE discoveries;
DROP TABLE providers;
