-- Read under the writer lock, in one round trip: the log head (the row whose ordinal is
-- NULL) and the last version and hash of each stream the batch touches ($1..$3 are
-- parallel arrays).
SELECT NULL::bigint AS ordinal, NULL::bigint AS stream_version, NULL::bytea AS hash,
       log_head.position, log_head.recorded_at
FROM (SELECT position, recorded_at FROM eventlog.events ORDER BY position DESC LIMIT 1) AS log_head
UNION ALL
SELECT s.ordinal, stream_head.stream_version, stream_head.hash, NULL, NULL
FROM unnest($1::uuid[], $2::text[], $3::uuid[]) WITH ORDINALITY
     AS s(tenant_id, stream_type, stream_id, ordinal)
CROSS JOIN LATERAL (
    SELECT e.stream_version, e.hash
    FROM eventlog.events e
    WHERE e.tenant_id = s.tenant_id
      AND e.stream_type = s.stream_type
      AND e.stream_id = s.stream_id
    ORDER BY e.stream_version DESC
    LIMIT 1
) AS stream_head
