-- Who read what (README "Who looked"): the records live in `access` streams; an
-- auditor lists a tenant's in log order.
CREATE INDEX events_access_idx ON eventlog.events (tenant_id, position)
    WHERE stream_type = 'access';
