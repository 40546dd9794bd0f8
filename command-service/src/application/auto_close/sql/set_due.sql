INSERT INTO commands.auto_close_due (tenant_id, conversation_id, resolved_version, due_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant_id, conversation_id)
DO UPDATE SET resolved_version = EXCLUDED.resolved_version, due_at = EXCLUDED.due_at
