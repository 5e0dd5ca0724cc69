-- +goose Up
-- The schema of internal/store/sqlite's migrations 00001 to 00013 as it
-- stands after all of them, for PostgreSQL. Differences on purpose:
-- identifiers and keys compare byte by byte (COLLATE "C"), so that every
-- "ordered by ID" reads as on SQLite whatever the database's locale;
-- times are timestamptz; flags are boolean; serial IDs are identity
-- columns. Documents (JSON) are text, not jsonb: they are read back byte
-- for byte (course history diffs them field by field, discovery probes
-- are shown as written).

CREATE TABLE providers (
    id         text COLLATE "C" PRIMARY KEY,
    schac      text NOT NULL DEFAULT '',
    doc        text NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX providers_schac ON providers (schac);

CREATE TABLE discoveries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id  text COLLATE "C" NOT NULL REFERENCES providers (id),
    started_at   timestamptz NOT NULL,
    duration_ms  bigint NOT NULL,
    manifest_url text NOT NULL DEFAULT '',
    error        text NOT NULL DEFAULT '',
    probes       text NOT NULL DEFAULT '[]'
);
CREATE INDEX discoveries_provider ON discoveries (provider_id, id);

CREATE TABLE manifests (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id text COLLATE "C" NOT NULL REFERENCES providers (id),
    version     integer NOT NULL,
    url         text NOT NULL,
    fetched_at  timestamptz NOT NULL,
    body        bytea NOT NULL,
    UNIQUE (provider_id, version)
);

CREATE TABLE sources (
    id               text COLLATE "C" PRIMARY KEY,
    provider_id      text COLLATE "C" NOT NULL REFERENCES providers (id),
    key              text COLLATE "C" NOT NULL,
    type             text NOT NULL,
    url              text NOT NULL,
    version          text NOT NULL DEFAULT '',
    name             text NOT NULL DEFAULT '',
    entry            text NOT NULL DEFAULT '{}',
    active           boolean NOT NULL DEFAULT true,
    manifest_version integer NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    last_run_id      bigint NOT NULL DEFAULT 0,
    last_status      text NOT NULL DEFAULT '',
    last_error       text NOT NULL DEFAULT '',
    last_run_at      timestamptz,
    error_count      integer NOT NULL DEFAULT 0,
    -- When the scheduler will next refresh the source (NULL: due at once).
    next_run_at      timestamptz,
    -- A paused source is not refreshed on schedule.
    paused           boolean NOT NULL DEFAULT false,
    UNIQUE (provider_id, key)
);

CREATE TABLE runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id     text COLLATE "C" NOT NULL REFERENCES sources (id),
    trigger       text NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    status        text NOT NULL,
    pages         integer NOT NULL DEFAULT 0,
    bytes         bigint NOT NULL DEFAULT 0,
    seen          integer NOT NULL DEFAULT 0,
    added         integer NOT NULL DEFAULT 0,
    updated       integer NOT NULL DEFAULT 0,
    unchanged     integer NOT NULL DEFAULT 0,
    removed       integer NOT NULL DEFAULT 0,
    conflicts     integer NOT NULL DEFAULT 0,
    warnings      text NOT NULL DEFAULT '[]',
    warning_count integer NOT NULL DEFAULT 0,
    error         text NOT NULL DEFAULT '',
    reason        text NOT NULL DEFAULT '',
    digest        text NOT NULL DEFAULT '',
    records_blob  text NOT NULL DEFAULT '',
    quality       text NOT NULL DEFAULT '',
    validation_us bigint NOT NULL DEFAULT 0,
    -- When a running run last wrote its counts so far (NULL: never).
    progress_at   timestamptz
);
CREATE INDEX runs_source ON runs (source_id, id);
CREATE INDEX runs_status ON runs (status, id);
CREATE INDEX runs_records_blob ON runs (records_blob) WHERE records_blob <> '';

