-- The columns of a conversation summary (`conversations::Row`), for the viewer $2:
-- every query over inbox rows selects them, its own FROM joining `ct` (the contact) and
-- `r` (the viewer's read mark) to `c`.
SELECT c.conversation_id, c.contact_id, ct.name AS contact_name, c.group_id, c.channels,
       c.status, c.assignees, c.visible_to, c.started_at, c.closed_at, c.last_activity_at,
       c.last_activity_position, c.last_inbound_position, c.unreplied_count, c.message_count,
       c.topic, c.first_response_seconds, c.rating, c.rating_comment, c.accepted_by,
       c.waiting_since, c.bot_active, c.previous_conversation_id, c.previous_agent,
       (SELECT count(*) FROM rm_inbox.unread_internal u
        WHERE u.tenant_id = c.tenant_id AND u.conversation_id = c.conversation_id
          AND u.recipient = $2) AS unread_internal,
       c.last_inbound_position > coalesce(r.read_position, 0) AS unread
