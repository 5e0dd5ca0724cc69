-- +goose Up
-- When a run last saw every active course of the source (a complete run,
-- or one the source answered "not modified"). An active course's
-- last-seen time is the later of its own and this, so such a run writes
-- one row instead of a new version of each course's.
ALTER TABLE sources ADD COLUMN courses_seen_at timestamptz;

-- +goose Down
UPDATE courses c SET last_seen = s.courses_seen_at FROM sources s
WHERE s.id = c.source_id AND NOT c.inactive AND s.courses_seen_at > c.last_seen;
ALTER TABLE sources DROP COLUMN courses_seen_at;
