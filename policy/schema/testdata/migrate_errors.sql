-- softdelete-proxy migrate: 99 statement(s) for database app.
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

-- the audit table's columns for the audit of deletions (keys, reason, db_user) and its new actions
ALTER TABLE softdelete.audit ADD COLUMN IF NOT EXISTS keys jsonb;
ALTER TABLE softdelete.audit ADD COLUMN IF NOT EXISTS reason text;
ALTER TABLE softdelete.audit ADD COLUMN IF NOT EXISTS db_user text;
ALTER TABLE softdelete.audit DROP CONSTRAINT IF EXISTS "audit_action_check";
ALTER TABLE softdelete.audit ADD CONSTRAINT "audit_action_check" CHECK (action IN ('delete', 'restore', 'forget', 'empty', 'purge', 'keep-until', 'hard delete'));

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
CREATE OR REPLACE FUNCTION softdelete.soft_column(regclass) RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$SELECT v.col FROM (VALUES ('public.naive', 'deleted_at'),
    ('public.bare', 'deleted_at'),
    ('public.typed', 'deleted_at'),
    ('public.strict', 'deleted_at')) AS v(rel, col) WHERE v.rel = $1::text$$;
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

-- what the purger needs on public.naive: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.naive TO softdelete_purger;

-- what the purger needs on public.bare: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at, deleted_by, deleted_reason) ON public.bare TO softdelete_purger;

-- what the purger needs on public.typed: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at, who, why) ON public.typed TO softdelete_purger;

-- what the purger needs on public.strict: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.strict TO softdelete_purger;

-- the purger deletes the records of softdelete.evicted once their table's retention has passed
GRANT SELECT, DELETE ON softdelete.evicted TO softdelete_purger;

-- the purge role reaches the tables of schema softdelete
GRANT USAGE ON SCHEMA softdelete TO softdelete_purger;

-- the purger records each batch in the audit table
GRANT INSERT ON softdelete.audit TO softdelete_purger;

-- inserts one audit row as the audit table's owner (the roles that trash rows need no INSERT on
-- it); it records session_user as db_user
CREATE OR REPLACE FUNCTION softdelete.audit_write(text, text, bigint, jsonb) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO softdelete.audit (at, actor, action, table_name, row_count, detail, keys, reason, db_user)
    VALUES (now(), coalesce(nullif(current_setting('softdelete.actor', true), ''), session_user), $2, $1, $3,
            coalesce(nullif(current_setting('softdelete.audit_detail', true), ''), '{}')::jsonb, $4,
            nullif(current_setting('softdelete.reason', true), ''), session_user);
END
$$;
COMMENT ON FUNCTION softdelete.audit_write(text, text, bigint, jsonb) IS 'softdelete-proxy <fingerprint>';

-- writes the audit rows of a statement that trashed or restored rows
CREATE OR REPLACE FUNCTION softdelete.audit_update() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    trashed bigint;
    trashed_keys jsonb;
    restored bigint;
    restored_keys jsonb;
BEGIN
    EXECUTE TG_ARGV[1] INTO trashed, trashed_keys, restored, restored_keys;
    IF trashed > 0 THEN
        PERFORM softdelete.audit_write(TG_ARGV[0], 'delete', trashed, trashed_keys);
    END IF;
    IF restored > 0 THEN
        PERFORM softdelete.audit_write(TG_ARGV[0], 'restore', restored, restored_keys);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.audit_update() IS 'softdelete-proxy <fingerprint>';

-- writes the audit row of a statement that deleted rows for good
CREATE OR REPLACE FUNCTION softdelete.audit_delete() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    deleted bigint;
    deleted_keys jsonb;
    announced text := current_setting('softdelete.audit_action', true);
BEGIN
    EXECUTE TG_ARGV[1] INTO deleted, deleted_keys;
    IF deleted > 0 THEN
        PERFORM softdelete.audit_write(TG_ARGV[0], CASE WHEN announced IN ('purge', 'forget', 'empty') THEN announced ELSE 'hard delete' END, deleted, deleted_keys);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.audit_delete() IS 'softdelete-proxy <fingerprint>';

-- records in the audit table the rows an UPDATE of public.naive trashed or restored
CREATE OR REPLACE TRIGGER softdelete_audit AFTER UPDATE ON public.naive REFERENCING OLD TABLE AS softdelete_old NEW TABLE AS softdelete_new FOR EACH STATEMENT EXECUTE FUNCTION softdelete.audit_update('public.naive', 'SELECT count(*) FILTER (WHERE o.deleted_at IS NULL AND n.deleted_at IS NOT NULL), NULL::jsonb, count(*) FILTER (WHERE o.deleted_at IS NOT NULL AND n.deleted_at IS NULL), NULL::jsonb FROM (SELECT row_number() OVER () AS softdelete_n, * FROM softdelete_old) AS o JOIN (SELECT row_number() OVER () AS softdelete_n, * FROM softdelete_new) AS n USING (softdelete_n)');
COMMENT ON TRIGGER softdelete_audit ON public.naive IS 'softdelete-proxy <fingerprint>';

-- records in the audit table the rows a DELETE of public.naive removed for good
CREATE OR REPLACE TRIGGER softdelete_audit_delete AFTER DELETE ON public.naive REFERENCING OLD TABLE AS softdelete_old FOR EACH STATEMENT EXECUTE FUNCTION softdelete.audit_delete('public.naive', 'SELECT count(*), NULL::jsonb FROM softdelete_old AS o');
COMMENT ON TRIGGER softdelete_audit_delete ON public.naive IS 'softdelete-proxy <fingerprint>';

