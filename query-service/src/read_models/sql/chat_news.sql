-- The chat's news for the viewer ($2) after position $3, oldest first, $4 at most: new
-- messages in the channels they may read (public and announcement channels, and those
-- they are a member of), and new notifications in their bell.
(SELECT 'message' AS kind, x.channel_id, x.message_id, x.author, x.content, x.card_id,
        NULL::text AS notification, x.posted_at AS at, x.position
 FROM rm_chat.messages x
 JOIN rm_chat.channels c ON c.tenant_id = x.tenant_id AND c.channel_id = x.channel_id
 WHERE x.tenant_id = $1 AND x.position > $3 AND x.deleted_at IS NULL
   AND (c.kind IN ('public', 'announcement') OR EXISTS (
        SELECT 1 FROM rm_chat.members v
        WHERE v.tenant_id = c.tenant_id AND v.channel_id = c.channel_id AND v.user_id = $2))
 ORDER BY x.position
 LIMIT $4)
UNION ALL
(SELECT 'notification', n.channel_id, n.message_id, x.author, NULL, NULL, n.kind, n.at,
        n.position
 FROM rm_chat.notifications n
 LEFT JOIN rm_chat.messages x ON x.tenant_id = n.tenant_id AND x.message_id = n.message_id
 WHERE n.tenant_id = $1 AND n.user_id = $2 AND n.bell AND n.position > $3
 ORDER BY n.position
 LIMIT $4)
ORDER BY position, kind
LIMIT $4
