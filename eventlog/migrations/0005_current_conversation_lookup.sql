-- "The contact's current conversation": the one most recently started or reopened,
-- where an inbound message goes (a reopened conversation takes the contact's next
-- messages, even when a newer one exists).
CREATE INDEX events_conversation_opened_idx
    ON eventlog.events (tenant_id, stream_id, position)
    WHERE stream_type = 'conversation'
      AND event_type IN ('ConversationStarted', 'ConversationReopened');
