-- The event log: every event of every tenant, in commit order.
-- Auditors read this table with plain psql; payload and metadata are jsonb.

CREATE TABLE eventlog.events (
    -- Contiguous and assigned in commit order by the single writer (see append.rs).
    position        bigint      PRIMARY KEY CHECK (position > 0),
    event_id        uuid        NOT NULL,
    tenant_id       uuid        NOT NULL,
    stream_type     text        NOT NULL,
    stream_id       uuid        NOT NULL,
    stream_version  bigint      NOT NULL CHECK (stream_version > 0),
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL CHECK (schema_version > 0),
    payload         jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    recorded_at     timestamptz NOT NULL,
    -- SHA-256 of the previous event of the same stream; 32 zero bytes for version 1.
    previous_hash   bytea       NOT NULL CHECK (octet_length(previous_hash) = 32),
    hash            bytea       NOT NULL CHECK (octet_length(hash) = 32),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_version_key UNIQUE (tenant_id, stream_type, stream_id, stream_version)
);

-- The auditors' raw feed and per-tenant replays read a tenant's events in log order.
CREATE INDEX events_tenant_position_idx ON eventlog.events (tenant_id, position);

COMMENT ON TABLE eventlog.events IS
    'caselog event log: append-only; position is contiguous and in commit order; hash chains each stream';

-- The application never rewrites history. This trigger makes an accidental UPDATE or
-- DELETE fail loudly; a deliberate edit (by disabling triggers) is what the hash chain
-- is there to reveal.
CREATE FUNCTION eventlog.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'caselog event log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON eventlog.events
    FOR EACH ROW EXECUTE FUNCTION eventlog.refuse_rewrite();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON eventlog.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.refuse_rewrite();

-- One row per idempotency key: the outcome of the first append that used it, returned
-- again to any retry with the same key.
CREATE TABLE eventlog.idempotency_keys (
    tenant_id        uuid        NOT NULL,
    idempotency_key  text        NOT NULL,
    stream_type      text        NOT NULL,
    stream_id        uuid        NOT NULL,
    outcome          jsonb       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key)
);
