-- The page's rows, newest activity first (after `summary_columns.sql`).
FROM page c
LEFT JOIN rm_inbox.contacts ct
       ON ct.tenant_id = c.tenant_id AND ct.contact_id = c.contact_id
LEFT JOIN rm_inbox.reads r
       ON r.tenant_id = c.tenant_id AND r.conversation_id = c.conversation_id AND r.user_id = $2
ORDER BY c.last_activity_position DESC, c.conversation_id DESC
