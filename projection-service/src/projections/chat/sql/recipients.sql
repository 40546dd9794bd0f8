-- Who a post notifies, with their level, mute and preferences: the channel's members;
-- in an announcement channel every staff member (a non-member at level all, unmuted);
-- and mentioned users who are not members but may read the channel ($4: public and
-- announcement channels are read by everyone). Never the author ($5).
WITH candidates AS (
  SELECT user_id, level, muted FROM members WHERE tenant_id = $1 AND channel_id = $2
  UNION
  SELECT s.user_id, 'all', false FROM staff s
  WHERE $6 AND s.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM members
    WHERE tenant_id = $1 AND channel_id = $2 AND user_id = s.user_id)
  UNION
  SELECT mentioned, 'all', false FROM unnest($3::uuid[]) AS mentioned
  WHERE $4 AND NOT EXISTS (SELECT 1 FROM members
    WHERE tenant_id = $1 AND channel_id = $2 AND user_id = mentioned)
    AND NOT ($6 AND EXISTS (SELECT 1 FROM staff WHERE tenant_id = $1 AND user_id = mentioned))
)
SELECT c.user_id, c.level, c.muted, p.preferences FROM candidates c
LEFT JOIN notification_preferences p ON p.tenant_id = $1 AND p.user_id = c.user_id
WHERE c.user_id <> $5
