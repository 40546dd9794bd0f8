-- The waiting queue: open conversations with a customer message no human has answered,
-- oldest waiting first. Visibility: $2 viewer, $3 sees all; groups as the team inbox
-- ($4: every group); $5 one group; $6 only the unassigned; after ($7, $8); $9 a page.
-- (After `summary_columns.sql`.)
     , greatest(extract(epoch FROM now() - c.waiting_since), 0)::bigint AS waiting_seconds
FROM rm_inbox.conversations c
LEFT JOIN rm_inbox.contacts ct
       ON ct.tenant_id = c.tenant_id AND ct.contact_id = c.contact_id
LEFT JOIN rm_inbox.reads r
       ON r.tenant_id = c.tenant_id AND r.conversation_id = c.conversation_id AND r.user_id = $2
WHERE c.tenant_id = $1
  AND c.status = 'open'
  AND c.waiting_since IS NOT NULL
  AND (c.visible_to IS NULL OR $2 = ANY(c.visible_to) OR $3)
  AND ($4 OR c.group_id IS NULL OR $2 = ANY(c.assignees)
       OR c.group_id = ANY(coalesce((SELECT g.groups FROM rm_inbox.user_groups g
                                     WHERE g.tenant_id = $1 AND g.user_id = $2), '{}')))
  AND ($5::uuid IS NULL OR c.group_id = $5)
  AND (NOT $6 OR cardinality(c.assignees) = 0)
  AND ($7::timestamptz IS NULL OR (c.waiting_since, c.conversation_id) > ($7, $8))
ORDER BY c.waiting_since, c.conversation_id
LIMIT $9
