-- A stream's data key in one round trip: the one this statement creates, or the one already there (NULL: erased).
WITH created AS (
  INSERT INTO eventlog.stream_keys (tenant_id, stream_type, stream_id, key, kek_id)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING key, kek_id)
SELECT key, kek_id FROM created
UNION ALL
SELECT key, kek_id FROM eventlog.stream_keys
WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3
LIMIT 1
