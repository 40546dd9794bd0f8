-- The checkpoints due now: the log head, and each tenant with an event other than a
-- checkpoint after the position the newest checkpoint signed, with the tenant's last
-- event up to the head.
WITH head AS (
    SELECT position, log_hash FROM eventlog.events ORDER BY position DESC LIMIT 1
), signed AS (
    SELECT coalesce((
        SELECT (payload->>'position')::bigint FROM eventlog.events
        WHERE stream_type = 'checkpoint' ORDER BY position DESC LIMIT 1
    ), 0) AS position
), moved AS (
    SELECT DISTINCT e.tenant_id
    FROM eventlog.events e, signed, head
    WHERE e.position > signed.position AND e.position <= head.position
      AND e.stream_type <> 'checkpoint'
)
SELECT moved.tenant_id, head.position, head.log_hash,
       tenant_head.position AS tenant_position, tenant_head.tenant_hash
FROM moved CROSS JOIN head
CROSS JOIN LATERAL (
    SELECT e.position, e.tenant_hash FROM eventlog.events e
    WHERE e.tenant_id = moved.tenant_id AND e.position <= head.position
    ORDER BY e.position DESC LIMIT 1
) AS tenant_head
