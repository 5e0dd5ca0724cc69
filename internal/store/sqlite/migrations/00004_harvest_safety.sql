-- +goose Up
-- What the search index holds of each course: the hash last indexed
-- ('' when the index has no document for it). Start-up and every harvest
-- re-index a live course whose indexed_hash differs from its hash and
-- delete a removed course whose indexed_hash is not empty, so the store
-- and the index heal after a crash between the two writes. Existing rows
-- start at '' and are indexed once more after this migration.
ALTER TABLE courses ADD COLUMN indexed_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX courses_index_backlog ON courses (source_id) WHERE indexed_hash != hash;

-- Why a run ended as it did when that is not a plain error: suspicious,
-- interrupted, applied twice in a row or on confirmation.
ALTER TABLE runs ADD COLUMN reason TEXT NOT NULL DEFAULT '';
-- Digest of a complete run's record set (IDs and content), to see the
-- same suspicious outcome twice in a row.
ALTER TABLE runs ADD COLUMN digest TEXT NOT NULL DEFAULT '';
-- Blob holding the record set of a suspicious run, so that an operator's
-- confirmation applies exactly what the run read.
ALTER TABLE runs ADD COLUMN records_blob TEXT NOT NULL DEFAULT '';
CREATE INDEX runs_status ON runs (status, id);
CREATE INDEX run_pages_blob ON run_pages (blob);
CREATE INDEX runs_records_blob ON runs (records_blob) WHERE records_blob != '';

-- +goose Down
DROP INDEX runs_records_blob;
DROP INDEX run_pages_blob;
DROP INDEX runs_status;
ALTER TABLE runs DROP COLUMN records_blob;
ALTER TABLE runs DROP COLUMN digest;
ALTER TABLE runs DROP COLUMN reason;
DROP INDEX courses_index_backlog;
ALTER TABLE courses DROP COLUMN indexed_hash;
