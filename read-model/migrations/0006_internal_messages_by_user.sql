-- A user's internal messages across conversations (`GET /v1/internal-messages`): the
-- ones they received and the ones they sent, newest first.
CREATE INDEX internal_messages_to_idx
    ON rm_internal_messages.internal_messages (tenant_id, to_user, position);
CREATE INDEX internal_messages_from_idx
    ON rm_internal_messages.internal_messages (tenant_id, from_user, position);
