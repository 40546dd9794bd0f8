-- The read models. Each projection owns one schema (rm_<name>) holding its tables and its
-- checkpoint, so a rebuild can fill rm_<name>_next from the log and swap the schemas in
-- one transaction. Projector SQL names tables without a schema; the runner sets
-- search_path to the schema it writes.

CREATE TABLE projections.dead_letters (
    projection   text        NOT NULL,
    position     bigint      NOT NULL,
    event_id     uuid        NOT NULL,
    tenant_id    uuid        NOT NULL,
    event_type   text        NOT NULL,
    attempts     integer     NOT NULL,
    error        text        NOT NULL,
    envelope     jsonb       NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, position)
);

-- ---------------------------------------------------------------- inbox
CREATE SCHEMA rm_inbox;

CREATE TABLE rm_inbox.checkpoint (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL
);
INSERT INTO rm_inbox.checkpoint (position) VALUES (0);

-- The newest position applied per tenant: the read model's version, which keys the
-- query cache.
CREATE TABLE rm_inbox.tenant_positions (
    tenant_id uuid   PRIMARY KEY,
    position  bigint NOT NULL
);

CREATE TABLE rm_inbox.conversations (
    tenant_id              uuid        NOT NULL,
    conversation_id        uuid        NOT NULL,
    contact_id             uuid        NOT NULL,
    group_id               uuid,
    channels               text[]      NOT NULL,
    status                 text        NOT NULL,
    assignees              uuid[]      NOT NULL,
    -- NULL: everyone may see it.
    visible_to             uuid[],
    started_at             timestamptz NOT NULL,
    first_inbound_at       timestamptz,
    first_response_seconds bigint,
    closed_at              timestamptz,
    last_activity_at       timestamptz NOT NULL,
    last_activity_position bigint      NOT NULL,
    -- Inbound messages since the last human reply.
    unreplied_count        integer     NOT NULL DEFAULT 0,
    last_inbound_position  bigint      NOT NULL DEFAULT 0,
    message_count          integer     NOT NULL DEFAULT 0,
    topic                  text,
    rating                 smallint,
    rating_comment         text,
    -- Message text for search, lower-cased and bounded.
    search_text            text        NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, conversation_id)
);

CREATE INDEX conversations_activity_idx
    ON rm_inbox.conversations (tenant_id, last_activity_position DESC);
CREATE INDEX conversations_assignees_idx
    ON rm_inbox.conversations USING gin (assignees);

-- Each user's read mark per conversation.
CREATE TABLE rm_inbox.reads (
    tenant_id       uuid   NOT NULL,
    conversation_id uuid   NOT NULL,
    user_id         uuid   NOT NULL,
    read_position   bigint NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, user_id)
);

CREATE TABLE rm_inbox.contacts (
    tenant_id  uuid NOT NULL,
    contact_id uuid NOT NULL,
    name       text NOT NULL,
    PRIMARY KEY (tenant_id, contact_id)
);

-- ---------------------------------------------------------------- history
CREATE SCHEMA rm_history;

CREATE TABLE rm_history.checkpoint (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL
);
INSERT INTO rm_history.checkpoint (position) VALUES (0);

CREATE TABLE rm_history.tenant_positions (
    tenant_id uuid   PRIMARY KEY,
    position  bigint NOT NULL
);

-- Who may see each conversation (the history's own copy, at its own position).
CREATE TABLE rm_history.conversation_access (
    tenant_id       uuid    NOT NULL,
    conversation_id uuid    NOT NULL,
    visible_to      uuid[],
    deleted         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, conversation_id)
);

CREATE TABLE rm_history.entries (
    tenant_id       uuid        NOT NULL,
    conversation_id uuid        NOT NULL,
    position        bigint      NOT NULL,
    stream_version  bigint      NOT NULL,
    at              timestamptz NOT NULL,
    actor           jsonb       NOT NULL,
    kind            text        NOT NULL,
    data            jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, position)
);

-- ---------------------------------------------------------------- internal messages
CREATE SCHEMA rm_internal_messages;

CREATE TABLE rm_internal_messages.checkpoint (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL
);
INSERT INTO rm_internal_messages.checkpoint (position) VALUES (0);

CREATE TABLE rm_internal_messages.tenant_positions (
    tenant_id uuid   PRIMARY KEY,
    position  bigint NOT NULL
);

CREATE TABLE rm_internal_messages.conversation_access (
    tenant_id       uuid    NOT NULL,
    conversation_id uuid    NOT NULL,
    visible_to      uuid[],
    deleted         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, conversation_id)
);

CREATE TABLE rm_internal_messages.internal_messages (
    tenant_id           uuid        NOT NULL,
    conversation_id     uuid        NOT NULL,
    internal_message_id uuid        NOT NULL,
    from_user           uuid        NOT NULL,
    to_user             uuid        NOT NULL,
    text                text        NOT NULL,
    in_reply_to         uuid,
    sent_at             timestamptz NOT NULL,
    position            bigint      NOT NULL,
    read_at             timestamptz,
    PRIMARY KEY (tenant_id, internal_message_id)
);

CREATE INDEX internal_messages_conversation_idx
    ON rm_internal_messages.internal_messages (tenant_id, conversation_id, position);

-- ---------------------------------------------------------------- directory
CREATE SCHEMA rm_directory;

CREATE TABLE rm_directory.checkpoint (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL
);
INSERT INTO rm_directory.checkpoint (position) VALUES (0);

CREATE TABLE rm_directory.tenant_positions (
    tenant_id uuid   PRIMARY KEY,
    position  bigint NOT NULL
);

CREATE TABLE rm_directory.users (
    tenant_id uuid   NOT NULL,
    user_id   uuid   NOT NULL,
    name      text   NOT NULL,
    email     text   NOT NULL,
    role      text   NOT NULL,
    groups    uuid[] NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE rm_directory.groups (
    tenant_id uuid NOT NULL,
    group_id  uuid NOT NULL,
    name      text NOT NULL,
    PRIMARY KEY (tenant_id, group_id)
);

CREATE TABLE rm_directory.contacts (
    tenant_id   uuid   NOT NULL,
    contact_id  uuid   NOT NULL,
    name        text   NOT NULL,
    firstname   text,
    lastname    text,
    email       text,
    phone       text,
    country     text,
    group_id    uuid,
    auto_assign uuid[] NOT NULL DEFAULT '{}',
    visible_to  uuid[],
    PRIMARY KEY (tenant_id, contact_id)
);

CREATE TABLE rm_directory.snippets (
    tenant_id  uuid NOT NULL,
    snippet_id uuid NOT NULL,
    name       text NOT NULL,
    text       text NOT NULL,
    theme      text,
    PRIMARY KEY (tenant_id, snippet_id)
);

CREATE TABLE rm_directory.settings (
    tenant_id uuid  PRIMARY KEY,
    settings  jsonb NOT NULL
);
