-- +goose Up
-- Operator accounts. The password hash is a PHC string
-- ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so it carries its own
-- parameters and old hashes still verify after the defaults change.
CREATE TABLE accounts (
    name            TEXT PRIMARY KEY,
    password_hash   TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMP
);

-- Sessions of operators (kind admin) and of providers that proved control
-- of their domain (kind provider). Only the SHA-256 of the token is kept:
-- a copy of the database signs nobody in.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('admin', 'provider')),
    subject      TEXT NOT NULL,
    provider_id  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_subject ON sessions (kind, subject);

-- Tokens issued to providers that want to prove control of a domain.
CREATE TABLE domain_challenges (
    id          INTEGER PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    domain      TEXT NOT NULL,
    token       TEXT NOT NULL UNIQUE,
    -- SHA-256 of a secret in the requesting browser's cookie: only that
    -- browser may turn the published token into a session.
    requester_hash TEXT NOT NULL,
    method      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    verified_at TIMESTAMP
);
CREATE INDEX domain_challenges_provider ON domain_challenges (provider_id, created_at);

-- Every admin and provider action. The client's IP address is not kept:
-- the actor's name says who acted, and an address would be personal data
-- to protect and expire for no gain in accountability.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    details    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

-- A paused source is not refreshed on schedule; its provider or an
-- operator resumes it.
ALTER TABLE sources ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sources DROP COLUMN paused;
DROP TABLE audit_log;
DROP TABLE domain_challenges;
DROP TABLE sessions;
DROP TABLE accounts;
