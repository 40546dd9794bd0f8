-- One conversation by its key, with the viewer's unread flag, if the viewer may see it
-- ($3 viewer, $4 sees all).
SELECT c.conversation_id, c.contact_id, ct.name AS contact_name, c.group_id, c.channels,
       c.status, c.assignees, c.visible_to, c.started_at, c.closed_at, c.last_activity_at,
       c.last_activity_position, c.last_inbound_position, c.unreplied_count, c.message_count,
       c.topic, c.first_response_seconds, c.rating, c.rating_comment, c.accepted_by,
       c.waiting_since, c.bot_active, c.previous_conversation_id, c.previous_agent,
       (SELECT count(*) FROM rm_inbox.unread_internal u
        WHERE u.tenant_id = c.tenant_id AND u.conversation_id = c.conversation_id
          AND u.recipient = $3) AS unread_internal,
       c.last_inbound_position > coalesce(r.read_position, 0) AS unread
FROM rm_inbox.conversations c
LEFT JOIN rm_inbox.contacts ct
       ON ct.tenant_id = c.tenant_id AND ct.contact_id = c.contact_id
LEFT JOIN rm_inbox.reads r
       ON r.tenant_id = c.tenant_id AND r.conversation_id = c.conversation_id AND r.user_id = $3
WHERE c.tenant_id = $1 AND c.conversation_id = $2
  AND (c.visible_to IS NULL OR $3 = ANY(c.visible_to) OR $4)
