-- The export-ready header of each case (contact, channels, status, assignees, period,
-- chain head), kept beside its timeline so an export reads one row and one range.
CREATE TABLE rm_history.cases (
    tenant_id       uuid   NOT NULL,
    conversation_id uuid   NOT NULL,
    stream_version  bigint NOT NULL,
    header          jsonb  NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);
