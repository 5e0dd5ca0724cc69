-- +goose Up
-- A run that found every page of an earlier run unchanged (304) records
-- no pages of its own: pages_of names the run whose pages it revalidated,
-- and reading its pages reads those. At a million courses a refresh wrote
-- half a million such rows into run_pages and its blob index, a third of
-- its time.
ALTER TABLE runs ADD COLUMN pages_of INTEGER NOT NULL DEFAULT 0;

-- +goose Down
INSERT INTO run_pages (run_id, seq, url, status, content_type, bytes, blob, fetched_at, etag, last_modified)
SELECT r.id, p.seq, p.url, 304, p.content_type, 0, p.blob, r.started_at, p.etag, p.last_modified
FROM runs r JOIN run_pages p ON p.run_id = r.pages_of WHERE r.pages_of > 0;
ALTER TABLE runs DROP COLUMN pages_of;
