-- Bulk exports (README "For auditors"): one row per requested export of a tenant's
-- cases for a period, its progress while it runs and the ZIP once done. Kept in
-- Postgres so any query-service instance answers for it.
CREATE SCHEMA exports;

CREATE TABLE exports.jobs (
    export_id    uuid        PRIMARY KEY,
    tenant_id    uuid        NOT NULL,
    requested_by uuid        NOT NULL,
    period_from  timestamptz NOT NULL,
    period_to    timestamptz NOT NULL,
    kind         text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    cases_total  integer     NOT NULL DEFAULT 0,
    cases_done   integer     NOT NULL DEFAULT 0,
    error        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    zip          bytea,
    zip_sha256   text,
    zip_bytes    bigint
);

CREATE INDEX jobs_tenant_idx ON exports.jobs (tenant_id, created_at);
