INSERT INTO eventlog.events (
    position, event_id, tenant_id, stream_type, stream_id, stream_version,
    event_type, schema_version, payload, metadata, recorded_at, previous_hash, hash
)
SELECT * FROM unnest(
    $1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::bigint[],
    $7::text[], $8::integer[], $9::jsonb[], $10::jsonb[], $11::timestamptz[], $12::bytea[], $13::bytea[]
)
