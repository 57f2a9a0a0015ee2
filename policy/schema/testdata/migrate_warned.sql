-- softdelete-proxy migrate: 104 statement(s) for database app.
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

-- what foreign key notes_contact_id_fkey of crm.notes (ON DELETE NO ACTION) does when a row of
-- public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_2f2f4c85_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    conname text := 'notes_contact_id_fkey';
BEGIN
    IF EXISTS (SELECT 1 FROM ONLY public.contacts y WHERE y.id = OLD.id AND y.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ONLY crm.notes x WHERE OLD.id = x.contact_id AND x.removed_at IS NULL) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'crm', TABLE = 'notes', CONSTRAINT = conname,
        MESSAGE = 'update or delete on table "' || TG_TABLE_NAME || '" violates foreign key constraint "' || conname || '" on table "notes"',
        DETAIL = 'Key (id)=(' || concat_ws(', ', OLD.id::text) || ') is still referenced from table "notes".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_2f2f4c85_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key notes_contact_id_fkey
-- of crm.notes (ON DELETE NO ACTION)
DROP TRIGGER IF EXISTS softdelete_fk_03_notes_contact_id_fkey_trash ON public.contacts;
CREATE CONSTRAINT TRIGGER softdelete_fk_03_notes_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts NOT DEFERRABLE FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_2f2f4c85_trash();
COMMENT ON TRIGGER softdelete_fk_03_notes_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of crm.notes must reference a live row of public.contacts (foreign key
-- notes_contact_id_fkey of crm.notes (ON DELETE NO ACTION))
CREATE OR REPLACE FUNCTION softdelete.fk_2f2f4c85_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'crm', TABLE = TG_TABLE_NAME, CONSTRAINT = 'notes_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "notes_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_2f2f4c85_check() IS 'softdelete-proxy <fingerprint>';

-- a row of crm.notes inserted, changed or restored must reference a live row of public.contacts
-- (notes_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_notes_contact_id_fkey_ins ON crm.notes;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_notes_contact_id_fkey_ins AFTER INSERT ON crm.notes NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.removed_at IS NULL) EXECUTE FUNCTION softdelete.fk_2f2f4c85_check();
COMMENT ON TRIGGER softdelete_fk_00_notes_contact_id_fkey_ins ON crm.notes IS 'softdelete-proxy <fingerprint>';

-- a row of crm.notes inserted, changed or restored must reference a live row of public.contacts
-- (notes_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_notes_contact_id_fkey_upd ON crm.notes;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_notes_contact_id_fkey_upd AFTER UPDATE OF contact_id, removed_at ON crm.notes NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.removed_at IS NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.removed_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_2f2f4c85_check();
COMMENT ON TRIGGER softdelete_fk_00_notes_contact_id_fkey_upd ON crm.notes IS 'softdelete-proxy <fingerprint>';

-- what foreign key calls_contact_id_fkey of public.calls (ON DELETE NO ACTION) does when a row of
-- public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_d7d5bbce_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    conname text := 'calls_contact_id_fkey';
BEGIN
    IF EXISTS (SELECT 1 FROM ONLY public.contacts y WHERE y.id = OLD.id AND y.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ONLY public.calls x WHERE OLD.id = x.contact_id) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = 'calls', CONSTRAINT = conname,
        MESSAGE = 'update or delete on table "' || TG_TABLE_NAME || '" violates foreign key constraint "' || conname || '" on table "calls"',
        DETAIL = 'Key (id)=(' || concat_ws(', ', OLD.id::text) || ') is still referenced from table "calls".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_d7d5bbce_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key calls_contact_id_fkey
-- of public.calls (ON DELETE NO ACTION)
DROP TRIGGER IF EXISTS softdelete_fk_00_calls_contact_id_fkey_trash ON public.contacts;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_calls_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts NOT DEFERRABLE FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_d7d5bbce_trash();
COMMENT ON TRIGGER softdelete_fk_00_calls_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.calls must reference a live row of public.contacts (foreign key
-- calls_contact_id_fkey of public.calls (ON DELETE NO ACTION))
CREATE OR REPLACE FUNCTION softdelete.fk_d7d5bbce_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'calls_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "calls_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_d7d5bbce_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.calls inserted, changed or restored must reference a live row of public.contacts
-- (calls_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_calls_contact_id_fkey_ins ON public.calls;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_calls_contact_id_fkey_ins AFTER INSERT ON public.calls NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL) EXECUTE FUNCTION softdelete.fk_d7d5bbce_check();
COMMENT ON TRIGGER softdelete_fk_00_calls_contact_id_fkey_ins ON public.calls IS 'softdelete-proxy <fingerprint>';

-- a row of public.calls inserted, changed or restored must reference a live row of public.contacts
-- (calls_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_calls_contact_id_fkey_upd ON public.calls;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_calls_contact_id_fkey_upd AFTER UPDATE OF contact_id ON public.calls NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id)) EXECUTE FUNCTION softdelete.fk_d7d5bbce_check();
COMMENT ON TRIGGER softdelete_fk_00_calls_contact_id_fkey_upd ON public.calls IS 'softdelete-proxy <fingerprint>';

