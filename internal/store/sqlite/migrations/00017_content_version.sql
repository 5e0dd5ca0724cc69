-- +goose Up
-- The version of what the catalogue shows: courses, the sources' last
-- sight of their courses, providers and alliances. Every write to them
-- moves it on, whichever process or code path writes, so readers can keep
-- what they derive from them until it moves (store.Versioned). The job
-- queue shares this file and writes every few seconds, which SQLite's
-- data_version counts as a change as much as a harvest's. SQLite only: the
-- PostgreSQL store hears of changes by notifications instead (its migration
-- 00005), and qlink copy leaves this table out.
CREATE TABLE content_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO content_version (id, n) VALUES (1, 0);

-- +goose StatementBegin
CREATE TRIGGER courses_insert_version AFTER INSERT ON courses BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- Every column of a course but indexed_hash, the search index's own
-- bookkeeping, which each index sync, start-up repair and reindex writes
-- without changing what is shown. A column added to courses is added here.
-- +goose StatementBegin
CREATE TRIGGER courses_update_version
AFTER UPDATE OF id, provider_id, source_id, doc, hash, first_seen, changed_at, last_seen, inactive, quality, flagged ON courses BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER courses_delete_version AFTER DELETE ON courses BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER providers_insert_version AFTER INSERT ON providers BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER providers_update_version AFTER UPDATE ON providers BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER providers_delete_version AFTER DELETE ON providers BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER alliances_insert_version AFTER INSERT ON alliances BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER alliances_update_version AFTER UPDATE ON alliances BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER alliances_delete_version AFTER DELETE ON alliances BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER alliance_members_insert_version AFTER INSERT ON alliance_members BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER alliance_members_update_version AFTER UPDATE ON alliance_members BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER alliance_members_delete_version AFTER DELETE ON alliance_members BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sources_insert_version AFTER INSERT ON sources BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sources_update_version AFTER UPDATE OF courses_seen_at ON sources BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sources_delete_version AFTER DELETE ON sources BEGIN
    UPDATE content_version SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER courses_insert_version;
DROP TRIGGER courses_update_version;
DROP TRIGGER courses_delete_version;
DROP TRIGGER providers_insert_version;
DROP TRIGGER providers_update_version;
DROP TRIGGER providers_delete_version;
DROP TRIGGER alliances_insert_version;
DROP TRIGGER alliances_update_version;
DROP TRIGGER alliances_delete_version;
DROP TRIGGER alliance_members_insert_version;
DROP TRIGGER alliance_members_update_version;
DROP TRIGGER alliance_members_delete_version;
DROP TRIGGER sources_insert_version;
DROP TRIGGER sources_update_version;
DROP TRIGGER sources_delete_version;
DROP TABLE content_version;
