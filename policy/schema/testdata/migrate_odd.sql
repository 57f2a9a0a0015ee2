-- softdelete-proxy migrate: 16 statement(s) for database app.
-- Every statement is idempotent. Apply with: softdelete-proxy migrate --apply, or psql -f this file.

BEGIN;
SET LOCAL lock_timeout = '5s';   -- give up rather than queue production queries behind a lock

-- the columns the policy names (adding a nullable column or one with a constant default does not
-- rewrite the table)
ALTER TABLE "Sales"."Big Deals" ADD COLUMN IF NOT EXISTS "Deleted By" text;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   on each partition: CREATE INDEX CONCURRENTLY ON <partition> ("Deleted At") WHERE "Deleted At" IS NOT NULL; then:
--   CREATE INDEX IF NOT EXISTS "Big Deals_Deleted At_purge_idx" ON "Sales"."Big Deals" ("Deleted At") WHERE "Deleted At" IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS "Big Deals_Deleted At_purge_idx" ON "Sales"."Big Deals" ("Deleted At") WHERE "Deleted At" IS NOT NULL;

-- unique constraint "Big Deals_region_Code_key" (region, "Code") becomes a partial unique index of
-- live rows (same name, so errors still name it)
ALTER TABLE "Sales"."Big Deals" DROP CONSTRAINT IF EXISTS "Big Deals_region_Code_key";
CREATE UNIQUE INDEX IF NOT EXISTS "Big Deals_region_Code_key" ON "Sales"."Big Deals" USING btree (region, "Code") WHERE ("Deleted At" IS NULL);

-- the columns the policy names (adding a nullable column or one with a constant default does not
-- rewrite the table)
ALTER TABLE "Sales"."user" ADD COLUMN IF NOT EXISTS "Gone" timestamptz;
ALTER TABLE "Sales"."user" ADD COLUMN IF NOT EXISTS "Keep" boolean NOT NULL DEFAULT false;

-- the purger's partial index: only trashed rows, oldest first
CREATE INDEX IF NOT EXISTS "user_Gone_purge_idx" ON "Sales"."user" ("Gone") WHERE "Gone" IS NOT NULL;

-- unique constraint "user select key" ("select") becomes a partial unique index of live rows (same
-- name, so errors still name it)
ALTER TABLE "Sales"."user" DROP CONSTRAINT IF EXISTS "user select key";
CREATE UNIQUE INDEX IF NOT EXISTS "user select key" ON "Sales"."user" USING btree ("select") WHERE ("Gone" IS NULL);

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

-- refuse hard deletes of "Sales"."Big Deals" that are not marked as a purge or an allowed delete
-- forever
CREATE OR REPLACE TRIGGER softdelete_guard BEFORE DELETE ON "Sales"."Big Deals" FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
COMMENT ON TRIGGER softdelete_guard ON "Sales"."Big Deals" IS 'softdelete-proxy 352be5c2b282';

-- refuse hard deletes of "Sales"."user" that are not marked as a purge or an allowed delete forever
CREATE OR REPLACE TRIGGER softdelete_guard BEFORE DELETE ON "Sales"."user" FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
COMMENT ON TRIGGER softdelete_guard ON "Sales"."user" IS 'softdelete-proxy 65aa9ba13aa7';

COMMIT;
