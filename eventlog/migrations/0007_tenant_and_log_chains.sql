-- Two more chains over the same events (README "Trusting the log"):
--
--   tenant_hash = SHA-256("caselog-tenant-v1" || the tenant's previous tenant_hash || hash)
--   log_hash    = SHA-256("caselog-log-v1"    || the previous position's log_hash  || hash)
--
-- with 32 zero bytes before a tenant's first event and before position 1. The stream
-- chain proves an event was not edited; these prove none was removed, moved or cut
-- off the end of a tenant's log or of the whole log, and signed checkpoints of them
-- leave the database on NATS.
--
-- Existing events get their links here, in position order. The event columns the
-- stream hash covers are untouched, so the append-only trigger is set aside for this
-- migration only.
ALTER TABLE eventlog.events ADD COLUMN tenant_hash bytea, ADD COLUMN log_hash bytea;

DO $$
DECLARE
    genesis constant bytea := decode(repeat('00', 32), 'hex');
    tenant_tag constant bytea := convert_to('caselog-tenant-v1', 'UTF8');
    log_tag constant bytea := convert_to('caselog-log-v1', 'UTF8');
    event record;
    log_head bytea := genesis;
    tenant_head bytea;
BEGIN
    CREATE TEMP TABLE tenant_heads (tenant_id uuid PRIMARY KEY, hash bytea NOT NULL)
        ON COMMIT DROP;
    ALTER TABLE eventlog.events DISABLE TRIGGER events_append_only;
    FOR event IN SELECT position, tenant_id, hash FROM eventlog.events ORDER BY position LOOP
        SELECT h.hash INTO tenant_head FROM tenant_heads h WHERE h.tenant_id = event.tenant_id;
        tenant_head := sha256(tenant_tag || coalesce(tenant_head, genesis) || event.hash);
        log_head := sha256(log_tag || log_head || event.hash);
        INSERT INTO tenant_heads VALUES (event.tenant_id, tenant_head)
            ON CONFLICT (tenant_id) DO UPDATE SET hash = excluded.hash;
        UPDATE eventlog.events SET tenant_hash = tenant_head, log_hash = log_head
            WHERE position = event.position;
    END LOOP;
    ALTER TABLE eventlog.events ENABLE TRIGGER events_append_only;
END
$$;

ALTER TABLE eventlog.events
    ALTER COLUMN tenant_hash SET NOT NULL,
    ALTER COLUMN log_hash SET NOT NULL,
    ADD CONSTRAINT events_tenant_hash_length CHECK (octet_length(tenant_hash) = 32),
    ADD CONSTRAINT events_log_hash_length CHECK (octet_length(log_hash) = 32);

-- The checkpointer's "where did the last checkpoint end": the newest signed checkpoint.
CREATE INDEX events_checkpoints_idx ON eventlog.events (position)
    WHERE stream_type = 'checkpoint';
