-- The conversations the viewer may see ($2, $3: sees all) in the groups their team
-- inbox shows ($4: every group) that changed after $5, oldest change first, $6 at most.
-- (After `summary_columns.sql`.)
     , c.updated_position
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
