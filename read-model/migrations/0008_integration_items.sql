-- The items integrations register (deals, tasks, products, charges, calendar events,
-- broadcasts, campaigns): what their cards show, and who may open them
-- (`{users, groups, roles}`; all empty: every staff member).
CREATE TABLE rm_directory.items (
    tenant_id   uuid  NOT NULL,
    entity_type text  NOT NULL,
    entity_id   text  NOT NULL,
    item_id     uuid  NOT NULL,
    title       text  NOT NULL,
    summary     text,
    url         text  NOT NULL,
    access      jsonb NOT NULL,
    PRIMARY KEY (tenant_id, entity_type, entity_id)
);
CREATE UNIQUE INDEX items_by_stream ON rm_directory.items (tenant_id, item_id);
