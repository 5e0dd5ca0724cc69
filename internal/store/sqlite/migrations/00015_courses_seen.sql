-- +goose Up
-- When a run last saw every active course of the source (a complete run,
-- or one the source answered "not modified"). An active course's
-- last-seen time is the later of its own and this, so such a run writes
-- one row instead of rewriting each course's: a course row holds its
-- document, and at a million courses that rewrite was most of a refresh.
ALTER TABLE sources ADD COLUMN courses_seen_at TIMESTAMP;

-- +goose Down
UPDATE courses SET last_seen = (SELECT s.courses_seen_at FROM sources s WHERE s.id = courses.source_id)
WHERE inactive = 0 AND EXISTS (SELECT 1 FROM sources s WHERE s.id = courses.source_id AND s.courses_seen_at > courses.last_seen);
ALTER TABLE sources DROP COLUMN courses_seen_at;
