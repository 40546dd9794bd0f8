-- Which of the given ids are directory entries of the given kind (an upsert event type)
-- in the tenant.
SELECT DISTINCT stream_id
FROM eventlog.events
WHERE tenant_id = $1
  AND stream_type = 'directory'
  AND stream_id = ANY($2)
  AND event_type = $3
