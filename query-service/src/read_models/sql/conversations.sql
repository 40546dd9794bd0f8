-- Conversations for the team or my inbox, newest activity first, with the viewer's
-- unread flag; every filter is optional (NULL: no filter). Visibility: $2 viewer, $3 sees all.
-- Groups: unless $15 (every group), the viewer's groups, the ungrouped conversations and
-- those assigned to the viewer.
-- The page is chosen from the conversations alone (walking the activity index, newest
-- first, until the page is full); contact names and read marks are joined to that page
-- only, and the filters that need them look them up per candidate.
WITH page AS (
  SELECT c.*
  FROM rm_inbox.conversations c
  WHERE c.tenant_id = $1
    AND (c.visible_to IS NULL OR $2 = ANY(c.visible_to) OR $3)
    AND ($15 OR c.group_id IS NULL OR $2 = ANY(c.assignees)
         OR c.group_id = ANY(coalesce((SELECT g.groups FROM rm_inbox.user_groups g
                                       WHERE g.tenant_id = $1 AND g.user_id = $2), '{}')))
    AND ($4::uuid IS NULL OR c.group_id = $4)
    AND ($5::text[] IS NULL OR c.status = ANY($5))
    AND ($6::text IS NULL OR $6 = ANY(c.channels))
    AND ($7::text IS NULL
         OR ($7 = 'none' AND cardinality(c.assignees) = 0)
         OR ($7 = 'user' AND $8 = ANY(c.assignees)))
    AND ($9::bool IS NULL
         OR (c.last_inbound_position > coalesce(
               (SELECT r.read_position FROM rm_inbox.reads r
                WHERE r.tenant_id = c.tenant_id AND r.conversation_id = c.conversation_id
                  AND r.user_id = $2), 0)) = $9)
    AND ($10::bool IS NULL OR (c.unreplied_count > 0) = $10)
    AND ($11::text IS NULL
         OR c.search_text LIKE $11 ESCAPE '\'
         OR EXISTS (SELECT FROM rm_inbox.contacts ct
                    WHERE ct.tenant_id = c.tenant_id AND ct.contact_id = c.contact_id
                      AND lower(ct.name) LIKE $11 ESCAPE '\'))
    AND ($12::bigint IS NULL OR (c.last_activity_position, c.conversation_id) < ($12, $13))
  ORDER BY c.last_activity_position DESC, c.conversation_id DESC
  LIMIT $14
)
