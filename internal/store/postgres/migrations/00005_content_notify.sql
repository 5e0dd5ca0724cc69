-- +goose Up
-- What the catalogue shows (courses, the sources' last sight of their
-- courses, providers, alliances and their members) announces each change on the channel qlink_content, so web
-- nodes can keep what they derive from it until it changes
-- (store.Versioned, version.go). PostgreSQL delivers a notification only
-- once its transaction has committed, and one per channel and transaction
-- however many statements raised it; a statement-level trigger adds no
-- lock that concurrent harvest workers would queue on, as a counter row
-- would.
-- +goose StatementBegin
CREATE FUNCTION qlink_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('qlink_content', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- Every column of a course but indexed_hash, the search index's own
-- bookkeeping, which each index sync and reindex writes without changing
-- what is shown. A column added to courses is added here.
CREATE TRIGGER courses_content_changed
AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF id, provider_id, source_id, doc, hash, first_seen, changed_at, last_seen,
    inactive, quality, flagged ON courses
FOR EACH STATEMENT EXECUTE FUNCTION qlink_content_changed();
CREATE TRIGGER sources_content_changed AFTER UPDATE OF courses_seen_at ON sources
FOR EACH STATEMENT EXECUTE FUNCTION qlink_content_changed();
CREATE TRIGGER providers_content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON providers
FOR EACH STATEMENT EXECUTE FUNCTION qlink_content_changed();
CREATE TRIGGER alliances_content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON alliances
FOR EACH STATEMENT EXECUTE FUNCTION qlink_content_changed();
CREATE TRIGGER alliance_members_content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON alliance_members
FOR EACH STATEMENT EXECUTE FUNCTION qlink_content_changed();

-- +goose Down
DROP TRIGGER alliance_members_content_changed ON alliance_members;
DROP TRIGGER alliances_content_changed ON alliances;
DROP TRIGGER providers_content_changed ON providers;
DROP TRIGGER sources_content_changed ON sources;
DROP TRIGGER courses_content_changed ON courses;
DROP FUNCTION qlink_content_changed();
