-- softdelete-proxy migrate: 139 statement(s) for database app.
-- Every statement is idempotent. Apply with: softdelete-proxy migrate --apply, or psql -f this file.

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

-- every trashed row a new key evicted, whole (docs/keys.md); the guard lets a hard delete of
-- exactly these through
CREATE TABLE IF NOT EXISTS softdelete.evicted (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    xact       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    actor      text NOT NULL DEFAULT session_user,
    table_name text NOT NULL,
    key_name   text NOT NULL,
    reason     text NOT NULL,
    content    jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS evicted_xact_idx ON softdelete.evicted (xact);
REVOKE ALL ON softdelete.evicted FROM PUBLIC;

-- the purger deletes the records of softdelete.evicted table by table once the table's retention
-- has passed, oldest first
CREATE INDEX IF NOT EXISTS evicted_table_name_at_idx ON softdelete.evicted (table_name, at);

-- the guard's test for a trashed row deleted by the keys trigger: this transaction recorded it in
-- softdelete.evicted
CREATE OR REPLACE FUNCTION softdelete.evicting(jsonb) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$SELECT EXISTS (SELECT 1 FROM softdelete.evicted e WHERE e.xact = pg_catalog.pg_current_xact_id_if_assigned() AND e.content = $1)$$;
COMMENT ON FUNCTION softdelete.evicting(jsonb) IS 'softdelete-proxy <fingerprint>';

-- the soft-delete column of each managed table, for eviction to follow foreign keys
CREATE OR REPLACE FUNCTION softdelete.soft_column(regclass) RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$SELECT v.col FROM (VALUES ('public.contacts', 'deleted_at'),
    ('public.orgs', 'deleted_at'),
    ('crm.notes', 'removed_at')) AS v(rel, col) WHERE v.rel = $1::text$$;
COMMENT ON FUNCTION softdelete.soft_column(regclass) IS 'softdelete-proxy <fingerprint>';

-- evicts one trashed row (recorded in softdelete.evicted, then deleted), after the trashed rows of
-- managed tables that reference it; visiting: the rows it is evicting already (cycles)
CREATE OR REPLACE FUNCTION softdelete.evict_row(root regclass, rel oid, tid tid, key text, why text, visiting text[]) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    content jsonb;
    f record;
    x record;
    live boolean;
BEGIN
    EXECUTE format('SELECT to_jsonb(x) FROM ONLY %s x WHERE x.ctid = $1', rel::regclass) INTO content USING tid;
    IF content IS NULL OR rel::text || '/' || tid::text = ANY (visiting) THEN
        RETURN;
    END IF;
    INSERT INTO softdelete.evicted (table_name, key_name, reason, content)
    VALUES (rel::regclass::text, key, why, content);
    FOR f IN
        SELECT quote_ident(k.conname) AS name, k.conrelid::regclass AS child,
               softdelete.soft_column(k.conrelid::regclass) AS col,
               (SELECT string_agg('c.' || quote_ident(a.attname), ', ' ORDER BY u.o)
                FROM unnest(k.conkey) WITH ORDINALITY AS u(n, o)
                JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n) AS child_cols,
               (SELECT string_agg('p.' || quote_ident(a.attname), ', ' ORDER BY u.o)
                FROM unnest(k.confkey) WITH ORDINALITY AS u(n, o)
                JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n) AS parent_cols
        FROM pg_constraint k
        WHERE k.contype = 'f' AND k.conparentid = 0 AND k.confrelid = root
    LOOP
        CONTINUE WHEN f.col IS NULL;
        FOR x IN EXECUTE format('SELECT c.tableoid, c.ctid FROM %s c, ONLY %s p WHERE p.ctid = $1 AND ROW(%s) = ROW(%s) '
                                'AND c.%I IS NOT NULL FOR UPDATE OF c', f.child, rel::regclass, f.child_cols, f.parent_cols, f.col)
                 USING tid
        LOOP
            PERFORM softdelete.evict_row(f.child, x.tableoid, x.ctid, 'foreign key ' || f.name || ' on ' || f.child::text,
                                    'it referenced an evicted row', visiting || (rel::text || '/' || tid::text));
        END LOOP;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s c, ONLY %s p WHERE p.ctid = $1 AND ROW(%s) = ROW(%s) AND c.%I IS NULL)',
                       f.child, rel::regclass, f.child_cols, f.parent_cols, f.col) INTO live USING tid;
        IF live THEN
            RAISE EXCEPTION USING ERRCODE = '23503', TABLE = f.child::text, CONSTRAINT = f.name,
                MESSAGE = format('the key is held by a trashed row of %s that live rows of %s still reference (foreign key %s): it cannot be evicted',
                                 rel::regclass, f.child, f.name),
                HINT = 'Trash or delete those rows first, or restore the trashed row (softdelete-proxy trash restore).';
        END IF;
    END LOOP;
    EXECUTE format('DELETE FROM ONLY %s WHERE ctid = $1', rel::regclass) USING tid;
