INSERT INTO eventlog.idempotency_keys (tenant_id, idempotency_key, stream_type, stream_id, outcome)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[])
