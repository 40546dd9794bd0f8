-- The files library's uploaded objects: the bytes of a file a tenant's managers
-- uploaded, by its id, with their SHA-256. Written once, never changed: the
-- directory's `FileAdded` event names the object by its hash, and removing a file
-- from the library leaves its bytes, as the log keeps its events.
CREATE TABLE eventlog.file_objects (
    tenant_id  uuid        NOT NULL,
    file_id    uuid        NOT NULL,
    sha256     text        NOT NULL,
    content    bytea       NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, file_id)
);
