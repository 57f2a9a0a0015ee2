-- softdelete-proxy migrate: 41 statement(s) for database app.
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

-- the schema of the functions softdelete-proxy installs
CREATE SCHEMA IF NOT EXISTS softdelete;

-- the guard's functions call each other by name, as whichever role the session runs as
GRANT USAGE ON SCHEMA softdelete TO PUBLIC;

-- the guard's membership test: is session_user, through GRANTs, one of these roles (superusers
-- included only when granted)
CREATE OR REPLACE FUNCTION softdelete.session_user_granted(oid[]) RETURNS boolean LANGUAGE sql STABLE
RETURN EXISTS (
    WITH RECURSIVE m(r) AS (
        SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user
        UNION
        SELECT a.roleid FROM pg_catalog.pg_auth_members a JOIN m ON a.member = m.r
    )
    SELECT 1 FROM m WHERE m.r = ANY ($1));
COMMENT ON FUNCTION softdelete.session_user_granted(oid[]) IS 'softdelete-proxy <fingerprint>';

-- the guard's test for deleting trashed rows for good: session_user is a member of
-- softdelete_purger (roles.purge) or of a roles.hard_delete role (none configured)
CREATE OR REPLACE FUNCTION softdelete.may_hard_delete() RETURNS boolean LANGUAGE sql STABLE
RETURN CASE WHEN pg_catalog.current_setting('role') = 'none' AND pg_catalog.current_setting('is_superuser') = 'off'
       THEN coalesce(pg_catalog.pg_has_role(session_user, pg_catalog.to_regrole('softdelete_purger'), 'MEMBER'), false)
       ELSE softdelete.session_user_granted(ARRAY[pg_catalog.to_regrole('softdelete_purger')]::oid[])
  END;
COMMENT ON FUNCTION softdelete.may_hard_delete() IS 'softdelete-proxy <fingerprint>';

-- the guard's test for TRUNCATE of a table with on_truncate: hard: session_user is a member of a
-- roles.hard_delete role (none configured)
CREATE OR REPLACE FUNCTION softdelete.may_truncate() RETURNS boolean LANGUAGE sql STABLE
RETURN false;
COMMENT ON FUNCTION softdelete.may_truncate() IS 'softdelete-proxy <fingerprint>';

-- the guard's check of a DELETE statement's rows, and its error (SQLSTATE 42501)
CREATE OR REPLACE FUNCTION softdelete.check_hard_delete() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tbl text := quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME);
    total bigint;
    live bigint;
BEGIN
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE %I IS NULL) FROM softdelete_deleted', TG_ARGV[0]) INTO total, live;
    IF live > 0 THEN
        RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            MESSAGE = format('hard delete of a live row of %s refused: its rows are soft-deleted (%s of the %s rows deleted were live)', tbl, live, total),
            HINT = format('Delete it through softdelete-proxy, which moves it to the trash, or trash it yourself: '
                          'UPDATE %s SET %I = now() WHERE .... Trashed rows are deleted for good by the purger, '
                          'trash forget and trash empty.', tbl, TG_ARGV[0]);
    END IF;
    IF total > 0 AND NOT softdelete.may_hard_delete() THEN
        RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            MESSAGE = format('hard delete of a trashed row of %s refused: session user %s is not a member of role softdelete_purger or of a roles.hard_delete role (none configured)', tbl, quote_ident(session_user)),
            HINT = 'The purger deletes trashed rows once their retention has passed. To delete them sooner, run trash forget or trash empty as a member of softdelete_purger (GRANT softdelete_purger TO <login role>) or of a roles.hard_delete role.';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.check_hard_delete() IS 'softdelete-proxy <fingerprint>';

-- the guard's error for a row it refuses (SQLSTATE 42501)
CREATE OR REPLACE FUNCTION softdelete.refuse_hard_delete() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tbl text := quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME);
BEGIN
    IF (to_jsonb(OLD) ->> TG_ARGV[0]) IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            MESSAGE = format('hard delete of a live row of %s refused: its rows are soft-deleted', tbl),
            HINT = format('Delete it through softdelete-proxy, which moves it to the trash, or trash it yourself: '
                          'UPDATE %s SET %I = now() WHERE .... Trashed rows are deleted for good by the purger, '
                          'trash forget and trash empty.', tbl, TG_ARGV[0]);
    END IF;
    RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
        MESSAGE = format('hard delete of a trashed row of %s refused: session user %s is not a member of role softdelete_purger or of a roles.hard_delete role (none configured)', tbl, quote_ident(session_user)),
        HINT = 'The purger deletes trashed rows once their retention has passed. To delete them sooner, run trash forget or trash empty as a member of softdelete_purger (GRANT softdelete_purger TO <login role>) or of a roles.hard_delete role.';
