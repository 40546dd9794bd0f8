-- The contact's conversation most recently started or reopened, whatever its status.
WITH of_contact AS (
  SELECT stream_id
  FROM eventlog.events
  WHERE tenant_id = $1
    AND stream_type = 'conversation'
    AND event_type = 'ConversationStarted'
    AND payload ->> 'contact_id' = $2
)
SELECT e.stream_id
FROM eventlog.events e
JOIN of_contact USING (stream_id)
WHERE e.tenant_id = $1
  AND e.stream_type = 'conversation'
  AND e.event_type IN ('ConversationStarted', 'ConversationReopened')
ORDER BY e.position DESC
LIMIT 1
