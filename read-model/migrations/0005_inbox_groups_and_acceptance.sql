-- The inbox learns each user's groups (a user's team inbox and counts are their
-- groups'), who accepted each conversation, and since when its customer has been
-- waiting for a human reply (the queue, oldest waiting first), and each user's unread
-- internal messages per conversation, whether the chatbot answers it, and the position
-- of the last event that changed each row (the inbox's live stream resumes from it),
-- and for a returning contact their previous conversation and its agent. Both come from events the log already
-- holds, so the inbox is replayed from the start to fill them: its rows are emptied
-- and its checkpoint set back; the projection service catches up from the log.
ALTER TABLE rm_inbox.conversations
    ADD COLUMN accepted_by   uuid[]      NOT NULL DEFAULT '{}',
    ADD COLUMN waiting_since timestamptz,
    ADD COLUMN bot_active    boolean     NOT NULL DEFAULT false,
    ADD COLUMN updated_position bigint   NOT NULL DEFAULT 0,
    ADD COLUMN previous_conversation_id uuid,
    ADD COLUMN previous_agent uuid;

CREATE INDEX conversations_updated_idx
    ON rm_inbox.conversations (tenant_id, updated_position);

CREATE INDEX conversations_waiting_idx
    ON rm_inbox.conversations (tenant_id, waiting_since, conversation_id)
    WHERE waiting_since IS NOT NULL AND status = 'open';

CREATE TABLE rm_inbox.user_groups (
    tenant_id uuid   NOT NULL,
    user_id   uuid   NOT NULL,
    groups    uuid[] NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE rm_inbox.unread_internal (
    tenant_id           uuid NOT NULL,
    conversation_id     uuid NOT NULL,
    internal_message_id uuid NOT NULL,
    recipient           uuid NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, internal_message_id)
);
CREATE INDEX unread_internal_recipient_idx
    ON rm_inbox.unread_internal (tenant_id, conversation_id, recipient);

TRUNCATE rm_inbox.conversations, rm_inbox.reads, rm_inbox.contacts, rm_inbox.tenant_positions;
UPDATE rm_inbox.checkpoint SET position = 0;
-- Set aside again by the replay if they still fail.
DELETE FROM projections.dead_letters WHERE projection = 'inbox';
