-- The command service's own state: when each resolved conversation is due to close.
-- Kept in Postgres so the auto-close timer survives restarts and runs on one instance
-- at a time per row (FOR UPDATE SKIP LOCKED).

CREATE TABLE commands.auto_close_due (
    tenant_id        uuid        NOT NULL,
    conversation_id  uuid        NOT NULL,
    -- The stream version of the ConversationResolved event the timer was set for.
    resolved_version bigint      NOT NULL,
    due_at           timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);

CREATE INDEX auto_close_due_at_idx ON commands.auto_close_due (due_at);

-- How far the scheduler has followed the log (one row).
CREATE TABLE commands.auto_close_checkpoint (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position   bigint  NOT NULL
);

INSERT INTO commands.auto_close_checkpoint (position) VALUES (0);
