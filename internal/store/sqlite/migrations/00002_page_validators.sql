-- +goose Up
-- Validators of each fetched page, so the next run can ask "changed since?"
-- and reuse the stored snapshot when the answer is 304 Not Modified.
ALTER TABLE run_pages ADD COLUMN etag TEXT NOT NULL DEFAULT '';
ALTER TABLE run_pages ADD COLUMN last_modified TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE run_pages DROP COLUMN last_modified;
ALTER TABLE run_pages DROP COLUMN etag;
