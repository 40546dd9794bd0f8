-- Signed webhooks (README "Webhooks"): the tenants' endpoints, one delivery per event
-- and endpoint, and every attempt at it.

CREATE TABLE webhooks.endpoints (
    id             uuid        PRIMARY KEY,
    tenant_id      uuid        NOT NULL,
    url            text        NOT NULL,
    description    text        NOT NULL DEFAULT '',
    -- Event type names, or '*' for every type.
    event_types    text[]      NOT NULL,
    -- The signing secret, wrapped by the key-encryption key (kek_id) for this endpoint.
    secret_wrapped bytea       NOT NULL,
    kek_id         text        NOT NULL,
    created_by     uuid        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX endpoints_tenant_idx ON webhooks.endpoints (tenant_id, created_at);

CREATE TABLE webhooks.deliveries (
    id              uuid        PRIMARY KEY,
    endpoint_id     uuid        NOT NULL REFERENCES webhooks.endpoints ON DELETE CASCADE,
    tenant_id       uuid        NOT NULL,
    event_id        uuid        NOT NULL,
    position        bigint      NOT NULL,
    event_type      text        NOT NULL,
    -- pending: to be sent at next_attempt_at; delivered; dead: every attempt failed.
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    -- Attempts in all, and failed ones since it was last queued by hand (a retried
    -- dead letter gets the whole schedule again).
    attempts        integer     NOT NULL DEFAULT 0,
    failures        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    -- A sender holds a delivery it is sending until then (another may take it after).
    leased_until    timestamptz,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- A message NATS delivers again makes no second delivery.
    UNIQUE (endpoint_id, event_id)
);

CREATE INDEX deliveries_due_idx ON webhooks.deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_endpoint_idx ON webhooks.deliveries (endpoint_id, position DESC, id);

CREATE TABLE webhooks.attempts (
    delivery_id  uuid        NOT NULL REFERENCES webhooks.deliveries ON DELETE CASCADE,
    attempt      integer     NOT NULL,
    at           timestamptz NOT NULL,
    -- The receiver's HTTP status, or NULL when none came (refused, timed out…).
    status_code  integer,
    error        text,
    duration_ms  integer     NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
