-- A conversation's internal messages the viewer may read (every one, for who sees everything; otherwise those they sent or received), oldest first.
SELECT internal_message_id AS id, from_user AS "from", to_user AS "to", text,
       in_reply_to, sent_at, read_at, position
FROM rm_internal_messages.internal_messages
WHERE tenant_id = $1 AND conversation_id = $2 AND position > $5
  AND ($3 OR from_user = $4 OR to_user = $4)
  AND (NOT $6 OR (to_user = $4 AND read_at IS NULL))
ORDER BY position LIMIT $7