-- what foreign key contacts_org_handle_fkey of public.contacts (ON DELETE NO ACTION) does when a
-- row of public.orgs is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_88d86548_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    conname text := 'contacts_org_handle_fkey';
BEGIN
    IF EXISTS (SELECT 1 FROM ONLY public.orgs y WHERE y.handle = OLD.handle AND y.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ONLY public.contacts x WHERE OLD.handle = x.org_handle AND x.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = 'contacts', CONSTRAINT = conname,
        MESSAGE = 'update or delete on table "' || TG_TABLE_NAME || '" violates foreign key constraint "' || conname || '" on table "contacts"',
        DETAIL = 'Key (handle)=(' || concat_ws(', ', OLD.handle::text) || ') is still referenced from table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_88d86548_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.orgs does what deleting it would: foreign key contacts_org_handle_fkey
-- of public.contacts (ON DELETE NO ACTION)
DROP TRIGGER IF EXISTS softdelete_fk_00_contacts_org_handle_fkey_trash ON public.orgs;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_contacts_org_handle_fkey_trash AFTER UPDATE OF deleted_at ON public.orgs NOT DEFERRABLE FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_88d86548_trash();
COMMENT ON TRIGGER softdelete_fk_00_contacts_org_handle_fkey_trash ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- a row of public.contacts must reference a live row of public.orgs (foreign key
-- contacts_org_handle_fkey of public.contacts (ON DELETE NO ACTION))
CREATE OR REPLACE FUNCTION softdelete.fk_88d86548_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.orgs y WHERE y.handle = NEW.org_handle AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'contacts_org_handle_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "contacts_org_handle_fkey"',
        DETAIL = 'Key (org_handle)=(' || concat_ws(', ', NEW.org_handle::text) || ') is not present in table "orgs".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_88d86548_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.contacts inserted, changed or restored must reference a live row of public.orgs
-- (contacts_org_handle_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_contacts_org_handle_fkey_ins ON public.contacts;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_contacts_org_handle_fkey_ins AFTER INSERT ON public.contacts NOT DEFERRABLE FOR EACH ROW WHEN (NEW.org_handle IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_88d86548_check();
COMMENT ON TRIGGER softdelete_fk_00_contacts_org_handle_fkey_ins ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.contacts inserted, changed or restored must reference a live row of public.orgs
-- (contacts_org_handle_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_contacts_org_handle_fkey_upd ON public.contacts;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_contacts_org_handle_fkey_upd AFTER UPDATE OF org_handle, deleted_at ON public.contacts NOT DEFERRABLE FOR EACH ROW WHEN (NEW.org_handle IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.org_handle IS DISTINCT FROM NEW.org_handle OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_88d86548_check();
COMMENT ON TRIGGER softdelete_fk_00_contacts_org_handle_fkey_upd ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- what foreign key emails_contact_id_fkey of public.emails (ON DELETE SET NULL) does when a row of
-- public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_be0456d4_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.emails x SET contact_id = NULL
    WHERE OLD.id = x.contact_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_be0456d4_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key emails_contact_id_fkey
-- of public.emails (ON DELETE SET NULL)
CREATE OR REPLACE TRIGGER softdelete_fk_01_emails_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_be0456d4_trash();
COMMENT ON TRIGGER softdelete_fk_01_emails_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.emails must reference a live row of public.contacts (foreign key
-- emails_contact_id_fkey of public.emails (ON DELETE SET NULL))
CREATE OR REPLACE FUNCTION softdelete.fk_be0456d4_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'emails_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "emails_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_be0456d4_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.emails inserted, changed or restored must reference a live row of public.contacts
-- (emails_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_emails_contact_id_fkey_ins ON public.emails;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_emails_contact_id_fkey_ins AFTER INSERT ON public.emails NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL) EXECUTE FUNCTION softdelete.fk_be0456d4_check();
COMMENT ON TRIGGER softdelete_fk_00_emails_contact_id_fkey_ins ON public.emails IS 'softdelete-proxy <fingerprint>';

-- a row of public.emails inserted, changed or restored must reference a live row of public.contacts
-- (emails_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_emails_contact_id_fkey_upd ON public.emails;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_emails_contact_id_fkey_upd AFTER UPDATE OF contact_id ON public.emails NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id)) EXECUTE FUNCTION softdelete.fk_be0456d4_check();
COMMENT ON TRIGGER softdelete_fk_00_emails_contact_id_fkey_upd ON public.emails IS 'softdelete-proxy <fingerprint>';

-- what foreign key invoices_contact_id_fkey of public.invoices (ON DELETE RESTRICT) does when a row
-- of public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_2f2dd05e_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    conname text := 'invoices_contact_id_fkey';
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ONLY public.invoices x WHERE OLD.id = x.contact_id) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = 'invoices', CONSTRAINT = conname,
        MESSAGE = 'update or delete on table "' || TG_TABLE_NAME || '" violates foreign key constraint "' || conname || '" on table "invoices"',
        DETAIL = 'Key (id)=(' || concat_ws(', ', OLD.id::text) || ') is still referenced from table "invoices".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_2f2dd05e_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key
-- invoices_contact_id_fkey of public.invoices (ON DELETE RESTRICT)
CREATE OR REPLACE TRIGGER softdelete_fk_02_invoices_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_2f2dd05e_trash();
COMMENT ON TRIGGER softdelete_fk_02_invoices_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.invoices must reference a live row of public.contacts (foreign key
-- invoices_contact_id_fkey of public.invoices (ON DELETE RESTRICT))
CREATE OR REPLACE FUNCTION softdelete.fk_2f2dd05e_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'invoices_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "invoices_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_2f2dd05e_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.invoices inserted, changed or restored must reference a live row of
-- public.contacts (invoices_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_invoices_contact_id_fkey_ins ON public.invoices;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_invoices_contact_id_fkey_ins AFTER INSERT ON public.invoices NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL) EXECUTE FUNCTION softdelete.fk_2f2dd05e_check();
COMMENT ON TRIGGER softdelete_fk_00_invoices_contact_id_fkey_ins ON public.invoices IS 'softdelete-proxy <fingerprint>';

-- a row of public.invoices inserted, changed or restored must reference a live row of
-- public.contacts (invoices_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_invoices_contact_id_fkey_upd ON public.invoices;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_invoices_contact_id_fkey_upd AFTER UPDATE OF contact_id ON public.invoices NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id)) EXECUTE FUNCTION softdelete.fk_2f2dd05e_check();
COMMENT ON TRIGGER softdelete_fk_00_invoices_contact_id_fkey_upd ON public.invoices IS 'softdelete-proxy <fingerprint>';

COMMIT;
