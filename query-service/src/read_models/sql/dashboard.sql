-- The dashboard's counters over the conversations the viewer may see ($2, $3); the
-- groups' over those the team inbox shows the viewer (unless $5, every group: the
-- viewer's groups, the ungrouped, those assigned to the viewer); $4: one group (NULL:
-- every group in scope). One row per group (NULL: the ungrouped); the caller sums
-- them. Each count is the length (or the unreplied sum) of the list its tile opens.
WITH scope AS (
  SELECT coalesce((SELECT g.groups FROM rm_inbox.user_groups g
                   WHERE g.tenant_id = $1 AND g.user_id = $2), '{}') AS groups
)
SELECT
  c.group_id,
  count(*) FILTER (WHERE mine AND c.status <> 'closed') AS mine_assigned,
  coalesce(sum(c.unreplied_count) FILTER (WHERE mine AND c.status <> 'closed'), 0)
      AS mine_unreplied,
  count(*) FILTER (WHERE mine AND c.status <> 'closed' AND c.unreplied_count > 0)
      AS mine_unreplied_conversations,
  count(*) FILTER (WHERE in_scope AND c.status = 'open' AND cardinality(c.assignees) = 0)
      AS unassigned,
  coalesce(sum(c.unreplied_count) FILTER (WHERE in_scope AND c.status <> 'closed'), 0)
      AS unreplied,
  count(*) FILTER (WHERE in_scope AND c.status <> 'closed' AND c.unreplied_count > 0)
      AS unreplied_conversations,
  count(*) FILTER (WHERE in_scope AND c.status = 'open') AS open
FROM rm_inbox.conversations c
CROSS JOIN scope
CROSS JOIN LATERAL (
  SELECT $2 = ANY(c.assignees) AS mine,
         ($4::uuid IS NULL OR c.group_id = $4)
         AND ($5 OR c.group_id IS NULL OR $2 = ANY(c.assignees)
              OR c.group_id = ANY(scope.groups)) AS in_scope
) s
WHERE c.tenant_id = $1
  AND (c.visible_to IS NULL OR $2 = ANY(c.visible_to) OR $3)
GROUP BY c.group_id
