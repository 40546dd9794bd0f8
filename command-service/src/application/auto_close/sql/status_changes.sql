-- Status changes of conversations after the scheduler's checkpoint, up to a head.
SELECT position, tenant_id, stream_id, stream_version, event_type, recorded_at
FROM eventlog.events
WHERE position > $1
  AND position <= $2
  AND stream_type = 'conversation'
  AND event_type IN ('ConversationResolved', 'ConversationReopened',
                     'ConversationClosed', 'ConversationDeleted')
ORDER BY position
LIMIT $3
