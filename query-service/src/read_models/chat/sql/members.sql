-- The members of a channel, owner first, with their names and whether they may announce.
SELECT m.user_id, u.name, m.role, m.user_id = ANY(c.authors) AS author, m.joined_at
FROM rm_chat.members m
JOIN rm_chat.channels c ON c.tenant_id = m.tenant_id AND c.channel_id = m.channel_id
LEFT JOIN rm_directory.users u ON u.tenant_id = m.tenant_id AND u.user_id = m.user_id
WHERE m.tenant_id = $1 AND m.channel_id = $2
ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END,
         m.joined_at, m.user_id
OFFSET $3 LIMIT $4
