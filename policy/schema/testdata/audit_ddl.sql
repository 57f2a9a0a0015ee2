CREATE SCHEMA IF NOT EXISTS "softdelete";
CREATE TABLE IF NOT EXISTS "softdelete"."audit" (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    action     text NOT NULL CHECK (action IN ('restore', 'forget', 'empty', 'purge')),
    table_name text NOT NULL,
    row_count  bigint NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}'
);
