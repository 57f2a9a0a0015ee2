-- softdelete-proxy migrate: 16 statement(s) for database app.
-- Every statement is idempotent. Apply with: softdelete-proxy migrate --apply, or psql -f this file.
--
-- NOTE: public.orgs: unique constraint orgs_handle_key (handle) left as it is: it is referenced by
-- foreign key contacts_org_handle_fkey on public.contacts, and a partial unique index cannot back a
-- foreign key

BEGIN;
SET LOCAL lock_timeout = '5s';   -- give up rather than queue production queries behind a lock

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS contacts_deleted_at_purge_idx ON public.contacts (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS contacts_deleted_at_purge_idx ON public.contacts (deleted_at) WHERE deleted_at IS NOT NULL;

-- unique index contacts_code_idx (lower(code)) becomes a partial unique index of live rows (same
-- name, so errors still name it)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('public.contacts_code_idx') AND indpred IS NULL) THEN
        DROP INDEX public.contacts_code_idx;
    END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS contacts_code_idx ON public.contacts USING btree (lower(code)) WHERE (deleted_at IS NULL);

-- unique constraint contacts_email_key (email) becomes a partial unique index of live rows (same
-- name, so errors still name it)
ALTER TABLE public.contacts DROP CONSTRAINT IF EXISTS contacts_email_key;
CREATE UNIQUE INDEX IF NOT EXISTS contacts_email_key ON public.contacts USING btree (email) WHERE (deleted_at IS NULL);

-- unique index contacts_nick_idx (nick) becomes a partial unique index of live rows (same name, so
-- errors still name it)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('public.contacts_nick_idx') AND pg_get_expr(indpred, indrelid) = '(nick <> ''''::text)') THEN
        DROP INDEX public.contacts_nick_idx;
    END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS contacts_nick_idx ON public.contacts USING btree (nick) WHERE ((nick <> ''::text) AND (deleted_at IS NULL));

-- the schema of the functions softdelete-proxy installs
CREATE SCHEMA IF NOT EXISTS softdelete;

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

-- refuse hard deletes of public.contacts that are not marked as a purge or an allowed delete
-- forever
CREATE OR REPLACE TRIGGER softdelete_guard BEFORE DELETE ON public.contacts FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
COMMENT ON TRIGGER softdelete_guard ON public.contacts IS 'softdelete-proxy 7e4d2af6e140';

-- refuse hard deletes of public.orgs that are not marked as a purge or an allowed delete forever
CREATE OR REPLACE TRIGGER softdelete_guard BEFORE DELETE ON public.orgs FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
COMMENT ON TRIGGER softdelete_guard ON public.orgs IS 'softdelete-proxy 208194c9a0f3';

-- refuse hard deletes of crm.notes that are not marked as a purge or an allowed delete forever
CREATE OR REPLACE TRIGGER softdelete_guard BEFORE DELETE ON crm.notes FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
COMMENT ON TRIGGER softdelete_guard ON crm.notes IS 'softdelete-proxy 2307fd11f4d7';

COMMIT;
