-- function softdelete.session_user_granted(oid[]) (45bc6584f054)
-- the guard's membership test: is session_user, through GRANTs, one of these roles (superusers included only when granted)
CREATE OR REPLACE FUNCTION softdelete.session_user_granted(oid[]) RETURNS boolean LANGUAGE sql STABLE
RETURN EXISTS (
    WITH RECURSIVE m(r) AS (
        SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user
        UNION
        SELECT a.roleid FROM pg_catalog.pg_auth_members a JOIN m ON a.member = m.r
    )
    SELECT 1 FROM m WHERE m.r = ANY ($1));

-- function softdelete.may_hard_delete() (9a1111dd9de6)
-- the guard's test for deleting trashed rows for good: session_user is a member of softdelete_purger (roles.purge) or of a roles.hard_delete role (dba, "Ops")
CREATE OR REPLACE FUNCTION softdelete.may_hard_delete() RETURNS boolean LANGUAGE sql STABLE
RETURN CASE WHEN pg_catalog.current_setting('role') = 'none' AND pg_catalog.current_setting('is_superuser') = 'off'
       THEN coalesce(pg_catalog.pg_has_role(session_user, pg_catalog.to_regrole('softdelete_purger'), 'MEMBER'), false)
            OR coalesce(pg_catalog.pg_has_role(session_user, pg_catalog.to_regrole('dba'), 'MEMBER'), false)
            OR coalesce(pg_catalog.pg_has_role(session_user, pg_catalog.to_regrole('"Ops"'), 'MEMBER'), false)
       ELSE softdelete.session_user_granted(ARRAY[pg_catalog.to_regrole('softdelete_purger'), pg_catalog.to_regrole('dba'), pg_catalog.to_regrole('"Ops"')]::oid[])
  END;

-- function softdelete.may_truncate() (3a05845c674f)
-- the guard's test for TRUNCATE of a table with on_truncate: hard: session_user is a member of a roles.hard_delete role (dba, "Ops")
CREATE OR REPLACE FUNCTION softdelete.may_truncate() RETURNS boolean LANGUAGE sql STABLE
RETURN CASE WHEN pg_catalog.current_setting('role') = 'none' AND pg_catalog.current_setting('is_superuser') = 'off'
       THEN coalesce(pg_catalog.pg_has_role(session_user, pg_catalog.to_regrole('dba'), 'MEMBER'), false)
            OR coalesce(pg_catalog.pg_has_role(session_user, pg_catalog.to_regrole('"Ops"'), 'MEMBER'), false)
       ELSE softdelete.session_user_granted(ARRAY[pg_catalog.to_regrole('dba'), pg_catalog.to_regrole('"Ops"')]::oid[])
  END;

-- function softdelete.check_hard_delete() (bca4e056c04d)
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
            MESSAGE = format('hard delete of a trashed row of %s refused: session user %s is not a member of role softdelete_purger or of a roles.hard_delete role (dba, "Ops")', tbl, quote_ident(session_user)),
            HINT = 'The purger deletes trashed rows once their retention has passed. To delete them sooner, run trash forget or trash empty as a member of softdelete_purger (GRANT softdelete_purger TO <login role>) or of a roles.hard_delete role.';
    END IF;
    RETURN NULL;
END
$$;

-- function softdelete.refuse_hard_delete() (e497a23e91db)
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
        MESSAGE = format('hard delete of a trashed row of %s refused: session user %s is not a member of role softdelete_purger or of a roles.hard_delete role (dba, "Ops")', tbl, quote_ident(session_user)),
        HINT = 'The purger deletes trashed rows once their retention has passed. To delete them sooner, run trash forget or trash empty as a member of softdelete_purger (GRANT softdelete_purger TO <login role>) or of a roles.hard_delete role.';
END
$$;

-- function softdelete.refuse_truncate() (7be0f266783e)
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
            MESSAGE = format('TRUNCATE of %s refused: session user %s is not a member of a roles.hard_delete role (dba, "Ops"), which on_truncate: hard requires', tbl, quote_ident(session_user)),
            HINT = 'Delete through softdelete-proxy to trash the rows, or TRUNCATE as a member of a roles.hard_delete role.';
    END IF;
    RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
        MESSAGE = format('TRUNCATE of %s refused: its rows are soft-deleted (on_truncate: %s)', tbl, TG_ARGV[0]),
        HINT = 'Through softdelete-proxy, TRUNCATE is refused (on_truncate: deny) or trashes every row (soft). '
               'Trashed rows are deleted for good by the purger, trash forget and trash empty.';
