-- The dashboard's counters over the conversations the viewer may see ($2, $3);
-- $4: the group (NULL: every group).
SELECT
  count(*) FILTER (WHERE $2 = ANY(assignees) AND status <> 'closed') AS mine_assigned,
  coalesce(sum(unreplied_count) FILTER (WHERE $2 = ANY(assignees) AND status <> 'closed'), 0)
      AS mine_unreplied,
  count(*) FILTER (WHERE ($4::uuid IS NULL OR group_id = $4)
                     AND status = 'open' AND cardinality(assignees) = 0) AS group_unassigned,
  coalesce(sum(unreplied_count) FILTER (WHERE ($4::uuid IS NULL OR group_id = $4)
                                          AND status <> 'closed'), 0) AS group_unreplied,
  count(*) FILTER (WHERE ($4::uuid IS NULL OR group_id = $4) AND status = 'open') AS group_open
FROM rm_inbox.conversations
WHERE tenant_id = $1
  AND (visible_to IS NULL OR $2 = ANY(visible_to) OR $3)