END
$$;
COMMENT ON FUNCTION softdelete.refuse_hard_delete() IS 'softdelete-proxy <fingerprint>';

-- the guard's decision on TRUNCATE, and its error (SQLSTATE 42501)
CREATE OR REPLACE FUNCTION softdelete.refuse_truncate() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tbl text := quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME);
BEGIN
    IF TG_ARGV[0] = 'hard' THEN
        IF softdelete.may_truncate() THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            MESSAGE = format('TRUNCATE of %s refused: session user %s is not a member of a roles.hard_delete role (none configured), which on_truncate: hard requires', tbl, quote_ident(session_user)),
            HINT = 'Delete through softdelete-proxy to trash the rows, or TRUNCATE as a member of a roles.hard_delete role.';
    END IF;
    RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
        MESSAGE = format('TRUNCATE of %s refused: its rows are soft-deleted (on_truncate: %s)', tbl, TG_ARGV[0]),
        HINT = 'Through softdelete-proxy, TRUNCATE is refused (on_truncate: deny) or trashes every row (soft). '
               'Trashed rows are deleted for good by the purger, trash forget and trash empty.';
END
$$;
COMMENT ON FUNCTION softdelete.refuse_truncate() IS 'softdelete-proxy <fingerprint>';

-- the error for a trash without DELETE or a restore without UPDATE on the table (PostgreSQL's own:
-- permission denied)
CREATE OR REPLACE FUNCTION softdelete.refuse_soft_delete() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format('permission denied for table %s', TG_ARGV[0]);
END
$$;
COMMENT ON FUNCTION softdelete.refuse_soft_delete() IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.contacts that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.contacts REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts needs DELETE on public.contacts, restoring it UPDATE, as
-- deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.contacts'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.contacts'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('contacts');
COMMENT ON TRIGGER softdelete_privilege ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- refuses TRUNCATE of public.contacts (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.contacts FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.orgs that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.orgs REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.orgs needs DELETE on public.orgs, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.orgs FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.orgs'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.orgs'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('orgs');
COMMENT ON TRIGGER softdelete_privilege ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- refuses TRUNCATE of public.orgs (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.orgs FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of crm.notes that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON crm.notes REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('removed_at');
COMMENT ON TRIGGER softdelete_guard ON crm.notes IS 'softdelete-proxy <fingerprint>';

-- trashing a row of crm.notes needs DELETE on crm.notes, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF removed_at ON crm.notes FOR EACH ROW WHEN ((OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('crm.notes'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.removed_at IS NOT NULL AND NEW.removed_at IS NULL AND NOT pg_catalog.has_table_privilege('crm.notes'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('notes');
COMMENT ON TRIGGER softdelete_privilege ON crm.notes IS 'softdelete-proxy <fingerprint>';

-- refuses TRUNCATE of crm.notes (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON crm.notes FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON crm.notes IS 'softdelete-proxy <fingerprint>';

-- the purge role (roles.purge): its members, such as the purger's login role, may delete trashed
-- rows for good
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'softdelete_purger') THEN
        CREATE ROLE softdelete_purger NOLOGIN;
    END IF;
END $$;

-- the purge role reaches the tables of schema public
GRANT USAGE ON SCHEMA public TO softdelete_purger;

-- what the purger needs on public.contacts: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.contacts TO softdelete_purger;

-- what the purger needs on public.orgs: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at, deleted_by, deleted_reason) ON public.orgs TO softdelete_purger;

-- the purge role reaches the tables of schema crm
GRANT USAGE ON SCHEMA crm TO softdelete_purger;

-- what the purger needs on crm.notes: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (removed_at) ON crm.notes TO softdelete_purger;

COMMIT;
