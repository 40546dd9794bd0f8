-- Lookups the command side makes on the log itself rather than on a read model, because
-- they must see every committed event (a read model may lag behind).

-- "The contact's newest conversation": where an inbound message goes.
CREATE INDEX events_conversation_contact_idx
    ON eventlog.events (tenant_id, ((payload ->> 'contact_id')), position)
    WHERE stream_type = 'conversation' AND event_type = 'ConversationStarted';

-- "Are these ids users (or groups) of the tenant": the directory entries' kind.
CREATE INDEX events_directory_kind_idx
    ON eventlog.events (tenant_id, stream_id, event_type)
    WHERE stream_type = 'directory';
