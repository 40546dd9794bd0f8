-- What a conversation card shows: the contact, channels, status, assignees, unreplied count and topic.
SELECT ct.name AS contact_name, c.channels, c.status, c.assignees,
       c.unreplied_count, c.topic
FROM rm_inbox.conversations c
LEFT JOIN rm_inbox.contacts ct
  ON ct.tenant_id = c.tenant_id AND ct.contact_id = c.contact_id
WHERE c.tenant_id = $1 AND c.conversation_id = $2
  AND (c.visible_to IS NULL OR $3 = ANY(c.visible_to) OR $4)
