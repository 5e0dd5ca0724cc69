-- +goose Up
-- Runs belong to the process that works them (owner) and say it is alive
-- (heartbeat_at), so that a process starting on the shared database
-- interrupts only its own runs and those of processes that died.
ALTER TABLE runs ADD COLUMN owner text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN heartbeat_at timestamptz;
UPDATE runs SET heartbeat_at = started_at;
CREATE INDEX runs_running ON runs (status) WHERE status = 'running';

-- +goose Down
DROP INDEX runs_running;
ALTER TABLE runs DROP COLUMN heartbeat_at;
ALTER TABLE runs DROP COLUMN owner;
