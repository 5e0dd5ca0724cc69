-- +goose Up
-- When the scheduler will next refresh each source (NULL: not scheduled
-- yet, so due at once). The scheduler writes it whenever it plans a
-- source's next run; the web and API show it. It lives in the database,
-- so the schedule survives restarts: a source whose time has passed while
-- no server ran is refreshed as soon as one starts.
ALTER TABLE sources ADD COLUMN next_run_at TIMESTAMP;

-- +goose Down
ALTER TABLE sources DROP COLUMN next_run_at;
