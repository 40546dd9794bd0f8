-- Every conversation the contact ever had, oldest first (`events_conversation_contact_idx`).
SELECT stream_id
FROM eventlog.events
WHERE tenant_id = $1
  AND stream_type = 'conversation'
  AND event_type = 'ConversationStarted'
  AND payload ->> 'contact_id' = $2
ORDER BY position
