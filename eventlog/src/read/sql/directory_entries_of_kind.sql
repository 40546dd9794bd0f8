-- Which of the given ids are directory entries of the given kind (an upsert event type)
-- in the tenant; a user who was erased (left) is a user no more.
SELECT DISTINCT e.stream_id
FROM eventlog.events e
WHERE e.tenant_id = $1
  AND e.stream_type = 'directory'
  AND e.stream_id = ANY($2)
  AND e.event_type = $3
  AND NOT EXISTS (
      SELECT FROM eventlog.events erased
      WHERE erased.tenant_id = $1
        AND erased.stream_type = 'directory'
        AND erased.stream_id = e.stream_id
        AND erased.event_type = 'UserErased'
  )
