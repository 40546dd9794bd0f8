-- The internal messages the viewer ($2) sent or received, in the conversations they may
-- see ($3: every one), newest first; $4 only those to them still unread; before $5.
SELECT m.conversation_id, m.internal_message_id AS id, m.from_user AS "from",
       m.to_user AS "to", m.text, m.in_reply_to, m.sent_at, m.read_at, m.position
FROM rm_internal_messages.internal_messages m
JOIN rm_internal_messages.conversation_access a
  ON a.tenant_id = m.tenant_id AND a.conversation_id = m.conversation_id
WHERE m.tenant_id = $1
  AND (m.from_user = $2 OR m.to_user = $2)
  AND NOT a.deleted
  AND (a.visible_to IS NULL OR $2 = ANY(a.visible_to) OR $3)
  AND (NOT $4 OR (m.to_user = $2 AND m.read_at IS NULL))
  AND ($5::bigint IS NULL OR m.position < $5)
ORDER BY m.position DESC
LIMIT $6
