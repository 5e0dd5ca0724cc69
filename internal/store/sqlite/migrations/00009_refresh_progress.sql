-- +goose Up
-- A run in progress writes its counts so far (pages, bytes, seen,
-- warning_count) to its row as it goes, so that a page served by any
-- process can follow it; progress_at is when it last did (NULL: never).
ALTER TABLE runs ADD COLUMN progress_at TIMESTAMP;

-- Refreshes people asked for on the web: the work queued for a provider,
-- named by the job queue's tag, and the provider's newest run at the time,
-- so that the runs the refresh started can be told from older ones. The
-- newest one also sets when the provider may be refreshed again.
CREATE TABLE refreshes (
    id           INTEGER PRIMARY KEY,
    provider_id  TEXT NOT NULL REFERENCES providers (id),
    requested_at TIMESTAMP NOT NULL,
    tag          TEXT NOT NULL,
    after_run_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refreshes_provider ON refreshes (provider_id, id);

-- +goose Down
DROP INDEX refreshes_provider;
DROP TABLE refreshes;
ALTER TABLE runs DROP COLUMN progress_at;
