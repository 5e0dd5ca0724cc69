-- +goose Up
-- An operator may block a provider: it is no longer discovered nor
-- harvested (its stored courses stay as they are) until allowed again.
CREATE TABLE provider_blocks (
    provider_id TEXT PRIMARY KEY,
    reason      TEXT NOT NULL,
    blocked_by  TEXT NOT NULL,
    blocked_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE provider_blocks;
