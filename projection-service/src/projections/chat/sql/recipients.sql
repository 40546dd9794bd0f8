-- Who a post notifies: members, and mentioned users who may read the channel, with their level, mute and preferences.
WITH candidates AS (
  SELECT user_id, level, muted FROM members WHERE tenant_id = $1 AND channel_id = $2
  UNION ALL
  SELECT mentioned, 'all', false FROM unnest($3::uuid[]) AS mentioned
  WHERE $4 AND NOT EXISTS (SELECT 1 FROM members
    WHERE tenant_id = $1 AND channel_id = $2 AND user_id = mentioned))
SELECT c.user_id, c.level, c.muted, p.preferences FROM candidates c
LEFT JOIN notification_preferences p ON p.tenant_id = $1 AND p.user_id = c.user_id
WHERE c.user_id <> $5
