-- +goose Up
-- Data quality. Each course keeps its latest quality report (JSON, ""
-- before its first check) and whether it is flagged: it breaks a rule at
-- violation severity. Flagged courses are stored and shown all the same.
ALTER TABLE courses ADD COLUMN quality TEXT NOT NULL DEFAULT '';
ALTER TABLE courses ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;

-- Each run keeps its source's quality summary (JSON, "" when the run
-- checked nothing) and how long the checks took, in microseconds.
ALTER TABLE runs ADD COLUMN quality TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN validation_us INTEGER NOT NULL DEFAULT 0;

-- The index holds the flag too, so the indexed state of a course gains a
-- ':flagged' mark. Unflagged courses keep the state they had: nothing
-- goes stale by this migration.
DROP INDEX courses_index_backlog;
CREATE INDEX courses_index_backlog ON courses (source_id)
    WHERE indexed_hash != (CASE WHEN inactive = 1 THEN 'inactive:' || hash ELSE hash END)
        || (CASE WHEN flagged = 1 THEN ':flagged' ELSE '' END);

-- +goose Down
DROP INDEX courses_index_backlog;
CREATE INDEX courses_index_backlog ON courses (source_id)
    WHERE indexed_hash != CASE WHEN inactive = 1 THEN 'inactive:' || hash ELSE hash END;
ALTER TABLE runs DROP COLUMN validation_us;
ALTER TABLE runs DROP COLUMN quality;
ALTER TABLE courses DROP COLUMN flagged;
ALTER TABLE courses DROP COLUMN quality;
