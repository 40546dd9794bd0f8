-- The tenant's conversations started in [$2, $3), oldest first (a bulk export's cases).
SELECT stream_id
FROM eventlog.events
WHERE tenant_id = $1
  AND stream_type = 'conversation'
  AND event_type = 'ConversationStarted'
  AND recorded_at >= $2
  AND recorded_at < $3
ORDER BY position
