-- Crypto-shredding (README "Erasure"): the key that seals a stream's personal fields.
-- Erasing a stream sets `key` to NULL in the transaction that appends the erasing
-- event; the row stays as a tombstone so the stream never gets a new key.
--
-- A destroyed key may linger in Postgres's own storage (dead row versions until
-- vacuum, WAL, backups) for as long as those are kept: see the README.
CREATE TABLE eventlog.stream_keys (
    tenant_id    uuid        NOT NULL,
    stream_type  text        NOT NULL,
    stream_id    uuid        NOT NULL,
    key          bytea       CHECK (key IS NULL OR octet_length(key) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    erased_at    timestamptz,
    PRIMARY KEY (tenant_id, stream_type, stream_id),
    CONSTRAINT stream_keys_erased_has_no_key CHECK ((key IS NULL) = (erased_at IS NOT NULL))
);

COMMENT ON TABLE eventlog.stream_keys IS
    'caselog data keys per stream; key NULL = erased (crypto-shredded)';
