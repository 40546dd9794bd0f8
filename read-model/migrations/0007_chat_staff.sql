-- The chat learns who the tenant's staff are (an announcement reaches every staff
-- member's bell, their preferences and mute allowing, not only the channel's members)
-- and who deleted a message; the bell also tells an agent first when a contact they
-- handled comes back (a notification about a conversation, not a channel).
-- The log already holds the users, so the chat is replayed from the start to fill it:
-- its rows are emptied and its checkpoint set back.
CREATE TABLE rm_chat.staff (
    tenant_id uuid NOT NULL,
    user_id   uuid NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

ALTER TABLE rm_chat.messages ADD COLUMN deleted_by uuid;
ALTER TABLE rm_chat.notifications
    ALTER COLUMN channel_id DROP NOT NULL,
    ADD COLUMN conversation_id uuid;

TRUNCATE rm_chat.channels, rm_chat.members, rm_chat.messages, rm_chat.reactions,
         rm_chat.cards, rm_chat.notification_preferences, rm_chat.notifications,
         rm_chat.tenant_positions;
UPDATE rm_chat.checkpoint SET position = 0;
DELETE FROM projections.dead_letters WHERE projection = 'chat';

-- The chat's live stream: a tenant's messages after a position.
CREATE INDEX messages_by_position ON rm_chat.messages (tenant_id, position);
