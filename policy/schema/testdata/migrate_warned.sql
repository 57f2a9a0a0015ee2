-- softdelete-proxy migrate: 1 statement(s) for database app.
-- Every statement is idempotent. Apply with: softdelete-proxy migrate --apply, or psql -f this file.
--
-- NOTE: public.contacts: 3 unique constraint(s) or index(es) also count trashed rows; --unique
-- turns them into partial unique indexes (see check)
--
-- NOTE: public.orgs: 1 unique constraint(s) or index(es) also count trashed rows; --unique turns
-- them into partial unique indexes (see check)

BEGIN;
SET LOCAL lock_timeout = '5s';   -- give up rather than queue production queries behind a lock

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS contacts_deleted_at_purge_idx ON public.contacts (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS contacts_deleted_at_purge_idx ON public.contacts (deleted_at) WHERE deleted_at IS NOT NULL;

COMMIT;
