-- One row per rebuild swapped in. A rebuild can change what a read model says without
-- moving its positions (a dead letter applied after a fix), so readers that cache by
-- position (the query service) drop their caches when a row appears here.
CREATE TABLE projections.rebuilds (
    projection  text        NOT NULL,
    position    bigint      NOT NULL,
    swapped_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
