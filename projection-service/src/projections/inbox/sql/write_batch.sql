-- The inbox's batch: read marks, contact names, users' groups, unread internal
-- messages (a NULL recipient: read) and whole conversation rows, each written once.
WITH marks AS (
  INSERT INTO reads (tenant_id, conversation_id, user_id, read_position)
  SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[])
  ON CONFLICT (tenant_id, conversation_id, user_id)
  DO UPDATE SET read_position = greatest(reads.read_position, EXCLUDED.read_position)),
names AS (
  INSERT INTO contacts (tenant_id, contact_id, name)
  SELECT * FROM unnest($6::uuid[], $7::uuid[], $8::text[])
  ON CONFLICT (tenant_id, contact_id) DO UPDATE SET name = EXCLUDED.name),
memberships AS (
  INSERT INTO user_groups (tenant_id, user_id, groups)
  SELECT t, u, ARRAY(SELECT jsonb_array_elements_text(g)::uuid)
  FROM unnest($9::uuid[], $10::uuid[], $11::jsonb[]) AS m(t, u, g)
  ON CONFLICT (tenant_id, user_id) DO UPDATE SET groups = EXCLUDED.groups),
internal_read AS (
  DELETE FROM unread_internal u
  USING unnest($12::uuid[], $13::uuid[], $14::uuid[], $15::uuid[]) AS m(t, c, id, recipient)
  WHERE m.recipient IS NULL
    AND u.tenant_id = m.t AND u.conversation_id = m.c AND u.internal_message_id = m.id),
internal_sent AS (
  INSERT INTO unread_internal (tenant_id, conversation_id, internal_message_id, recipient)
  SELECT t, c, id, recipient
  FROM unnest($12::uuid[], $13::uuid[], $14::uuid[], $15::uuid[]) AS m(t, c, id, recipient)
  WHERE recipient IS NOT NULL
  ON CONFLICT DO NOTHING)
INSERT INTO conversations SELECT * FROM jsonb_populate_recordset(NULL::conversations, $1)
ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET
  contact_id = EXCLUDED.contact_id, group_id = EXCLUDED.group_id,
  channels = EXCLUDED.channels, status = EXCLUDED.status,
  assignees = EXCLUDED.assignees, visible_to = EXCLUDED.visible_to,
  started_at = EXCLUDED.started_at, first_inbound_at = EXCLUDED.first_inbound_at,
  first_response_seconds = EXCLUDED.first_response_seconds,
  closed_at = EXCLUDED.closed_at, last_activity_at = EXCLUDED.last_activity_at,
  last_activity_position = EXCLUDED.last_activity_position,
  unreplied_count = EXCLUDED.unreplied_count,
  last_inbound_position = EXCLUDED.last_inbound_position,
  message_count = EXCLUDED.message_count, topic = EXCLUDED.topic,
  rating = EXCLUDED.rating, rating_comment = EXCLUDED.rating_comment,
  search_text = EXCLUDED.search_text, accepted_by = EXCLUDED.accepted_by,
  waiting_since = EXCLUDED.waiting_since, bot_active = EXCLUDED.bot_active,
  updated_position = EXCLUDED.updated_position,
  previous_conversation_id = EXCLUDED.previous_conversation_id,
  previous_agent = EXCLUDED.previous_agent
