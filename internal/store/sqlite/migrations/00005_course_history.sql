-- +goose Up
-- Courses are no longer deleted: one that vanishes from a complete run
-- becomes inactive and keeps its last known content; last_seen is the
-- date it was last offered. Courses an earlier version marked removed are
-- inactive from now on, with their last_seen unchanged.
ALTER TABLE courses RENAME COLUMN removed TO inactive;
DROP INDEX courses_provider;
CREATE INDEX courses_provider ON courses (provider_id) WHERE inactive = 0;

-- The index now holds inactive courses too, with their status: the
-- indexed state of a course is its hash, prefixed by 'inactive:' when it
-- is inactive. Removed courses the index had dropped are stale after
-- this migration and get indexed again as inactive.
DROP INDEX courses_index_backlog;
CREATE INDEX courses_index_backlog ON courses (source_id)
    WHERE indexed_hash != CASE WHEN inactive = 1 THEN 'inactive:' || hash ELSE hash END;

-- Every change of a course: which run saw it, when, what kind
-- (added, changed, inactive, reactivated) and the fields that changed
-- with their old and new values (JSON). History starts with this
-- migration; earlier changes were not recorded.
CREATE TABLE course_history (
    id        INTEGER PRIMARY KEY,
    course_id TEXT NOT NULL,
    run_id    INTEGER NOT NULL DEFAULT 0,
    at        TIMESTAMP NOT NULL,
    kind      TEXT NOT NULL,
    changes   TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX course_history_course ON course_history (course_id, id);

-- +goose Down
DROP INDEX course_history_course;
DROP TABLE course_history;
DROP INDEX courses_index_backlog;
CREATE INDEX courses_index_backlog ON courses (source_id) WHERE indexed_hash != hash;
DROP INDEX courses_provider;
ALTER TABLE courses RENAME COLUMN inactive TO removed;
CREATE INDEX courses_provider ON courses (provider_id) WHERE removed = 0;
