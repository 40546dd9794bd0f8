-- One round trip writes a batch: its events, its idempotency keys, the data keys it
-- destroys (arrays may be empty) and the notification of the new head, delivered to
-- listeners at commit.
WITH inserted_events AS (
    INSERT INTO eventlog.events (
        position, event_id, tenant_id, stream_type, stream_id, stream_version,
        event_type, schema_version, payload, metadata, recorded_at, previous_hash, hash,
        tenant_hash, log_hash
    )
    SELECT * FROM unnest(
        $1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::bigint[],
        $7::text[], $8::integer[], $9::jsonb[], $10::jsonb[], $11::timestamptz[], $12::bytea[], $13::bytea[],
        $24::bytea[], $25::bytea[]
    )
    RETURNING position
), inserted_keys AS (
    INSERT INTO eventlog.idempotency_keys (tenant_id, idempotency_key, stream_type, stream_id, outcome)
    SELECT * FROM unnest($14::uuid[], $15::text[], $16::text[], $17::uuid[], $18::jsonb[])
    RETURNING 1
), erased_streams AS (
    -- Crypto-shredding: the key goes in the transaction that appends the erasing event,
    -- and a stream that never had a key gets a tombstone so it never gets one.
    INSERT INTO eventlog.stream_keys (tenant_id, stream_type, stream_id, key, erased_at)
    SELECT tenant_id, stream_type, stream_id, NULL, now()
    FROM unnest($21::uuid[], $22::text[], $23::uuid[]) AS e(tenant_id, stream_type, stream_id)
    ON CONFLICT (tenant_id, stream_type, stream_id)
        DO UPDATE SET key = NULL, kek_id = NULL, erased_at = coalesce(eventlog.stream_keys.erased_at, now())
    RETURNING 1
)
SELECT pg_notify($19, $20),
       (SELECT count(*) FROM inserted_events) AS events,
       (SELECT count(*) FROM inserted_keys) AS keys,
       (SELECT count(*) FROM erased_streams) AS erased
