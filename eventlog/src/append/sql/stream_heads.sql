-- The last version and hash of each stream a batch touches ($1..$3 are parallel arrays).
SELECT s.ordinal, head.stream_version, head.hash
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
) AS head
