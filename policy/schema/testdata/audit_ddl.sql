CREATE SCHEMA IF NOT EXISTS "softdelete";
CREATE TABLE IF NOT EXISTS "softdelete"."audit" (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    action     text NOT NULL CONSTRAINT "audit_action_check" CHECK (action IN ('delete', 'restore', 'forget', 'empty', 'purge', 'keep-until', 'hard delete')),
    table_name text NOT NULL,
    row_count  bigint NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}',
    keys       jsonb,
    reason     text,
    db_user    text
);