END
$$;

-- function softdelete.refuse_soft_delete() (a8f22a9f5f10)
-- the error for a trash without DELETE or a restore without UPDATE on the table (PostgreSQL's own: permission denied)
CREATE OR REPLACE FUNCTION softdelete.refuse_soft_delete() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format('permission denied for table %s', TG_ARGV[0]);
END
$$;

-- function softdelete.truncate_check(rels regclass[], recurse boolean[]) (0ea9d39c1c36)
-- a soft TRUNCATE's check of the foreign keys that reference its tables, with PostgreSQL's error (SQLSTATE 0A000)
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

-- function softdelete.stamp(rel regclass, trig text, fingerprint text) (7d5d11b3b3b9)
-- writes a managed table's catalog stamp (a digest of its keys and foreign keys) into the version comment of its softdelete_privilege trigger
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

-- trigger softdelete_guard on public.contacts (93d2f577f689)
-- the guard: refuses a DELETE of public.contacts that removed live rows, or trashed ones unless the session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.contacts REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');

-- trigger softdelete_privilege on public.contacts (f76c7c595842)
-- trashing a row of public.contacts needs DELETE on public.contacts, restoring it UPDATE, as deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.contacts'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.contacts'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('contacts');

-- trigger softdelete_truncate on public.contacts (647dab09e228)
-- refuses TRUNCATE of public.contacts (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.contacts FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');

-- trigger softdelete_guard on public.deals (f0658cb9668c)
-- the guard: refuses a DELETE of public.deals that removed live rows, or trashed ones unless the session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.deals REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('gone');

-- trigger softdelete_privilege on public.deals (441a07eebedf)
-- trashing a row of public.deals needs DELETE on public.deals, restoring it UPDATE, as deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF gone ON public.deals FOR EACH ROW WHEN ((OLD.gone IS NULL AND NEW.gone IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.deals'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.gone IS NOT NULL AND NEW.gone IS NULL AND NOT pg_catalog.has_table_privilege('public.deals'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('deals');

-- trigger softdelete_truncate on public.deals (48d828ce53ce)
-- refuses TRUNCATE of public.deals (on_truncate: hard)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.deals FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('hard');

-- trigger softdelete_guard on public.deals_eu (613b50c88396)
-- the guard: refuses a DELETE of public.deals_eu that removed live rows, or trashed ones unless the session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.deals_eu REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('gone');

-- trigger clone softdelete_privilege on public.deals_eu
-- the softdelete_privilege trigger of public.deals, cloned onto its partition public.deals_eu, must be enabled
ALTER TABLE public.deals_eu ENABLE TRIGGER softdelete_privilege;

-- trigger softdelete_truncate on public.deals_eu (c50abe22b3ee)
-- refuses TRUNCATE of public.deals_eu (on_truncate: hard)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.deals_eu FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('hard');

-- trigger softdelete_guard_row on public.events_2024 (cc7c31ac937a)
-- the guard, row by row (a DELETE of a parent outside the policy, or of a partitioned table with foreign partitions, reaches public.events_2024 without a statement trigger of its own): refuses live rows, and trashed ones unless the session user may
CREATE OR REPLACE TRIGGER softdelete_guard_row BEFORE DELETE ON public.events_2024 FOR EACH ROW WHEN (OLD.deleted_at IS NULL OR NOT softdelete.may_hard_delete()) EXECUTE FUNCTION softdelete.refuse_hard_delete('deleted_at');

-- trigger softdelete_privilege on public.events_2024 (738ca1ad9f9b)
-- trashing a row of public.events_2024 needs DELETE on public.events_2024, restoring it UPDATE, as deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.events_2024 FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.events_2024'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.events_2024'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('events_2024');

-- trigger softdelete_truncate on public.events_2024 (d23765b7d78b)
-- refuses TRUNCATE of public.events_2024 (on_truncate: soft)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.events_2024 FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('soft');

