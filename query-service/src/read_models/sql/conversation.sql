-- One conversation by its key ($4) as the viewer ($2; $3 sees all) may see it, after
-- `summary_columns.sql`.
FROM rm_inbox.conversations c
LEFT JOIN rm_inbox.contacts ct
       ON ct.tenant_id = c.tenant_id AND ct.contact_id = c.contact_id
LEFT JOIN rm_inbox.reads r
       ON r.tenant_id = c.tenant_id AND r.conversation_id = c.conversation_id AND r.user_id = $2
WHERE c.tenant_id = $1 AND c.conversation_id = $4
  AND (c.visible_to IS NULL OR $2 = ANY(c.visible_to) OR $3)
