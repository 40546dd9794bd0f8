-- The conversations the viewer may see ($2, $3: sees all) in the groups their team
-- inbox shows ($4: every group) that changed after $5, oldest change first, $6 at most.
SELECT c.conversation_id, c.contact_id, ct.name AS contact_name, c.group_id, c.channels,
       c.status, c.assignees, c.visible_to, c.started_at, c.closed_at, c.last_activity_at,
       c.last_activity_position, c.last_inbound_position, c.unreplied_count, c.message_count,
       c.topic, c.first_response_seconds, c.rating, c.rating_comment, c.accepted_by,
       c.waiting_since, c.bot_active, c.previous_conversation_id, c.previous_agent,
       (SELECT count(*) FROM rm_inbox.unread_internal u
        WHERE u.tenant_id = c.tenant_id AND u.conversation_id = c.conversation_id
          AND u.recipient = $2) AS unread_internal,
       c.last_inbound_position > coalesce(r.read_position, 0) AS unread,
       c.updated_position
FROM rm_inbox.conversations c
LEFT JOIN rm_inbox.contacts ct
       ON ct.tenant_id = c.tenant_id AND ct.contact_id = c.contact_id
LEFT JOIN rm_inbox.reads r
       ON r.tenant_id = c.tenant_id AND r.conversation_id = c.conversation_id AND r.user_id = $2
WHERE c.tenant_id = $1
  AND c.updated_position > $5
  AND (c.visible_to IS NULL OR $2 = ANY(c.visible_to) OR $3)
  AND ($4 OR c.group_id IS NULL OR $2 = ANY(c.assignees)
       OR c.group_id = ANY(coalesce((SELECT g.groups FROM rm_inbox.user_groups g
                                     WHERE g.tenant_id = $1 AND g.user_id = $2), '{}')))
ORDER BY c.updated_position
LIMIT $6
