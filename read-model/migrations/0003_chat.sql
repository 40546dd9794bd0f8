-- The internal chat's read model: channels and DMs, members with their preferences and
-- read marks, messages with reactions and cards, and each user's notification bell.
-- Cards keep a reference only; what a card shows is resolved per viewer when read.
CREATE SCHEMA rm_chat;

CREATE TABLE rm_chat.checkpoint (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL
);
INSERT INTO rm_chat.checkpoint (position) VALUES (0);

CREATE TABLE rm_chat.tenant_positions (
    tenant_id uuid   PRIMARY KEY,
    position  bigint NOT NULL
);

CREATE TABLE rm_chat.channels (
    tenant_id             uuid        NOT NULL,
    channel_id            uuid        NOT NULL,
    -- public, private, announcement, direct
    kind                  text        NOT NULL,
    name                  text        NOT NULL,
    description           text,
    avatar                jsonb,
    owner                 uuid,
    authors               uuid[]      NOT NULL DEFAULT '{}',
    created_at            timestamptz NOT NULL,
    last_message_at       timestamptz,
    last_message_position bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, channel_id)
);

CREATE TABLE rm_chat.members (
    tenant_id          uuid        NOT NULL,
    channel_id         uuid        NOT NULL,
    user_id            uuid        NOT NULL,
    -- owner, admin, member
    role               text        NOT NULL,
    -- all, mentions, none
    level              text        NOT NULL DEFAULT 'all',
    muted              boolean     NOT NULL DEFAULT false,
    personal_note      text,
    joined_at          timestamptz NOT NULL,
    last_read_position bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, channel_id, user_id)
);
CREATE INDEX members_by_user ON rm_chat.members (tenant_id, user_id);

CREATE TABLE rm_chat.messages (
    tenant_id  uuid        NOT NULL,
    channel_id uuid        NOT NULL,
    message_id uuid        NOT NULL,
    author     uuid        NOT NULL,
    -- NULL once deleted.
    content    jsonb,
    mentions   uuid[]      NOT NULL DEFAULT '{}',
    card_id    uuid,
    posted_at  timestamptz NOT NULL,
    position   bigint      NOT NULL,
    deleted_at timestamptz,
    PRIMARY KEY (tenant_id, message_id)
);
CREATE INDEX messages_by_channel ON rm_chat.messages (tenant_id, channel_id, position DESC);

CREATE TABLE rm_chat.reactions (
    tenant_id  uuid   NOT NULL,
    message_id uuid   NOT NULL,
    user_id    uuid   NOT NULL,
    emoji      text   NOT NULL,
    position   bigint NOT NULL,
    PRIMARY KEY (tenant_id, message_id, user_id, emoji)
);

CREATE TABLE rm_chat.cards (
    tenant_id   uuid        NOT NULL,
    card_id     uuid        NOT NULL,
    channel_id  uuid        NOT NULL,
    entity_type text        NOT NULL,
    entity_id   text        NOT NULL,
    -- The integration types' own description; NULL for conversations and contacts.
    title       text,
    summary     text,
    url         text,
    shared_by   uuid        NOT NULL,
    shared_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, card_id)
);

-- Which notification types go to a user's bell and email: {mention, dm, announcement}
-- each {bell, email}. No row: the defaults (bell on, email off).
CREATE TABLE rm_chat.notification_preferences (
    tenant_id   uuid  NOT NULL,
    user_id     uuid  NOT NULL,
    preferences jsonb NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

-- One notification per user and message (its id is the message's).
CREATE TABLE rm_chat.notifications (
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    message_id uuid        NOT NULL,
    channel_id uuid        NOT NULL,
    -- mention, dm, announcement
    kind       text        NOT NULL,
    bell       boolean     NOT NULL,
    -- Waiting for an email sender (caselog records the wish; it sends no email).
    email      boolean     NOT NULL,
    at         timestamptz NOT NULL,
    position   bigint      NOT NULL,
    read_at    timestamptz,
    PRIMARY KEY (tenant_id, user_id, message_id)
);
CREATE INDEX notifications_by_user ON rm_chat.notifications (tenant_id, user_id, position DESC);
