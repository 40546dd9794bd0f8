-- Read under the writer lock, in one round trip: the log head (kind 'log'), the last
-- version and hash of each stream the batch touches (kind 'stream'; $1..$3 are
-- parallel arrays, `ordinal` numbers them) and the last tenant_hash of each of their
-- tenants (kind 'tenant').
SELECT 'log' AS kind, NULL::bigint AS ordinal, NULL::uuid AS tenant_id,
       NULL::bigint AS stream_version, log_head.log_hash AS hash,
       log_head.position, log_head.recorded_at
FROM (SELECT position, recorded_at, log_hash FROM eventlog.events ORDER BY position DESC LIMIT 1)
     AS log_head
UNION ALL
SELECT 'stream', s.ordinal, NULL, stream_head.stream_version, stream_head.hash, NULL, NULL
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
UNION ALL
SELECT 'tenant', NULL, t.tenant_id, NULL, tenant_head.tenant_hash, NULL, NULL
FROM (SELECT DISTINCT unnest($1::uuid[]) AS tenant_id) AS t
CROSS JOIN LATERAL (
    SELECT e.tenant_hash
    FROM eventlog.events e
    WHERE e.tenant_id = t.tenant_id
    ORDER BY e.position DESC
    LIMIT 1
) AS tenant_head
