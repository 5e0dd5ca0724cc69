-- +goose Up
-- OAuth 2.0 clients an operator registered out of band, bound to a
-- provider and a token endpoint. The secret is stored encrypted for the
-- aggregator's own RSA key, never in clear.
CREATE TABLE oauth_clients (
    provider_id      TEXT NOT NULL REFERENCES providers (id),
    token_endpoint   TEXT NOT NULL,
    client_id        TEXT NOT NULL,
    secret_encrypted TEXT NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (provider_id, token_endpoint)
);

-- +goose Down
DROP TABLE oauth_clients;
