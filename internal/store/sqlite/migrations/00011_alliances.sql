-- +goose Up
-- Alliances of institutions; members are stored as the alliance data
-- names them (member keys such as deqar:DEQARINST0357) and matched with the
-- registry on reading.
CREATE TABLE alliances (
    id         TEXT PRIMARY KEY,
    doc        TEXT NOT NULL,
    origin     TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE alliance_members (
    alliance_id TEXT NOT NULL,
    member_key  TEXT NOT NULL,
    PRIMARY KEY (alliance_id, member_key)
);
CREATE INDEX alliance_members_key ON alliance_members (member_key);

-- +goose Down
DROP TABLE alliance_members;
DROP TABLE alliances;
