-- Subscriptions integrators own (`command-service subscriptions add`): a durable
-- JetStream consumer each, and a NATS user the command service admits through NATS
-- auth callout. Only the SHA-256 of the generated password is kept: the password is
-- 32 random bytes, so a fast hash is enough.

CREATE TABLE commands.subscriptions (
    name            text        PRIMARY KEY,
    -- NULL: every tenant's events.
    tenant_id       uuid,
    password_sha256 bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
