-- softdelete-proxy migrate: 16 statement(s) for database app.
-- Every statement is idempotent. Apply with: softdelete-proxy migrate --apply, or psql -f this file.
--
-- NOTE: audit table softdelete.audit lacks column(s) action, table_name, row_count, detail.
-- It was not made by migrate: rename it and let softdelete-proxy migrate --apply create a new one.
--
-- NOTE: public.naive: column deleted_at is timestamp without time zone; it must be timestamptz:
-- now() and retention arithmetic would shift with the session's TimeZone.
-- Fix it by hand, then run migrate again:
--   ALTER TABLE public.naive ALTER COLUMN deleted_at TYPE timestamptz USING deleted_at AT TIME ZONE 'UTC';   -- use the zone the values were written in; rewrites the table under an ACCESS EXCLUSIVE lock
--
-- NOTE: public.typed: column deleted_at is text; the soft-delete column must be timestamptz.
-- Fix it by hand: use a timestamptz column (NULL = live row).
--
-- NOTE: public.typed: column who (deleted_by_column) is integer; it must be text (or varchar).
-- Fix it by hand: use a text column.
--
-- NOTE: public.typed: column hold (hold_column) is text; it must be boolean.
-- Fix it by hand: use a boolean column.
--
-- NOTE: public.looks_like_a_table is a view, not a table: nothing done for it
--
-- NOTE: public.missing does not exist: create it first (or remove it from the policy); nothing done
-- for it

BEGIN;
SET LOCAL lock_timeout = '5s';   -- give up rather than queue production queries behind a lock

-- the columns the policy names (adding a nullable column or one with a constant default does not
-- rewrite the table)
ALTER TABLE public.bare ADD COLUMN IF NOT EXISTS deleted_at timestamptz;
ALTER TABLE public.bare ADD COLUMN IF NOT EXISTS deleted_by text;
ALTER TABLE public.bare ADD COLUMN IF NOT EXISTS deleted_reason text;
ALTER TABLE public.bare ADD COLUMN IF NOT EXISTS legal_hold boolean NOT NULL DEFAULT false;

-- the purger's partial index: only trashed rows, oldest first
CREATE INDEX IF NOT EXISTS bare_deleted_at_purge_idx ON public.bare (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS strict_deleted_at_purge_idx ON public.strict (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS strict_deleted_at_purge_idx ON public.strict (deleted_at) WHERE deleted_at IS NOT NULL;

-- the guard function: refuses hard deletes unless softdelete.purging or softdelete.hard_delete is
-- 'on' in the transaction (SET LOCAL)
CREATE OR REPLACE FUNCTION softdelete.guard_hard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('softdelete.purging', true) = 'on'
       OR current_setting('softdelete.hard_delete', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'hard delete from %.% refused: its rows are soft-deleted', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = '42501',
              HINT = 'Delete through softdelete-proxy, which moves rows to the trash. To delete for good, '
                     'run SET LOCAL softdelete.hard_delete = ''on'' first in the same transaction.';
END
$$;
COMMENT ON FUNCTION softdelete.guard_hard_delete() IS 'softdelete-proxy 8f9370e4fe04';

-- refuse hard deletes of public.naive that are not marked as a purge or an allowed delete forever
CREATE OR REPLACE TRIGGER softdelete_guard BEFORE DELETE ON public.naive FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
COMMENT ON TRIGGER softdelete_guard ON public.naive IS 'softdelete-proxy bb6cb9237b19';

-- refuse hard deletes of public.bare that are not marked as a purge or an allowed delete forever
CREATE OR REPLACE TRIGGER softdelete_guard BEFORE DELETE ON public.bare FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
COMMENT ON TRIGGER softdelete_guard ON public.bare IS 'softdelete-proxy bf5ac887cbd8';

-- refuse hard deletes of public.typed that are not marked as a purge or an allowed delete forever
CREATE OR REPLACE TRIGGER softdelete_guard BEFORE DELETE ON public.typed FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
COMMENT ON TRIGGER softdelete_guard ON public.typed IS 'softdelete-proxy a1be4ff155a6';

-- refuse hard deletes of public.strict that are not marked as a purge or an allowed delete forever
CREATE OR REPLACE TRIGGER softdelete_guard BEFORE DELETE ON public.strict FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
COMMENT ON TRIGGER softdelete_guard ON public.strict IS 'softdelete-proxy 69f9b053e2cf';

COMMIT;