-- records in the audit table the rows an UPDATE of public.bare trashed or restored
CREATE OR REPLACE TRIGGER softdelete_audit AFTER UPDATE ON public.bare REFERENCING OLD TABLE AS softdelete_old NEW TABLE AS softdelete_new FOR EACH STATEMENT EXECUTE FUNCTION softdelete.audit_update('public.bare', 'SELECT count(*) FILTER (WHERE o.deleted_at IS NULL AND n.deleted_at IS NOT NULL), NULL::jsonb, count(*) FILTER (WHERE o.deleted_at IS NOT NULL AND n.deleted_at IS NULL), NULL::jsonb FROM (SELECT row_number() OVER () AS softdelete_n, * FROM softdelete_old) AS o JOIN (SELECT row_number() OVER () AS softdelete_n, * FROM softdelete_new) AS n USING (softdelete_n)');
COMMENT ON TRIGGER softdelete_audit ON public.bare IS 'softdelete-proxy <fingerprint>';

-- records in the audit table the rows a DELETE of public.bare removed for good
CREATE OR REPLACE TRIGGER softdelete_audit_delete AFTER DELETE ON public.bare REFERENCING OLD TABLE AS softdelete_old FOR EACH STATEMENT EXECUTE FUNCTION softdelete.audit_delete('public.bare', 'SELECT count(*), NULL::jsonb FROM softdelete_old AS o');
COMMENT ON TRIGGER softdelete_audit_delete ON public.bare IS 'softdelete-proxy <fingerprint>';

-- records in the audit table the rows an UPDATE of public.typed trashed or restored
CREATE OR REPLACE TRIGGER softdelete_audit AFTER UPDATE ON public.typed REFERENCING OLD TABLE AS softdelete_old NEW TABLE AS softdelete_new FOR EACH STATEMENT EXECUTE FUNCTION softdelete.audit_update('public.typed', 'SELECT count(*) FILTER (WHERE o.deleted_at IS NULL AND n.deleted_at IS NOT NULL), NULL::jsonb, count(*) FILTER (WHERE o.deleted_at IS NOT NULL AND n.deleted_at IS NULL), NULL::jsonb FROM (SELECT row_number() OVER () AS softdelete_n, * FROM softdelete_old) AS o JOIN (SELECT row_number() OVER () AS softdelete_n, * FROM softdelete_new) AS n USING (softdelete_n)');
COMMENT ON TRIGGER softdelete_audit ON public.typed IS 'softdelete-proxy <fingerprint>';

-- records in the audit table the rows a DELETE of public.typed removed for good
CREATE OR REPLACE TRIGGER softdelete_audit_delete AFTER DELETE ON public.typed REFERENCING OLD TABLE AS softdelete_old FOR EACH STATEMENT EXECUTE FUNCTION softdelete.audit_delete('public.typed', 'SELECT count(*), NULL::jsonb FROM softdelete_old AS o');
COMMENT ON TRIGGER softdelete_audit_delete ON public.typed IS 'softdelete-proxy <fingerprint>';

-- records in the audit table the rows an UPDATE of public.strict trashed or restored
CREATE OR REPLACE TRIGGER softdelete_audit AFTER UPDATE ON public.strict REFERENCING OLD TABLE AS softdelete_old NEW TABLE AS softdelete_new FOR EACH STATEMENT EXECUTE FUNCTION softdelete.audit_update('public.strict', 'SELECT count(*) FILTER (WHERE o.deleted_at IS NULL AND n.deleted_at IS NOT NULL), NULL::jsonb, count(*) FILTER (WHERE o.deleted_at IS NOT NULL AND n.deleted_at IS NULL), NULL::jsonb FROM (SELECT row_number() OVER () AS softdelete_n, * FROM softdelete_old) AS o JOIN (SELECT row_number() OVER () AS softdelete_n, * FROM softdelete_new) AS n USING (softdelete_n)');
COMMENT ON TRIGGER softdelete_audit ON public.strict IS 'softdelete-proxy <fingerprint>';

-- records in the audit table the rows a DELETE of public.strict removed for good
CREATE OR REPLACE TRIGGER softdelete_audit_delete AFTER DELETE ON public.strict REFERENCING OLD TABLE AS softdelete_old FOR EACH STATEMENT EXECUTE FUNCTION softdelete.audit_delete('public.strict', 'SELECT count(*), NULL::jsonb FROM softdelete_old AS o');
COMMENT ON TRIGGER softdelete_audit_delete ON public.strict IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.naive that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.naive REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.naive IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.naive needs DELETE on public.naive, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.naive FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.naive'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.naive'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('naive');
SELECT softdelete.stamp('public.naive', 'softdelete_privilege', 'aacf4649999c');

-- refuses TRUNCATE of public.naive (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.naive FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.naive IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.bare that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.bare REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.bare IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.bare needs DELETE on public.bare, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.bare FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.bare'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.bare'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('bare');
SELECT softdelete.stamp('public.bare', 'softdelete_privilege', '7ad1361e5c3f');

-- refuses TRUNCATE of public.bare (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.bare FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.bare IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.typed that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.typed REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.typed IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.typed needs DELETE on public.typed, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.typed FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.typed'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.typed'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('typed');
SELECT softdelete.stamp('public.typed', 'softdelete_privilege', '93125c22d74f');

-- refuses TRUNCATE of public.typed (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.typed FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.typed IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.strict that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.strict REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.strict IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.strict needs DELETE on public.strict, restoring it UPDATE, as deleting
-- and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.strict FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.strict'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.strict'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('strict');
SELECT softdelete.stamp('public.strict', 'softdelete_privilege', '5d15910c2a73');

-- refuses TRUNCATE of public.strict (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.strict FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.strict IS 'softdelete-proxy <fingerprint>';

COMMIT;