CREATE TABLE run_pages (
    run_id        bigint NOT NULL REFERENCES runs (id),
    seq           integer NOT NULL,
    url           text NOT NULL,
    status        integer NOT NULL,
    content_type  text NOT NULL DEFAULT '',
    bytes         bigint NOT NULL,
    blob          text NOT NULL DEFAULT '',
    fetched_at    timestamptz NOT NULL,
    etag          text NOT NULL DEFAULT '',
    last_modified text NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX run_pages_blob ON run_pages (blob);

CREATE TABLE courses (
    id           text COLLATE "C" PRIMARY KEY,
    provider_id  text COLLATE "C" NOT NULL,
    source_id    text COLLATE "C" NOT NULL REFERENCES sources (id),
    doc          text NOT NULL,
    hash         text NOT NULL,
    -- What the search index holds of the course: see indexedState in
    -- courses.go, whose expression the backlog index repeats.
    indexed_hash text NOT NULL DEFAULT '',
    first_seen   timestamptz NOT NULL,
    changed_at   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL,
    inactive     boolean NOT NULL DEFAULT false,
    quality      text NOT NULL DEFAULT '',
    flagged      boolean NOT NULL DEFAULT false
);
CREATE INDEX courses_source ON courses (source_id);
CREATE INDEX courses_provider ON courses (provider_id) WHERE NOT inactive;
CREATE INDEX courses_index_backlog ON courses (source_id, id)
    WHERE indexed_hash <> (CASE WHEN inactive THEN 'inactive:' || hash ELSE hash END)
        || (CASE WHEN flagged THEN ':flagged' ELSE '' END);

CREATE TABLE course_history (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    course_id text COLLATE "C" NOT NULL,
    run_id    bigint NOT NULL DEFAULT 0,
    at        timestamptz NOT NULL,
    kind      text NOT NULL,
    changes   text NOT NULL DEFAULT '[]'
);
CREATE INDEX course_history_course ON course_history (course_id, id);

CREATE TABLE course_identifiers (
    value     text COLLATE "C" NOT NULL,
    course_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (value, course_id)
);
CREATE INDEX course_identifiers_course ON course_identifiers (course_id);

CREATE TABLE oauth_clients (
    provider_id      text COLLATE "C" NOT NULL REFERENCES providers (id),
    token_endpoint   text COLLATE "C" NOT NULL,
    client_id        text NOT NULL,
    secret_encrypted text NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (provider_id, token_endpoint)
);

CREATE TABLE accounts (
    name            text COLLATE "C" PRIMARY KEY,
    password_hash   text NOT NULL,
    created_at      timestamptz NOT NULL,
    failed_attempts integer NOT NULL DEFAULT 0,
    locked_until    timestamptz
);

CREATE TABLE sessions (
    token_hash   text PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('admin', 'provider')),
    subject      text NOT NULL,
    provider_id  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX sessions_subject ON sessions (kind, subject);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE domain_challenges (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id    text COLLATE "C" NOT NULL REFERENCES providers (id),
    domain         text NOT NULL,
    token          text NOT NULL UNIQUE,
    requester_hash text NOT NULL,
    method         text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    verified_at    timestamptz
);
CREATE INDEX domain_challenges_provider ON domain_challenges (provider_id, created_at);

CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor_kind text NOT NULL,
    actor      text NOT NULL,
    action     text NOT NULL,
    target     text NOT NULL DEFAULT '',
    details    text NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE refreshes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id  text COLLATE "C" NOT NULL REFERENCES providers (id),
    requested_at timestamptz NOT NULL,
    tag          text NOT NULL,
    after_run_id bigint NOT NULL DEFAULT 0
);
CREATE INDEX refreshes_provider ON refreshes (provider_id, id);

CREATE TABLE alliances (
    id         text COLLATE "C" PRIMARY KEY,
    doc        text NOT NULL,
    origin     text NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE alliance_members (
    alliance_id text COLLATE "C" NOT NULL,
    member_key  text COLLATE "C" NOT NULL,
    PRIMARY KEY (alliance_id, member_key)
);
CREATE INDEX alliance_members_key ON alliance_members (member_key);

CREATE TABLE provider_blocks (
    provider_id text COLLATE "C" PRIMARY KEY,
    reason      text NOT NULL,
    blocked_by  text NOT NULL,
    blocked_at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE provider_blocks;
DROP TABLE alliance_members;
DROP TABLE alliances;
DROP TABLE refreshes;
DROP TABLE audit_log;
DROP TABLE domain_challenges;
DROP TABLE sessions;
DROP TABLE accounts;
DROP TABLE oauth_clients;
DROP TABLE course_identifiers;
DROP TABLE course_history;
DROP TABLE courses;
DROP TABLE run_pages;
DROP TABLE runs;
DROP TABLE sources;
DROP TABLE manifests;
DROP TABLE discoveries;
DROP TABLE providers;
