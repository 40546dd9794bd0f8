-- The tenant's files library: what agents list and attach. An uploaded file's bytes
-- are in the log's object store, named by `sha256`; a linked one is at `url`.
CREATE TABLE rm_directory.files (
    tenant_id  uuid   NOT NULL,
    file_id    uuid   NOT NULL,
    name       text   NOT NULL,
    media_type text   NOT NULL,
    size_bytes bigint NOT NULL,
    url        text,
    sha256     text,
    PRIMARY KEY (tenant_id, file_id)
);