END
$$;
REVOKE ALL ON FUNCTION softdelete.evict_row(root regclass, rel oid, tid tid, key text, why text, visiting text[]) FROM PUBLIC;
COMMENT ON FUNCTION softdelete.evict_row(root regclass, rel oid, tid tid, key text, why text, visiting text[]) IS 'softdelete-proxy <fingerprint>';

-- evicts one trashed row (recorded in softdelete.evicted, then deleted), after the trashed rows of
-- managed tables that reference it
CREATE OR REPLACE FUNCTION softdelete.evict(root regclass, rel oid, tid tid, key text, why text) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM softdelete.evict_row(root, rel, tid, key, why, '{}');
END
$$;
REVOKE ALL ON FUNCTION softdelete.evict(root regclass, rel oid, tid tid, key text, why text) FROM PUBLIC;
COMMENT ON FUNCTION softdelete.evict(root regclass, rel oid, tid tid, key text, why text) IS 'softdelete-proxy <fingerprint>';

-- unique index contacts_code_idx (lower(code)) also counts trashed rows: it becomes a partial
-- unique index of live rows (same name, so errors still name it; nothing references it)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('public.contacts_code_idx') AND indpred IS NULL) THEN
        DROP INDEX public.contacts_code_idx;
    END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS contacts_code_idx ON public.contacts USING btree (lower(code)) WHERE (deleted_at IS NULL);

