-- Data keys are stored wrapped by a key-encryption key (KEK) that never reaches
-- Postgres (erasure/kek.rs): `kek_id` names the KEK that wrapped the key, and a row
-- without one holds a key stored before wrapping, until `command-service rewrap-keys`
-- wraps it.
ALTER TABLE eventlog.stream_keys ADD COLUMN kek_id text;
ALTER TABLE eventlog.stream_keys DROP CONSTRAINT stream_keys_key_check;
ALTER TABLE eventlog.stream_keys ADD CONSTRAINT stream_keys_key_shape CHECK (
    key IS NULL
    OR (kek_id IS NULL AND octet_length(key) = 32)
    -- nonce (12) + wrapped key (32) + tag (16)
    OR (kek_id IS NOT NULL AND octet_length(key) = 60)
);