-- unique index contacts_nick_idx (nick) also counts trashed rows: it becomes a partial unique index
-- of live rows (same name, so errors still name it; nothing references it)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('public.contacts_nick_idx') AND pg_get_expr(indpred, indrelid) = '(nick <> ''''::text)') THEN
        DROP INDEX public.contacts_nick_idx;
    END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS contacts_nick_idx ON public.contacts USING btree (nick) WHERE ((nick <> ''::text) AND (deleted_at IS NULL));

-- keeps the keys of public.contacts as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): unique constraint
-- contacts_email_key (email), primary key contacts_pkey (id); a change of id evicts the trashed
-- rows of crm.notes that reference the old value (notes_contact_id_fkey)
CREATE OR REPLACE FUNCTION softdelete.keys_public_contacts_b1d0e2f9() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.contacts x WHERE ((x.email = NEW.email) OR (x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.contacts x WHERE x.email = NEW.email AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.contacts'::regclass, r.tableoid, r.ctid, 'unique constraint contacts_email_key (email)', 'a new row took its key');
            END LOOP;
            FOR r IN SELECT x.tableoid, x.ctid FROM public.contacts x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.contacts'::regclass, r.tableoid, r.ctid, 'primary key contacts_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.email) IS DISTINCT FROM ROW(OLD.email) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.contacts x WHERE x.email = NEW.email AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.contacts'::regclass, r.tableoid, r.ctid, 'unique constraint contacts_email_key (email)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.contacts x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.contacts'::regclass, r.tableoid, r.ctid, 'primary key contacts_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM crm.notes x WHERE x.contact_id = OLD.id AND x.removed_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('crm.notes'::regclass, r.tableoid, r.ctid, 'foreign key notes_contact_id_fkey on crm.notes', 'the key it references changed');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_contacts_b1d0e2f9() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_contacts_b1d0e2f9() for every row inserted into public.contacts and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF email, id ON public.contacts FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_contacts_b1d0e2f9();
COMMENT ON TRIGGER softdelete_keys ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.orgs as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): unique constraint
-- orgs_handle_key (handle), primary key orgs_pkey (id); a change of handle evicts the trashed rows
-- of public.contacts that reference the old value (contacts_org_handle_fkey)
CREATE OR REPLACE FUNCTION softdelete.keys_public_orgs_db7b1abd() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.orgs x WHERE ((x.handle = NEW.handle) OR (x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.orgs x WHERE x.handle = NEW.handle AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.orgs'::regclass, r.tableoid, r.ctid, 'unique constraint orgs_handle_key (handle)', 'a new row took its key');
            END LOOP;
            FOR r IN SELECT x.tableoid, x.ctid FROM public.orgs x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.orgs'::regclass, r.tableoid, r.ctid, 'primary key orgs_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.handle) IS DISTINCT FROM ROW(OLD.handle) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.orgs x WHERE x.handle = NEW.handle AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.orgs'::regclass, r.tableoid, r.ctid, 'unique constraint orgs_handle_key (handle)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.orgs x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.orgs'::regclass, r.tableoid, r.ctid, 'primary key orgs_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.handle) IS DISTINCT FROM ROW(OLD.handle) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.contacts x WHERE x.org_handle = OLD.handle AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.contacts'::regclass, r.tableoid, r.ctid, 'foreign key contacts_org_handle_fkey on public.contacts', 'the key it references changed');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_orgs_db7b1abd() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_orgs_db7b1abd() for every row inserted into public.orgs and every
-- change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF handle, id ON public.orgs FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_orgs_db7b1abd();
COMMENT ON TRIGGER softdelete_keys ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of crm.notes as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- notes_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_crm_notes_30d141b2() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM crm.notes x WHERE ((x.id = NEW.id)) AND x.removed_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM crm.notes x WHERE x.id = NEW.id AND x.removed_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('crm.notes'::regclass, r.tableoid, r.ctid, 'primary key notes_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM crm.notes x WHERE x.id = NEW.id AND x.removed_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('crm.notes'::regclass, r.tableoid, r.ctid, 'primary key notes_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_crm_notes_30d141b2() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_crm_notes_30d141b2() for every row inserted into crm.notes and every change
-- of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON crm.notes FOR EACH ROW EXECUTE FUNCTION softdelete.keys_crm_notes_30d141b2();
COMMENT ON TRIGGER softdelete_keys ON crm.notes IS 'softdelete-proxy <fingerprint>';

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
        -- rows the keys trigger evicted in this transaction (docs/keys.md)
        EXECUTE 'SELECT count(*) FROM softdelete_deleted d WHERE NOT softdelete.evicting(to_jsonb(d))' INTO total;
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
    IF (to_jsonb(OLD) ->> TG_ARGV[0]) IS NOT NULL AND softdelete.evicting(to_jsonb(OLD)) THEN
        RETURN OLD; -- evicted by the keys trigger (docs/keys.md)
    END IF;
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

-- a soft TRUNCATE's check of the foreign keys that reference its tables, with PostgreSQL's error
-- (SQLSTATE 0A000)
CREATE OR REPLACE FUNCTION softdelete.truncate_check(rels regclass[], recurse boolean[]) RETURNS boolean LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    list oid[] := '{}';
    rel oid;
    ref oid;
BEGIN
    FOR i IN 1 .. coalesce(array_length(rels, 1), 0) LOOP
        IF NOT rels[i]::oid = ANY (list) THEN
            list := list || rels[i]::oid;
        END IF;
        IF recurse[i] THEN
            list := list || ARRAY(
                WITH RECURSIVE d(oid, depth) AS (
                    SELECT inhrelid, 1 FROM pg_inherits WHERE inhparent = rels[i]::oid
                    UNION ALL
                    SELECT h.inhrelid, d.depth + 1 FROM pg_inherits h JOIN d ON h.inhparent = d.oid WHERE d.depth < 64)
                SELECT d.oid FROM d WHERE NOT d.oid = ANY (list) GROUP BY d.oid ORDER BY min(d.depth), d.oid);
        END IF;
    END LOOP;
    FOREACH rel IN ARRAY list LOOP
        SELECT c.conrelid INTO ref FROM pg_constraint c
        WHERE c.contype = 'f' AND c.confrelid = rel AND NOT c.conrelid = ANY (list)
        ORDER BY c.conrelid LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING ERRCODE = '0A000',
                MESSAGE = 'cannot truncate a table referenced in a foreign key constraint',
                DETAIL = format('Table "%s" references "%s".', (SELECT relname FROM pg_class WHERE oid = ref),
                                (SELECT relname FROM pg_class WHERE oid = rel)),
                HINT = format('Truncate table "%s" at the same time, or use TRUNCATE ... CASCADE.',
                              (SELECT relname FROM pg_class WHERE oid = ref));
        END IF;
    END LOOP;
    RETURN true;
END
$$;
COMMENT ON FUNCTION softdelete.truncate_check(rels regclass[], recurse boolean[]) IS 'softdelete-proxy <fingerprint>';

-- writes a managed table's catalog stamp (a digest of its keys and foreign keys) into the version
-- comment of its softdelete_privilege trigger
CREATE OR REPLACE FUNCTION softdelete.stamp(rel regclass, trig text, fingerprint text) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    EXECUTE format('COMMENT ON TRIGGER %I ON %s IS %L', trig, rel,
        'softdelete-proxy ' || fingerprint || ' catalog ' || (SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(d.x, E'\n' ORDER BY d.x COLLATE "C"), '')) FROM (
  SELECT i.indrelid AS keyrel, 'key ' || (to_jsonb(i.*) - 'indexrelid' - 'indisclustered' - 'indcheckxmin' - 'indisreplident')::text
         || ' ' || ic.relname::text || CASE WHEN k.oid IS NULL THEN '' ELSE ' ' || (to_jsonb(k.*) - 'conindid' - 'convalidated')::text END
         || ' ' || coalesce((
           SELECT pg_catalog.string_agg(a.attnum || ' ' || a.attname::text || ' ' || a.atttypid || ' ' || a.atttypmod, ',' ORDER BY a.attnum)
           FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])), '') AS x
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  LEFT JOIN pg_catalog.pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
  WHERE i.indrelid = rel::oid AND (i.indisunique OR k.contype = 'x')
  UNION ALL
  SELECT f.keyrel, 'fkey ' || (to_jsonb(k.*) - 'conindid' - 'convalidated')::text
         || ' ' || cn.nspname::text || '.' || cc.relname::text || ' ' || cc.relkind::text
         || ' ' || pn.nspname::text || '.' || pc.relname::text || ' ' || pc.relkind::text || ' ' || coalesce((
           SELECT pg_catalog.string_agg(a.attrelid || ' ' || a.attnum || ' ' || a.attname::text || ' ' || a.atttypid || ' ' || a.atttypmod, ',' ORDER BY a.attrelid, a.attnum)
           FROM pg_catalog.pg_attribute a
           WHERE (a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)) OR (a.attrelid = k.confrelid AND a.attnum = ANY (k.confkey))), '')
  FROM pg_catalog.pg_constraint k
  CROSS JOIN LATERAL (VALUES (k.conrelid), (NULLIF(k.confrelid, k.conrelid))) AS f(keyrel)
  JOIN pg_catalog.pg_class cc ON cc.oid = k.conrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
  JOIN pg_catalog.pg_class pc ON pc.oid = k.confrelid JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
  WHERE k.contype = 'f' AND k.conparentid = 0 AND f.keyrel = rel::oid) AS d));
END
$$;
COMMENT ON FUNCTION softdelete.stamp(rel regclass, trig text, fingerprint text) IS 'softdelete-proxy <fingerprint>';

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

-- the purger deletes the records of softdelete.evicted once their table's retention has passed
GRANT SELECT, DELETE ON softdelete.evicted TO softdelete_purger;

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

-- the guard: refuses a DELETE of public.contacts that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.contacts REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts needs DELETE on public.contacts, restoring it UPDATE, as
-- deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.contacts'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.contacts'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('contacts');
SELECT softdelete.stamp('public.contacts', 'softdelete_privilege', 'f76c7c595842');

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
SELECT softdelete.stamp('public.orgs', 'softdelete_privilege', 'ab552405a950');

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
SELECT softdelete.stamp('crm.notes', 'softdelete_privilege', 'a4675b708423');

-- refuses TRUNCATE of crm.notes (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON crm.notes FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON crm.notes IS 'softdelete-proxy <fingerprint>';

COMMIT;
