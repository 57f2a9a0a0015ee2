-- softdelete-proxy migrate: 551 statement(s) for database app.
-- Every statement is idempotent. Apply with: softdelete-proxy migrate --apply, or psql -f this file.

BEGIN;
SET LOCAL lock_timeout = '5s';   -- give up rather than queue production queries behind a lock

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS contacts_deleted_at_purge_idx ON public.contacts (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS contacts_deleted_at_purge_idx ON public.contacts (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS deals_deleted_at_purge_idx ON public.deals (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS deals_deleted_at_purge_idx ON public.deals (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS deal_notes_deleted_at_purge_idx ON public.deal_notes (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS deal_notes_deleted_at_purge_idx ON public.deal_notes (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_deleted_at_purge_idx ON public.tasks (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS tasks_deleted_at_purge_idx ON public.tasks (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS tags_deleted_at_purge_idx ON public.tags (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS tags_deleted_at_purge_idx ON public.tags (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS calls_deleted_at_purge_idx ON public.calls (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS calls_deleted_at_purge_idx ON public.calls (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS emails_deleted_at_purge_idx ON public.emails (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS emails_deleted_at_purge_idx ON public.emails (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS meetings_deleted_at_purge_idx ON public.meetings (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS meetings_deleted_at_purge_idx ON public.meetings (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS orgs_deleted_at_purge_idx ON public.orgs (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS orgs_deleted_at_purge_idx ON public.orgs (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS members_deleted_at_purge_idx ON public.members (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS members_deleted_at_purge_idx ON public.members (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS badges_deleted_at_purge_idx ON public.badges (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS badges_deleted_at_purge_idx ON public.badges (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS folders_deleted_at_purge_idx ON public.folders (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS folders_deleted_at_purge_idx ON public.folders (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS ping_deleted_at_purge_idx ON public.ping (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS ping_deleted_at_purge_idx ON public.ping (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS pong_deleted_at_purge_idx ON public.pong (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS pong_deleted_at_purge_idx ON public.pong (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   on each partition: CREATE INDEX CONCURRENTLY ON <partition> (deleted_at) WHERE deleted_at IS NOT NULL; then:
--   CREATE INDEX IF NOT EXISTS accounts_deleted_at_purge_idx ON public.accounts (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS accounts_deleted_at_purge_idx ON public.accounts (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_deleted_at_purge_idx ON public.invoices (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS invoices_deleted_at_purge_idx ON public.invoices (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_deleted_at_purge_idx ON public.payments (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS payments_deleted_at_purge_idx ON public.payments (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS players_deleted_at_purge_idx ON public.players (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS players_deleted_at_purge_idx ON public.players (deleted_at) WHERE deleted_at IS NOT NULL;

-- the purger's partial index: only trashed rows, oldest first
-- On a large table, build it first without blocking writes, outside a transaction:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS coaches_deleted_at_purge_idx ON public.coaches (deleted_at) WHERE deleted_at IS NOT NULL;
-- (CONCURRENTLY cannot run inside this script's transaction; the statement below then does
-- nothing.)
CREATE INDEX IF NOT EXISTS coaches_deleted_at_purge_idx ON public.coaches (deleted_at) WHERE deleted_at IS NOT NULL;

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
    ('public.deals', 'deleted_at'),
    ('public.deal_notes', 'deleted_at'),
    ('public.tasks', 'deleted_at'),
    ('public.tags', 'deleted_at'),
    ('public.calls', 'deleted_at'),
    ('public.emails', 'deleted_at'),
    ('public.meetings', 'deleted_at'),
    ('public.orgs', 'deleted_at'),
    ('public.members', 'deleted_at'),
    ('public.badges', 'deleted_at'),
    ('public.folders', 'deleted_at'),
    ('public.ping', 'deleted_at'),
    ('public.pong', 'deleted_at'),
    ('public.accounts', 'deleted_at'),
    ('public.accounts_eu', 'deleted_at'),
    ('public.accounts_us', 'deleted_at'),
    ('public.invoices', 'deleted_at'),
    ('public.payments', 'deleted_at'),
    ('public.players', 'deleted_at'),
    ('public.coaches', 'deleted_at')) AS v(rel, col) WHERE v.rel = $1::text$$;
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

-- keeps the keys of public.contacts as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- contacts_pkey (id); a change of id evicts the trashed rows of public.calls that reference the old
-- value (calls_contact_id_fkey); a change of id evicts the trashed rows of public.deals that
-- reference the old value (deals_contact_id_fkey); a change of id evicts the trashed rows of
-- public.emails that reference the old value (emails_contact_id_fkey); a change of id evicts the
-- trashed rows of public.meetings that reference the old value (meetings_contact_id_fkey); a change
-- of id evicts the trashed rows of public.tags that reference the old value (tags_contact_id_fkey);
-- a change of id evicts the trashed rows of public.tasks that reference the old value
-- (tasks_contact_id_fkey)
CREATE OR REPLACE FUNCTION softdelete.keys_public_contacts_b1d0e2f9() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.contacts x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.contacts x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.contacts'::regclass, r.tableoid, r.ctid, 'primary key contacts_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.contacts x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.contacts'::regclass, r.tableoid, r.ctid, 'primary key contacts_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.calls x WHERE x.contact_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.calls'::regclass, r.tableoid, r.ctid, 'foreign key calls_contact_id_fkey on public.calls', 'the key it references changed');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.deals x WHERE x.contact_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.deals'::regclass, r.tableoid, r.ctid, 'foreign key deals_contact_id_fkey on public.deals', 'the key it references changed');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.emails x WHERE x.contact_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.emails'::regclass, r.tableoid, r.ctid, 'foreign key emails_contact_id_fkey on public.emails', 'the key it references changed');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.meetings x WHERE x.contact_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.meetings'::regclass, r.tableoid, r.ctid, 'foreign key meetings_contact_id_fkey on public.meetings', 'the key it references changed');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.tags x WHERE x.contact_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.tags'::regclass, r.tableoid, r.ctid, 'foreign key tags_contact_id_fkey on public.tags', 'the key it references changed');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.tasks x WHERE x.contact_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.tasks'::regclass, r.tableoid, r.ctid, 'foreign key tasks_contact_id_fkey on public.tasks', 'the key it references changed');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_contacts_b1d0e2f9() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_contacts_b1d0e2f9() for every row inserted into public.contacts and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.contacts FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_contacts_b1d0e2f9();
COMMENT ON TRIGGER softdelete_keys ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.deals as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- deals_pkey (id); a change of id evicts the trashed rows of public.deal_notes that reference the
-- old value (deal_notes_deal_id_fkey)
CREATE OR REPLACE FUNCTION softdelete.keys_public_deals_30d8fa31() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.deals x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.deals x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.deals'::regclass, r.tableoid, r.ctid, 'primary key deals_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.deals x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.deals'::regclass, r.tableoid, r.ctid, 'primary key deals_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.deal_notes x WHERE x.deal_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.deal_notes'::regclass, r.tableoid, r.ctid, 'foreign key deal_notes_deal_id_fkey on public.deal_notes', 'the key it references changed');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_deals_30d8fa31() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_deals_30d8fa31() for every row inserted into public.deals and every
-- change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.deals FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_deals_30d8fa31();
COMMENT ON TRIGGER softdelete_keys ON public.deals IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.deal_notes as if its trashed rows were gone: a row that takes the key of
-- a trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- deal_notes_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_deal_notes_c2b46379() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.deal_notes x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.deal_notes x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.deal_notes'::regclass, r.tableoid, r.ctid, 'primary key deal_notes_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.deal_notes x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.deal_notes'::regclass, r.tableoid, r.ctid, 'primary key deal_notes_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_deal_notes_c2b46379() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_deal_notes_c2b46379() for every row inserted into public.deal_notes
-- and every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.deal_notes FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_deal_notes_c2b46379();
COMMENT ON TRIGGER softdelete_keys ON public.deal_notes IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.tasks as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- tasks_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_tasks_0e41f91b() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.tasks x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.tasks x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.tasks'::regclass, r.tableoid, r.ctid, 'primary key tasks_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.tasks x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.tasks'::regclass, r.tableoid, r.ctid, 'primary key tasks_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_tasks_0e41f91b() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_tasks_0e41f91b() for every row inserted into public.tasks and every
-- change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.tasks FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_tasks_0e41f91b();
COMMENT ON TRIGGER softdelete_keys ON public.tasks IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.tags as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key tags_pkey
-- (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_tags_daabd2f3() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.tags x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.tags x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.tags'::regclass, r.tableoid, r.ctid, 'primary key tags_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.tags x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.tags'::regclass, r.tableoid, r.ctid, 'primary key tags_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_tags_daabd2f3() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_tags_daabd2f3() for every row inserted into public.tags and every
-- change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.tags FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_tags_daabd2f3();
COMMENT ON TRIGGER softdelete_keys ON public.tags IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.calls as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- calls_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_calls_252c49e1() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.calls x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.calls x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.calls'::regclass, r.tableoid, r.ctid, 'primary key calls_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.calls x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.calls'::regclass, r.tableoid, r.ctid, 'primary key calls_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_calls_252c49e1() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_calls_252c49e1() for every row inserted into public.calls and every
-- change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.calls FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_calls_252c49e1();
COMMENT ON TRIGGER softdelete_keys ON public.calls IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.emails as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- emails_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_emails_e01ae617() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.emails x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.emails x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.emails'::regclass, r.tableoid, r.ctid, 'primary key emails_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.emails x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.emails'::regclass, r.tableoid, r.ctid, 'primary key emails_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_emails_e01ae617() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_emails_e01ae617() for every row inserted into public.emails and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.emails FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_emails_e01ae617();
COMMENT ON TRIGGER softdelete_keys ON public.emails IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.meetings as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- meetings_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_meetings_ea416ece() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.meetings x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.meetings x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.meetings'::regclass, r.tableoid, r.ctid, 'primary key meetings_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.meetings x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.meetings'::regclass, r.tableoid, r.ctid, 'primary key meetings_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_meetings_ea416ece() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_meetings_ea416ece() for every row inserted into public.meetings and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.meetings FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_meetings_ea416ece();
COMMENT ON TRIGGER softdelete_keys ON public.meetings IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.orgs as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key orgs_pkey
-- (region, id); a change of region, id evicts the trashed rows of public.badges that reference the
-- old value (badges_region_org_id_fkey); a change of region, id evicts the trashed rows of
-- public.members that reference the old value (members_region_org_id_fkey)
CREATE OR REPLACE FUNCTION softdelete.keys_public_orgs_db7b1abd() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.orgs x WHERE ((x.region = NEW.region AND x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.orgs x WHERE x.region = NEW.region AND x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.orgs'::regclass, r.tableoid, r.ctid, 'primary key orgs_pkey (region, id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.region, NEW.id) IS DISTINCT FROM ROW(OLD.region, OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.orgs x WHERE x.region = NEW.region AND x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.orgs'::regclass, r.tableoid, r.ctid, 'primary key orgs_pkey (region, id)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.region, NEW.id) IS DISTINCT FROM ROW(OLD.region, OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.badges x WHERE x.region = OLD.region AND x.org_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.badges'::regclass, r.tableoid, r.ctid, 'foreign key badges_region_org_id_fkey on public.badges', 'the key it references changed');
            END LOOP;
        END IF;
        IF ROW(NEW.region, NEW.id) IS DISTINCT FROM ROW(OLD.region, OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.members x WHERE x.region = OLD.region AND x.org_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.members'::regclass, r.tableoid, r.ctid, 'foreign key members_region_org_id_fkey on public.members', 'the key it references changed');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_orgs_db7b1abd() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_orgs_db7b1abd() for every row inserted into public.orgs and every
-- change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF region, id ON public.orgs FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_orgs_db7b1abd();
COMMENT ON TRIGGER softdelete_keys ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.members as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- members_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_members_7fd52598() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.members x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.members x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.members'::regclass, r.tableoid, r.ctid, 'primary key members_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.members x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.members'::regclass, r.tableoid, r.ctid, 'primary key members_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_members_7fd52598() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_members_7fd52598() for every row inserted into public.members and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.members FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_members_7fd52598();
COMMENT ON TRIGGER softdelete_keys ON public.members IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.badges as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- badges_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_badges_18653351() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.badges x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.badges x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.badges'::regclass, r.tableoid, r.ctid, 'primary key badges_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.badges x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.badges'::regclass, r.tableoid, r.ctid, 'primary key badges_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_badges_18653351() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_badges_18653351() for every row inserted into public.badges and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.badges FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_badges_18653351();
COMMENT ON TRIGGER softdelete_keys ON public.badges IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.folders as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- folders_pkey (id); a change of id evicts the trashed rows of public.folders that reference the
-- old value (folders_parent_id_fkey)
CREATE OR REPLACE FUNCTION softdelete.keys_public_folders_3100718d() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.folders x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.folders x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.folders'::regclass, r.tableoid, r.ctid, 'primary key folders_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.folders x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.folders'::regclass, r.tableoid, r.ctid, 'primary key folders_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.folders x WHERE x.parent_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.folders'::regclass, r.tableoid, r.ctid, 'foreign key folders_parent_id_fkey on public.folders', 'the key it references changed');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_folders_3100718d() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_folders_3100718d() for every row inserted into public.folders and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.folders FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_folders_3100718d();
COMMENT ON TRIGGER softdelete_keys ON public.folders IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.ping as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key ping_pkey
-- (id); a change of id evicts the trashed rows of public.pong that reference the old value
-- (pong_ping_id_fkey)
CREATE OR REPLACE FUNCTION softdelete.keys_public_ping_b21a0a2f() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.ping x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.ping x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.ping'::regclass, r.tableoid, r.ctid, 'primary key ping_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.ping x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.ping'::regclass, r.tableoid, r.ctid, 'primary key ping_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.pong x WHERE x.ping_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.pong'::regclass, r.tableoid, r.ctid, 'foreign key pong_ping_id_fkey on public.pong', 'the key it references changed');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_ping_b21a0a2f() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_ping_b21a0a2f() for every row inserted into public.ping and every
-- change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.ping FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_ping_b21a0a2f();
COMMENT ON TRIGGER softdelete_keys ON public.ping IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.pong as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key pong_pkey
-- (id); a change of id evicts the trashed rows of public.ping that reference the old value
-- (ping_pong_id_fkey)
CREATE OR REPLACE FUNCTION softdelete.keys_public_pong_c33a58aa() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.pong x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.pong x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.pong'::regclass, r.tableoid, r.ctid, 'primary key pong_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.pong x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.pong'::regclass, r.tableoid, r.ctid, 'primary key pong_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.ping x WHERE x.pong_id = OLD.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.ping'::regclass, r.tableoid, r.ctid, 'foreign key ping_pong_id_fkey on public.ping', 'the key it references changed');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_pong_c33a58aa() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_pong_c33a58aa() for every row inserted into public.pong and every
-- change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.pong FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_pong_c33a58aa();
COMMENT ON TRIGGER softdelete_keys ON public.pong IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.accounts as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- accounts_pkey (id, region); a change of id, region evicts the trashed rows of public.invoices
-- that reference the old value (invoices_account_id_region_fkey); a change of id, region evicts the
-- trashed rows of public.payments that reference the old value (payments_account_id_region_fkey)
CREATE OR REPLACE FUNCTION softdelete.keys_public_accounts_b04dbf07() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.accounts x WHERE ((x.id = NEW.id AND x.region = NEW.region)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.accounts x WHERE x.id = NEW.id AND x.region = NEW.region AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.accounts'::regclass, r.tableoid, r.ctid, 'primary key accounts_pkey (id, region)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id, NEW.region) IS DISTINCT FROM ROW(OLD.id, OLD.region) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.accounts x WHERE x.id = NEW.id AND x.region = NEW.region AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.accounts'::regclass, r.tableoid, r.ctid, 'primary key accounts_pkey (id, region)', 'a new row took its key');
            END LOOP;
        END IF;
        IF ROW(NEW.id, NEW.region) IS DISTINCT FROM ROW(OLD.id, OLD.region) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.invoices x WHERE x.account_id = OLD.id AND x.region = OLD.region AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.invoices'::regclass, r.tableoid, r.ctid, 'foreign key invoices_account_id_region_fkey on public.invoices', 'the key it references changed');
            END LOOP;
        END IF;
        IF ROW(NEW.id, NEW.region) IS DISTINCT FROM ROW(OLD.id, OLD.region) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.payments x WHERE x.account_id = OLD.id AND x.region = OLD.region AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.payments'::regclass, r.tableoid, r.ctid, 'foreign key payments_account_id_region_fkey on public.payments', 'the key it references changed');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_accounts_b04dbf07() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_accounts_b04dbf07() for every row inserted into public.accounts and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id, region ON public.accounts FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_accounts_b04dbf07();
COMMENT ON TRIGGER softdelete_keys ON public.accounts IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.invoices as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- invoices_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_invoices_380648f5() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.invoices x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.invoices x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.invoices'::regclass, r.tableoid, r.ctid, 'primary key invoices_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.invoices x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.invoices'::regclass, r.tableoid, r.ctid, 'primary key invoices_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_invoices_380648f5() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_invoices_380648f5() for every row inserted into public.invoices and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.invoices FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_invoices_380648f5();
COMMENT ON TRIGGER softdelete_keys ON public.invoices IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.payments as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- payments_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_payments_1e3a1336() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.payments x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.payments x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.payments'::regclass, r.tableoid, r.ctid, 'primary key payments_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.payments x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.payments'::regclass, r.tableoid, r.ctid, 'primary key payments_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_payments_1e3a1336() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_payments_1e3a1336() for every row inserted into public.payments and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.payments FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_payments_1e3a1336();
COMMENT ON TRIGGER softdelete_keys ON public.payments IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.players as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- players_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_players_ae25773f() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.players x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.players x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.players'::regclass, r.tableoid, r.ctid, 'primary key players_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.players x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.players'::regclass, r.tableoid, r.ctid, 'primary key players_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_players_ae25773f() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_players_ae25773f() for every row inserted into public.players and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.players FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_players_ae25773f();
COMMENT ON TRIGGER softdelete_keys ON public.players IS 'softdelete-proxy <fingerprint>';

-- keeps the keys of public.coaches as if its trashed rows were gone: a row that takes the key of a
-- trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): primary key
-- coaches_pkey (id)
CREATE OR REPLACE FUNCTION softdelete.keys_public_coaches_6e41b684() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM public.coaches x WHERE ((x.id = NEW.id)) AND x.deleted_at IS NOT NULL) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.coaches x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.coaches'::regclass, r.tableoid, r.ctid, 'primary key coaches_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    ELSE
        IF ROW(NEW.id) IS DISTINCT FROM ROW(OLD.id) THEN
            FOR r IN SELECT x.tableoid, x.ctid FROM public.coaches x WHERE x.id = NEW.id AND x.deleted_at IS NOT NULL FOR UPDATE LOOP
                PERFORM softdelete.evict('public.coaches'::regclass, r.tableoid, r.ctid, 'primary key coaches_pkey (id)', 'a new row took its key');
            END LOOP;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.keys_public_coaches_6e41b684() IS 'softdelete-proxy <fingerprint>';

-- calls softdelete.keys_public_coaches_6e41b684() for every row inserted into public.coaches and
-- every change of one of its keys
CREATE OR REPLACE TRIGGER softdelete_keys BEFORE INSERT OR UPDATE OF id ON public.coaches FOR EACH ROW EXECUTE FUNCTION softdelete.keys_public_coaches_6e41b684();
COMMENT ON TRIGGER softdelete_keys ON public.coaches IS 'softdelete-proxy <fingerprint>';

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
GRANT SELECT, DELETE, UPDATE (deleted_at, deleted_by) ON public.contacts TO softdelete_purger;

-- what the purger needs on public.deals: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at, deleted_by) ON public.deals TO softdelete_purger;

-- what the purger needs on public.deal_notes: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.deal_notes TO softdelete_purger;

-- what the purger needs on public.tasks: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.tasks TO softdelete_purger;

-- what the purger needs on public.tags: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.tags TO softdelete_purger;

-- what the purger needs on public.calls: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.calls TO softdelete_purger;

-- what the purger needs on public.emails: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.emails TO softdelete_purger;

-- what the purger needs on public.meetings: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.meetings TO softdelete_purger;

-- what the purger needs on public.orgs: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.orgs TO softdelete_purger;

-- what the purger needs on public.members: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.members TO softdelete_purger;

-- what the purger needs on public.badges: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.badges TO softdelete_purger;

-- what the purger needs on public.folders: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.folders TO softdelete_purger;

-- what the purger needs on public.ping: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.ping TO softdelete_purger;

-- what the purger needs on public.pong: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.pong TO softdelete_purger;

-- what the purger needs on public.accounts: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.accounts TO softdelete_purger;

-- what the purger needs on public.invoices: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.invoices TO softdelete_purger;

-- what the purger needs on public.payments: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.payments TO softdelete_purger;

-- what the purger needs on public.players: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.players TO softdelete_purger;

-- what the purger needs on public.coaches: find and lock trashed rows, delete them
GRANT SELECT, DELETE, UPDATE (deleted_at) ON public.coaches TO softdelete_purger;

-- the purger deletes the records of softdelete.evicted once their table's retention has passed
GRANT SELECT, DELETE ON softdelete.evicted TO softdelete_purger;

-- numbers delete operations: a trashed row and every row its delete cascaded to share one
CREATE SEQUENCE IF NOT EXISTS softdelete.delete_operation;

-- a trashed row that did not come with a delete operation (from a cascade) starts a new one
CREATE OR REPLACE FUNCTION softdelete.new_operation() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.deleted_op := nextval('softdelete.delete_operation'::regclass);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.new_operation() IS 'softdelete-proxy <fingerprint>';

-- a restored row belongs to no delete operation
CREATE OR REPLACE FUNCTION softdelete.clear_operation() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.deleted_op := NULL;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION softdelete.clear_operation() IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.contacts ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.contacts trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.contacts leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.deals ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.deals trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.deals FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.deals IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.deals leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.deals FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.deals IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.deal_notes ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.deal_notes trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.deal_notes FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.deal_notes IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.deal_notes leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.deal_notes FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.deal_notes IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.orgs ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.orgs trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.orgs FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.orgs leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.orgs FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.badges ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.badges trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.badges FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.badges IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.badges leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.badges FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.badges IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.folders ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.folders trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.folders FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.folders IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.folders leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.folders FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.folders IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.ping ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.ping trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.ping FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.ping IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.ping leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.ping FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.ping IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.pong ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.pong trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.pong FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.pong IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.pong leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.pong FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.pong IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.accounts ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.accounts trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.accounts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.accounts IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.accounts leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.accounts FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.accounts IS 'softdelete-proxy <fingerprint>';

-- the delete operation that trashed the row: restoring a row restores what its delete cascaded to
ALTER TABLE public.invoices ADD COLUMN IF NOT EXISTS deleted_op bigint;

-- a row of public.invoices trashed on its own starts a delete operation
CREATE OR REPLACE TRIGGER softdelete_op BEFORE UPDATE OF deleted_at ON public.invoices FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NEW.deleted_op IS NOT DISTINCT FROM OLD.deleted_op) EXECUTE FUNCTION softdelete.new_operation();
COMMENT ON TRIGGER softdelete_op ON public.invoices IS 'softdelete-proxy <fingerprint>';

-- a restored row of public.invoices leaves its delete operation
CREATE OR REPLACE TRIGGER softdelete_op_restore BEFORE UPDATE OF deleted_at ON public.invoices FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.clear_operation();
COMMENT ON TRIGGER softdelete_op_restore ON public.invoices IS 'softdelete-proxy <fingerprint>';

-- what foreign key badges_region_org_id_fkey of public.badges (ON DELETE CASCADE) does when a row
-- of public.orgs is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_fa26840e_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.badges x SET deleted_at = NEW.deleted_at, deleted_op = NEW.deleted_op
    WHERE OLD.region = x.region AND OLD.id = x.org_id AND x.deleted_at IS NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_fa26840e_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.orgs does what deleting it would: foreign key badges_region_org_id_fkey
-- of public.badges (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_01_badges_region_org_id_fkey_trash AFTER UPDATE OF deleted_at ON public.orgs FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_fa26840e_trash();
COMMENT ON TRIGGER softdelete_fk_01_badges_region_org_id_fkey_trash ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.orgs restores the rows of public.badges its delete trashed (foreign key
-- badges_region_org_id_fkey of public.badges (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_fa26840e_restore() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.badges x SET deleted_at = NULL
    WHERE OLD.region = x.region AND OLD.id = x.org_id AND x.deleted_op = OLD.deleted_op;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_fa26840e_restore() IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.orgs restores what its delete cascaded to through foreign key
-- badges_region_org_id_fkey of public.badges (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_01_badges_region_org_id_fkey_restore AFTER UPDATE OF deleted_at ON public.orgs FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND OLD.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.fk_fa26840e_restore();
COMMENT ON TRIGGER softdelete_fk_01_badges_region_org_id_fkey_restore ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- a row of public.badges must reference a live row of public.orgs (foreign key
-- badges_region_org_id_fkey of public.badges (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_fa26840e_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.orgs y WHERE y.region = NEW.region AND y.id = NEW.org_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'badges_region_org_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "badges_region_org_id_fkey"',
        DETAIL = 'Key (region, org_id)=(' || concat_ws(', ', NEW.region::text, NEW.org_id::text) || ') is not present in table "orgs".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_fa26840e_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.badges inserted, changed or restored must reference a live row of public.orgs
-- (badges_region_org_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_badges_region_org_id_fkey_ins ON public.badges;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_badges_region_org_id_fkey_ins AFTER INSERT ON public.badges NOT DEFERRABLE FOR EACH ROW WHEN (NEW.region IS NOT NULL AND NEW.org_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_fa26840e_check();
COMMENT ON TRIGGER softdelete_fk_00_badges_region_org_id_fkey_ins ON public.badges IS 'softdelete-proxy <fingerprint>';

-- a row of public.badges inserted, changed or restored must reference a live row of public.orgs
-- (badges_region_org_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_badges_region_org_id_fkey_upd ON public.badges;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_badges_region_org_id_fkey_upd AFTER UPDATE OF region, org_id, deleted_at ON public.badges NOT DEFERRABLE FOR EACH ROW WHEN (NEW.region IS NOT NULL AND NEW.org_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.region IS DISTINCT FROM NEW.region OR OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_fa26840e_check();
COMMENT ON TRIGGER softdelete_fk_00_badges_region_org_id_fkey_upd ON public.badges IS 'softdelete-proxy <fingerprint>';

-- what foreign key calls_contact_id_fkey of public.calls (ON DELETE RESTRICT) does when a row of
-- public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_d7d5bbce_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    conname text := 'calls_contact_id_fkey';
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ONLY public.calls x WHERE OLD.id = x.contact_id AND x.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = 'calls', CONSTRAINT = conname,
        MESSAGE = 'update or delete on table "' || TG_TABLE_NAME || '" violates foreign key constraint "' || conname || '" on table "calls"',
        DETAIL = 'Key (id)=(' || concat_ws(', ', OLD.id::text) || ') is still referenced from table "calls".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_d7d5bbce_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key calls_contact_id_fkey
-- of public.calls (ON DELETE RESTRICT)
CREATE OR REPLACE TRIGGER softdelete_fk_03_calls_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_d7d5bbce_trash();
COMMENT ON TRIGGER softdelete_fk_03_calls_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.calls must reference a live row of public.contacts (foreign key
-- calls_contact_id_fkey of public.calls (ON DELETE RESTRICT))
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
CREATE CONSTRAINT TRIGGER softdelete_fk_00_calls_contact_id_fkey_ins AFTER INSERT ON public.calls NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_d7d5bbce_check();
COMMENT ON TRIGGER softdelete_fk_00_calls_contact_id_fkey_ins ON public.calls IS 'softdelete-proxy <fingerprint>';

-- a row of public.calls inserted, changed or restored must reference a live row of public.contacts
-- (calls_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_calls_contact_id_fkey_upd ON public.calls;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_calls_contact_id_fkey_upd AFTER UPDATE OF contact_id, deleted_at ON public.calls NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_d7d5bbce_check();
COMMENT ON TRIGGER softdelete_fk_00_calls_contact_id_fkey_upd ON public.calls IS 'softdelete-proxy <fingerprint>';

-- what foreign key contact_refs_contact_id_fkey of public.contact_refs (ON DELETE SET NULL) does
-- when a row of public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_a30232e0_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.contact_refs x SET contact_id = NULL
    WHERE OLD.id = x.contact_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_a30232e0_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key
-- contact_refs_contact_id_fkey of public.contact_refs (ON DELETE SET NULL)
CREATE OR REPLACE TRIGGER softdelete_fk_07_contact_refs_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_a30232e0_trash();
COMMENT ON TRIGGER softdelete_fk_07_contact_refs_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.contact_refs must reference a live row of public.contacts (foreign key
-- contact_refs_contact_id_fkey of public.contact_refs (ON DELETE SET NULL))
CREATE OR REPLACE FUNCTION softdelete.fk_a30232e0_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'contact_refs_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "contact_refs_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_a30232e0_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.contact_refs inserted, changed or restored must reference a live row of
-- public.contacts (contact_refs_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_contact_refs_contact_id_fkey_ins ON public.contact_refs;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_contact_refs_contact_id_fkey_ins AFTER INSERT ON public.contact_refs NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL) EXECUTE FUNCTION softdelete.fk_a30232e0_check();
COMMENT ON TRIGGER softdelete_fk_00_contact_refs_contact_id_fkey_ins ON public.contact_refs IS 'softdelete-proxy <fingerprint>';

-- a row of public.contact_refs inserted, changed or restored must reference a live row of
-- public.contacts (contact_refs_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_contact_refs_contact_id_fkey_upd ON public.contact_refs;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_contact_refs_contact_id_fkey_upd AFTER UPDATE OF contact_id ON public.contact_refs NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id)) EXECUTE FUNCTION softdelete.fk_a30232e0_check();
COMMENT ON TRIGGER softdelete_fk_00_contact_refs_contact_id_fkey_upd ON public.contact_refs IS 'softdelete-proxy <fingerprint>';

-- what foreign key deal_notes_deal_id_fkey of public.deal_notes (ON DELETE CASCADE) does when a row
-- of public.deals is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_e9098d43_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.deal_notes x SET deleted_at = NEW.deleted_at, deleted_op = NEW.deleted_op
    WHERE OLD.id = x.deal_id AND x.deleted_at IS NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_e9098d43_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.deals does what deleting it would: foreign key deal_notes_deal_id_fkey
-- of public.deal_notes (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_deal_notes_deal_id_fkey_trash AFTER UPDATE OF deleted_at ON public.deals FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_e9098d43_trash();
COMMENT ON TRIGGER softdelete_fk_00_deal_notes_deal_id_fkey_trash ON public.deals IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.deals restores the rows of public.deal_notes its delete trashed
-- (foreign key deal_notes_deal_id_fkey of public.deal_notes (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_e9098d43_restore() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.deal_notes x SET deleted_at = NULL
    WHERE OLD.id = x.deal_id AND x.deleted_op = OLD.deleted_op;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_e9098d43_restore() IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.deals restores what its delete cascaded to through foreign key
-- deal_notes_deal_id_fkey of public.deal_notes (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_deal_notes_deal_id_fkey_restore AFTER UPDATE OF deleted_at ON public.deals FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND OLD.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.fk_e9098d43_restore();
COMMENT ON TRIGGER softdelete_fk_00_deal_notes_deal_id_fkey_restore ON public.deals IS 'softdelete-proxy <fingerprint>';

-- a row of public.deal_notes must reference a live row of public.deals (foreign key
-- deal_notes_deal_id_fkey of public.deal_notes (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_e9098d43_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.deals y WHERE y.id = NEW.deal_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'deal_notes_deal_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "deal_notes_deal_id_fkey"',
        DETAIL = 'Key (deal_id)=(' || concat_ws(', ', NEW.deal_id::text) || ') is not present in table "deals".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_e9098d43_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.deal_notes inserted, changed or restored must reference a live row of
-- public.deals (deal_notes_deal_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_deal_notes_deal_id_fkey_ins ON public.deal_notes;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_deal_notes_deal_id_fkey_ins AFTER INSERT ON public.deal_notes NOT DEFERRABLE FOR EACH ROW WHEN (NEW.deal_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_e9098d43_check();
COMMENT ON TRIGGER softdelete_fk_00_deal_notes_deal_id_fkey_ins ON public.deal_notes IS 'softdelete-proxy <fingerprint>';

-- a row of public.deal_notes inserted, changed or restored must reference a live row of
-- public.deals (deal_notes_deal_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_deal_notes_deal_id_fkey_upd ON public.deal_notes;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_deal_notes_deal_id_fkey_upd AFTER UPDATE OF deal_id, deleted_at ON public.deal_notes NOT DEFERRABLE FOR EACH ROW WHEN (NEW.deal_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.deal_id IS DISTINCT FROM NEW.deal_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_e9098d43_check();
COMMENT ON TRIGGER softdelete_fk_00_deal_notes_deal_id_fkey_upd ON public.deal_notes IS 'softdelete-proxy <fingerprint>';

-- what foreign key deals_contact_id_fkey of public.deals (ON DELETE CASCADE) does when a row of
-- public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_4e59b32e_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.deals x SET deleted_at = NEW.deleted_at, deleted_op = NEW.deleted_op, deleted_by = NEW.deleted_by
    WHERE OLD.id = x.contact_id AND x.deleted_at IS NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_4e59b32e_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key deals_contact_id_fkey
-- of public.deals (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_deals_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_4e59b32e_trash();
COMMENT ON TRIGGER softdelete_fk_00_deals_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.contacts restores the rows of public.deals its delete trashed (foreign
-- key deals_contact_id_fkey of public.deals (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_4e59b32e_restore() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.deals x SET deleted_at = NULL, deleted_by = NULL
    WHERE OLD.id = x.contact_id AND x.deleted_op = OLD.deleted_op;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_4e59b32e_restore() IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.contacts restores what its delete cascaded to through foreign key
-- deals_contact_id_fkey of public.deals (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_deals_contact_id_fkey_restore AFTER UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND OLD.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.fk_4e59b32e_restore();
COMMENT ON TRIGGER softdelete_fk_00_deals_contact_id_fkey_restore ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.deals must reference a live row of public.contacts (foreign key
-- deals_contact_id_fkey of public.deals (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_4e59b32e_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'deals_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "deals_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_4e59b32e_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.deals inserted, changed or restored must reference a live row of public.contacts
-- (deals_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_deals_contact_id_fkey_ins ON public.deals;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_deals_contact_id_fkey_ins AFTER INSERT ON public.deals NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_4e59b32e_check();
COMMENT ON TRIGGER softdelete_fk_00_deals_contact_id_fkey_ins ON public.deals IS 'softdelete-proxy <fingerprint>';

-- a row of public.deals inserted, changed or restored must reference a live row of public.contacts
-- (deals_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_deals_contact_id_fkey_upd ON public.deals;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_deals_contact_id_fkey_upd AFTER UPDATE OF contact_id, deleted_at ON public.deals NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_4e59b32e_check();
COMMENT ON TRIGGER softdelete_fk_00_deals_contact_id_fkey_upd ON public.deals IS 'softdelete-proxy <fingerprint>';

-- what foreign key emails_contact_id_fkey of public.emails (ON DELETE NO ACTION) does when a row of
-- public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_be0456d4_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    conname text := 'emails_contact_id_fkey';
BEGIN
    IF EXISTS (SELECT 1 FROM ONLY public.contacts y WHERE y.id = OLD.id AND y.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ONLY public.emails x WHERE OLD.id = x.contact_id AND x.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = 'emails', CONSTRAINT = conname,
        MESSAGE = 'update or delete on table "' || TG_TABLE_NAME || '" violates foreign key constraint "' || conname || '" on table "emails"',
        DETAIL = 'Key (id)=(' || concat_ws(', ', OLD.id::text) || ') is still referenced from table "emails".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_be0456d4_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key emails_contact_id_fkey
-- of public.emails (ON DELETE NO ACTION)
DROP TRIGGER IF EXISTS softdelete_fk_04_emails_contact_id_fkey_trash ON public.contacts;
CREATE CONSTRAINT TRIGGER softdelete_fk_04_emails_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts NOT DEFERRABLE FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_be0456d4_trash();
COMMENT ON TRIGGER softdelete_fk_04_emails_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.emails must reference a live row of public.contacts (foreign key
-- emails_contact_id_fkey of public.emails (ON DELETE NO ACTION))
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
CREATE CONSTRAINT TRIGGER softdelete_fk_00_emails_contact_id_fkey_ins AFTER INSERT ON public.emails NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_be0456d4_check();
COMMENT ON TRIGGER softdelete_fk_00_emails_contact_id_fkey_ins ON public.emails IS 'softdelete-proxy <fingerprint>';

-- a row of public.emails inserted, changed or restored must reference a live row of public.contacts
-- (emails_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_emails_contact_id_fkey_upd ON public.emails;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_emails_contact_id_fkey_upd AFTER UPDATE OF contact_id, deleted_at ON public.emails NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_be0456d4_check();
COMMENT ON TRIGGER softdelete_fk_00_emails_contact_id_fkey_upd ON public.emails IS 'softdelete-proxy <fingerprint>';

-- what foreign key folders_parent_id_fkey of public.folders (ON DELETE CASCADE) does when a row of
-- public.folders is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_555c8e05_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.folders x SET deleted_at = NEW.deleted_at, deleted_op = NEW.deleted_op
    WHERE OLD.id = x.parent_id AND x.deleted_at IS NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_555c8e05_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.folders does what deleting it would: foreign key folders_parent_id_fkey
-- of public.folders (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_folders_parent_id_fkey_trash AFTER UPDATE OF deleted_at ON public.folders FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_555c8e05_trash();
COMMENT ON TRIGGER softdelete_fk_00_folders_parent_id_fkey_trash ON public.folders IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.folders restores the rows of public.folders its delete trashed (foreign
-- key folders_parent_id_fkey of public.folders (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_555c8e05_restore() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.folders x SET deleted_at = NULL
    WHERE OLD.id = x.parent_id AND x.deleted_op = OLD.deleted_op;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_555c8e05_restore() IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.folders restores what its delete cascaded to through foreign key
-- folders_parent_id_fkey of public.folders (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_folders_parent_id_fkey_restore AFTER UPDATE OF deleted_at ON public.folders FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND OLD.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.fk_555c8e05_restore();
COMMENT ON TRIGGER softdelete_fk_00_folders_parent_id_fkey_restore ON public.folders IS 'softdelete-proxy <fingerprint>';

-- a row of public.folders must reference a live row of public.folders (foreign key
-- folders_parent_id_fkey of public.folders (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_555c8e05_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.folders y WHERE y.id = NEW.parent_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'folders_parent_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "folders_parent_id_fkey"',
        DETAIL = 'Key (parent_id)=(' || concat_ws(', ', NEW.parent_id::text) || ') is not present in table "folders".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_555c8e05_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.folders inserted, changed or restored must reference a live row of public.folders
-- (folders_parent_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_folders_parent_id_fkey_ins ON public.folders;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_folders_parent_id_fkey_ins AFTER INSERT ON public.folders NOT DEFERRABLE FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_555c8e05_check();
COMMENT ON TRIGGER softdelete_fk_00_folders_parent_id_fkey_ins ON public.folders IS 'softdelete-proxy <fingerprint>';

-- a row of public.folders inserted, changed or restored must reference a live row of public.folders
-- (folders_parent_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_folders_parent_id_fkey_upd ON public.folders;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_folders_parent_id_fkey_upd AFTER UPDATE OF parent_id, deleted_at ON public.folders NOT DEFERRABLE FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.parent_id IS DISTINCT FROM NEW.parent_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_555c8e05_check();
COMMENT ON TRIGGER softdelete_fk_00_folders_parent_id_fkey_upd ON public.folders IS 'softdelete-proxy <fingerprint>';

-- what foreign key invoices_account_id_region_fkey of public.invoices (ON DELETE CASCADE) does when
-- a row of public.accounts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_867ea332_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.invoices x SET deleted_at = NEW.deleted_at, deleted_op = NEW.deleted_op
    WHERE OLD.id = x.account_id AND OLD.region = x.region AND x.deleted_at IS NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_867ea332_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.accounts does what deleting it would: foreign key
-- invoices_account_id_region_fkey of public.invoices (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_invoices_account_id_region_fkey_trash AFTER UPDATE OF deleted_at ON public.accounts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_867ea332_trash();
COMMENT ON TRIGGER softdelete_fk_00_invoices_account_id_region_fkey_trash ON public.accounts IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.accounts restores the rows of public.invoices its delete trashed
-- (foreign key invoices_account_id_region_fkey of public.invoices (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_867ea332_restore() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.invoices x SET deleted_at = NULL
    WHERE OLD.id = x.account_id AND OLD.region = x.region AND x.deleted_op = OLD.deleted_op;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_867ea332_restore() IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.accounts restores what its delete cascaded to through foreign key
-- invoices_account_id_region_fkey of public.invoices (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_invoices_account_id_region_fkey_restore AFTER UPDATE OF deleted_at ON public.accounts FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND OLD.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.fk_867ea332_restore();
COMMENT ON TRIGGER softdelete_fk_00_invoices_account_id_region_fkey_restore ON public.accounts IS 'softdelete-proxy <fingerprint>';

-- a row of public.invoices must reference a live row of public.accounts (foreign key
-- invoices_account_id_region_fkey of public.invoices (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_867ea332_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM public.accounts y WHERE y.id = NEW.account_id AND y.region = NEW.region AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'invoices_account_id_region_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "invoices_account_id_region_fkey"',
        DETAIL = 'Key (account_id, region)=(' || concat_ws(', ', NEW.account_id::text, NEW.region::text) || ') is not present in table "accounts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_867ea332_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.invoices inserted, changed or restored must reference a live row of
-- public.accounts (invoices_account_id_region_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_invoices_account_id_region_fkey_ins ON public.invoices;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_invoices_account_id_region_fkey_ins AFTER INSERT ON public.invoices NOT DEFERRABLE FOR EACH ROW WHEN (NEW.account_id IS NOT NULL AND NEW.region IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_867ea332_check();
COMMENT ON TRIGGER softdelete_fk_00_invoices_account_id_region_fkey_ins ON public.invoices IS 'softdelete-proxy <fingerprint>';

-- a row of public.invoices inserted, changed or restored must reference a live row of
-- public.accounts (invoices_account_id_region_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_invoices_account_id_region_fkey_upd ON public.invoices;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_invoices_account_id_region_fkey_upd AFTER UPDATE OF account_id, region, deleted_at ON public.invoices NOT DEFERRABLE FOR EACH ROW WHEN (NEW.account_id IS NOT NULL AND NEW.region IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.region IS DISTINCT FROM NEW.region OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_867ea332_check();
COMMENT ON TRIGGER softdelete_fk_00_invoices_account_id_region_fkey_upd ON public.invoices IS 'softdelete-proxy <fingerprint>';

-- what foreign key meetings_contact_id_fkey of public.meetings (ON DELETE NO ACTION) does when a
-- row of public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_3431ba35_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    conname text := 'meetings_contact_id_fkey';
BEGIN
    IF EXISTS (SELECT 1 FROM ONLY public.contacts y WHERE y.id = OLD.id AND y.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ONLY public.meetings x WHERE OLD.id = x.contact_id AND x.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = 'meetings', CONSTRAINT = conname,
        MESSAGE = 'update or delete on table "' || TG_TABLE_NAME || '" violates foreign key constraint "' || conname || '" on table "meetings"',
        DETAIL = 'Key (id)=(' || concat_ws(', ', OLD.id::text) || ') is still referenced from table "meetings".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_3431ba35_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key
-- meetings_contact_id_fkey of public.meetings (ON DELETE NO ACTION)
DROP TRIGGER IF EXISTS softdelete_fk_05_meetings_contact_id_fkey_trash ON public.contacts;
CREATE CONSTRAINT TRIGGER softdelete_fk_05_meetings_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_3431ba35_trash();
COMMENT ON TRIGGER softdelete_fk_05_meetings_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.meetings must reference a live row of public.contacts (foreign key
-- meetings_contact_id_fkey of public.meetings (ON DELETE NO ACTION))
CREATE OR REPLACE FUNCTION softdelete.fk_3431ba35_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ONLY public.meetings x WHERE x.contact_id = NEW.contact_id AND x.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'meetings_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "meetings_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_3431ba35_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.meetings inserted, changed or restored must reference a live row of
-- public.contacts (meetings_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_meetings_contact_id_fkey_ins ON public.meetings;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_meetings_contact_id_fkey_ins AFTER INSERT ON public.meetings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_3431ba35_check();
COMMENT ON TRIGGER softdelete_fk_00_meetings_contact_id_fkey_ins ON public.meetings IS 'softdelete-proxy <fingerprint>';

-- a row of public.meetings inserted, changed or restored must reference a live row of
-- public.contacts (meetings_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_meetings_contact_id_fkey_upd ON public.meetings;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_meetings_contact_id_fkey_upd AFTER UPDATE OF contact_id, deleted_at ON public.meetings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_3431ba35_check();
COMMENT ON TRIGGER softdelete_fk_00_meetings_contact_id_fkey_upd ON public.meetings IS 'softdelete-proxy <fingerprint>';

-- what foreign key members_region_org_id_fkey of public.members (ON DELETE SET NULL) does when a
-- row of public.orgs is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_c8fc5d0d_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.members x SET org_id = NULL
    WHERE OLD.region = x.region AND OLD.id = x.org_id AND x.deleted_at IS NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_c8fc5d0d_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.orgs does what deleting it would: foreign key members_region_org_id_fkey
-- of public.members (ON DELETE SET NULL)
CREATE OR REPLACE TRIGGER softdelete_fk_00_members_region_org_id_fkey_trash AFTER UPDATE OF deleted_at ON public.orgs FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_c8fc5d0d_trash();
COMMENT ON TRIGGER softdelete_fk_00_members_region_org_id_fkey_trash ON public.orgs IS 'softdelete-proxy <fingerprint>';

-- a row of public.members must reference a live row of public.orgs (foreign key
-- members_region_org_id_fkey of public.members (ON DELETE SET NULL))
CREATE OR REPLACE FUNCTION softdelete.fk_c8fc5d0d_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.orgs y WHERE y.region = NEW.region AND y.id = NEW.org_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'members_region_org_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "members_region_org_id_fkey"',
        DETAIL = 'Key (region, org_id)=(' || concat_ws(', ', NEW.region::text, NEW.org_id::text) || ') is not present in table "orgs".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_c8fc5d0d_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.members inserted, changed or restored must reference a live row of public.orgs
-- (members_region_org_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_members_region_org_id_fkey_ins ON public.members;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_members_region_org_id_fkey_ins AFTER INSERT ON public.members NOT DEFERRABLE FOR EACH ROW WHEN (NEW.region IS NOT NULL AND NEW.org_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_c8fc5d0d_check();
COMMENT ON TRIGGER softdelete_fk_00_members_region_org_id_fkey_ins ON public.members IS 'softdelete-proxy <fingerprint>';

-- a row of public.members inserted, changed or restored must reference a live row of public.orgs
-- (members_region_org_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_members_region_org_id_fkey_upd ON public.members;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_members_region_org_id_fkey_upd AFTER UPDATE OF region, org_id, deleted_at ON public.members NOT DEFERRABLE FOR EACH ROW WHEN (NEW.region IS NOT NULL AND NEW.org_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.region IS DISTINCT FROM NEW.region OR OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_c8fc5d0d_check();
COMMENT ON TRIGGER softdelete_fk_00_members_region_org_id_fkey_upd ON public.members IS 'softdelete-proxy <fingerprint>';

-- what foreign key notes_contact_id_fkey of public.notes (ON DELETE CASCADE) does when a row of
-- public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_13ed236a_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ONLY public.notes x WHERE OLD.id = x.contact_id) THEN
        RAISE EXCEPTION USING ERRCODE = '0A000', SCHEMA = 'public', TABLE = 'notes', CONSTRAINT = 'notes_contact_id_fkey',
            MESSAGE = 'soft delete of a row of public.contacts refused: foreign key notes_contact_id_fkey of public.notes is ON DELETE CASCADE and public.notes is not managed, so deleting the row would delete its rows there for good',
            HINT = 'Add public.notes to the policy (tables:) and run softdelete-proxy migrate, or delete or re-point its rows first.';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_13ed236a_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key notes_contact_id_fkey
-- of public.notes (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_06_notes_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_13ed236a_trash();
COMMENT ON TRIGGER softdelete_fk_06_notes_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.notes must reference a live row of public.contacts (foreign key
-- notes_contact_id_fkey of public.notes (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_13ed236a_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'notes_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "notes_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_13ed236a_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.notes inserted, changed or restored must reference a live row of public.contacts
-- (notes_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_notes_contact_id_fkey_ins ON public.notes;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_notes_contact_id_fkey_ins AFTER INSERT ON public.notes NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL) EXECUTE FUNCTION softdelete.fk_13ed236a_check();
COMMENT ON TRIGGER softdelete_fk_00_notes_contact_id_fkey_ins ON public.notes IS 'softdelete-proxy <fingerprint>';

-- a row of public.notes inserted, changed or restored must reference a live row of public.contacts
-- (notes_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_notes_contact_id_fkey_upd ON public.notes;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_notes_contact_id_fkey_upd AFTER UPDATE OF contact_id ON public.notes NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id)) EXECUTE FUNCTION softdelete.fk_13ed236a_check();
COMMENT ON TRIGGER softdelete_fk_00_notes_contact_id_fkey_upd ON public.notes IS 'softdelete-proxy <fingerprint>';

-- what foreign key payments_account_id_region_fkey of public.payments (ON DELETE NO ACTION) does
-- when a row of public.accounts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_c2b275ee_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    conname text := 'payments_account_id_region_fkey';
BEGIN
    IF EXISTS (SELECT 1 FROM public.accounts y WHERE y.id = OLD.id AND y.region = OLD.region AND y.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ONLY public.payments x WHERE OLD.id = x.account_id AND OLD.region = x.region AND x.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    conname := coalesce((WITH RECURSIVE d AS (
        SELECT f.oid, f.conname, f.confrelid FROM pg_constraint f WHERE f.contype = 'f' AND f.conrelid = 'public.payments'::regclass AND f.conname = 'payments_account_id_region_fkey' AND f.conparentid = 0
        UNION ALL
        SELECT f.oid, f.conname, f.confrelid FROM pg_constraint f JOIN d ON f.conparentid = d.oid WHERE f.conrelid = 'public.payments'::regclass)
    SELECT d.conname::text FROM d WHERE d.confrelid = TG_RELID LIMIT 1), conname);
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = 'payments', CONSTRAINT = conname,
        MESSAGE = 'update or delete on table "' || TG_TABLE_NAME || '" violates foreign key constraint "' || conname || '" on table "payments"',
        DETAIL = 'Key (id, region)=(' || concat_ws(', ', OLD.id::text, OLD.region::text) || ') is still referenced from table "payments".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_c2b275ee_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.accounts does what deleting it would: foreign key
-- payments_account_id_region_fkey of public.payments (ON DELETE NO ACTION)
DROP TRIGGER IF EXISTS softdelete_fk_01_payments_account_id_region_fkey_trash ON public.accounts;
CREATE CONSTRAINT TRIGGER softdelete_fk_01_payments_account_id_region_fkey_trash AFTER UPDATE OF deleted_at ON public.accounts NOT DEFERRABLE FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_c2b275ee_trash();
COMMENT ON TRIGGER softdelete_fk_01_payments_account_id_region_fkey_trash ON public.accounts IS 'softdelete-proxy <fingerprint>';

-- a row of public.payments must reference a live row of public.accounts (foreign key
-- payments_account_id_region_fkey of public.payments (ON DELETE NO ACTION))
CREATE OR REPLACE FUNCTION softdelete.fk_c2b275ee_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM public.accounts y WHERE y.id = NEW.account_id AND y.region = NEW.region AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'payments_account_id_region_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "payments_account_id_region_fkey"',
        DETAIL = 'Key (account_id, region)=(' || concat_ws(', ', NEW.account_id::text, NEW.region::text) || ') is not present in table "accounts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_c2b275ee_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.payments inserted, changed or restored must reference a live row of
-- public.accounts (payments_account_id_region_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_payments_account_id_region_fkey_ins ON public.payments;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_payments_account_id_region_fkey_ins AFTER INSERT ON public.payments NOT DEFERRABLE FOR EACH ROW WHEN (NEW.account_id IS NOT NULL AND NEW.region IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_c2b275ee_check();
COMMENT ON TRIGGER softdelete_fk_00_payments_account_id_region_fkey_ins ON public.payments IS 'softdelete-proxy <fingerprint>';

-- a row of public.payments inserted, changed or restored must reference a live row of
-- public.accounts (payments_account_id_region_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_payments_account_id_region_fkey_upd ON public.payments;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_payments_account_id_region_fkey_upd AFTER UPDATE OF account_id, region, deleted_at ON public.payments NOT DEFERRABLE FOR EACH ROW WHEN (NEW.account_id IS NOT NULL AND NEW.region IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.region IS DISTINCT FROM NEW.region OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_c2b275ee_check();
COMMENT ON TRIGGER softdelete_fk_00_payments_account_id_region_fkey_upd ON public.payments IS 'softdelete-proxy <fingerprint>';

-- what foreign key ping_pong_id_fkey of public.ping (ON DELETE CASCADE) does when a row of
-- public.pong is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_f82eed69_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.ping x SET deleted_at = NEW.deleted_at, deleted_op = NEW.deleted_op
    WHERE OLD.id = x.pong_id AND x.deleted_at IS NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_f82eed69_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.pong does what deleting it would: foreign key ping_pong_id_fkey of
-- public.ping (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_ping_pong_id_fkey_trash AFTER UPDATE OF deleted_at ON public.pong FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_f82eed69_trash();
COMMENT ON TRIGGER softdelete_fk_00_ping_pong_id_fkey_trash ON public.pong IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.pong restores the rows of public.ping its delete trashed (foreign key
-- ping_pong_id_fkey of public.ping (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_f82eed69_restore() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.ping x SET deleted_at = NULL
    WHERE OLD.id = x.pong_id AND x.deleted_op = OLD.deleted_op;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_f82eed69_restore() IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.pong restores what its delete cascaded to through foreign key
-- ping_pong_id_fkey of public.ping (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_ping_pong_id_fkey_restore AFTER UPDATE OF deleted_at ON public.pong FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND OLD.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.fk_f82eed69_restore();
COMMENT ON TRIGGER softdelete_fk_00_ping_pong_id_fkey_restore ON public.pong IS 'softdelete-proxy <fingerprint>';

-- a row of public.ping must reference a live row of public.pong (foreign key ping_pong_id_fkey of
-- public.ping (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_f82eed69_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.pong y WHERE y.id = NEW.pong_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ONLY public.ping x WHERE x.pong_id = NEW.pong_id AND x.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'ping_pong_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "ping_pong_id_fkey"',
        DETAIL = 'Key (pong_id)=(' || concat_ws(', ', NEW.pong_id::text) || ') is not present in table "pong".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_f82eed69_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.ping inserted, changed or restored must reference a live row of public.pong
-- (ping_pong_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_ping_pong_id_fkey_ins ON public.ping;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_ping_pong_id_fkey_ins AFTER INSERT ON public.ping DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.pong_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_f82eed69_check();
COMMENT ON TRIGGER softdelete_fk_00_ping_pong_id_fkey_ins ON public.ping IS 'softdelete-proxy <fingerprint>';

-- a row of public.ping inserted, changed or restored must reference a live row of public.pong
-- (ping_pong_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_ping_pong_id_fkey_upd ON public.ping;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_ping_pong_id_fkey_upd AFTER UPDATE OF pong_id, deleted_at ON public.ping DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.pong_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.pong_id IS DISTINCT FROM NEW.pong_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_f82eed69_check();
COMMENT ON TRIGGER softdelete_fk_00_ping_pong_id_fkey_upd ON public.ping IS 'softdelete-proxy <fingerprint>';

-- what foreign key pong_ping_id_fkey of public.pong (ON DELETE CASCADE) does when a row of
-- public.ping is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_7a71028e_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.pong x SET deleted_at = NEW.deleted_at, deleted_op = NEW.deleted_op
    WHERE OLD.id = x.ping_id AND x.deleted_at IS NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_7a71028e_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.ping does what deleting it would: foreign key pong_ping_id_fkey of
-- public.pong (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_pong_ping_id_fkey_trash AFTER UPDATE OF deleted_at ON public.ping FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_7a71028e_trash();
COMMENT ON TRIGGER softdelete_fk_00_pong_ping_id_fkey_trash ON public.ping IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.ping restores the rows of public.pong its delete trashed (foreign key
-- pong_ping_id_fkey of public.pong (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_7a71028e_restore() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.pong x SET deleted_at = NULL
    WHERE OLD.id = x.ping_id AND x.deleted_op = OLD.deleted_op;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_7a71028e_restore() IS 'softdelete-proxy <fingerprint>';

-- restoring a row of public.ping restores what its delete cascaded to through foreign key
-- pong_ping_id_fkey of public.pong (ON DELETE CASCADE)
CREATE OR REPLACE TRIGGER softdelete_fk_00_pong_ping_id_fkey_restore AFTER UPDATE OF deleted_at ON public.ping FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND OLD.deleted_op IS NOT NULL) EXECUTE FUNCTION softdelete.fk_7a71028e_restore();
COMMENT ON TRIGGER softdelete_fk_00_pong_ping_id_fkey_restore ON public.ping IS 'softdelete-proxy <fingerprint>';

-- a row of public.pong must reference a live row of public.ping (foreign key pong_ping_id_fkey of
-- public.pong (ON DELETE CASCADE))
CREATE OR REPLACE FUNCTION softdelete.fk_7a71028e_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.ping y WHERE y.id = NEW.ping_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'pong_ping_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "pong_ping_id_fkey"',
        DETAIL = 'Key (ping_id)=(' || concat_ws(', ', NEW.ping_id::text) || ') is not present in table "ping".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_7a71028e_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.pong inserted, changed or restored must reference a live row of public.ping
-- (pong_ping_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_pong_ping_id_fkey_ins ON public.pong;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_pong_ping_id_fkey_ins AFTER INSERT ON public.pong NOT DEFERRABLE FOR EACH ROW WHEN (NEW.ping_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_7a71028e_check();
COMMENT ON TRIGGER softdelete_fk_00_pong_ping_id_fkey_ins ON public.pong IS 'softdelete-proxy <fingerprint>';

-- a row of public.pong inserted, changed or restored must reference a live row of public.ping
-- (pong_ping_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_pong_ping_id_fkey_upd ON public.pong;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_pong_ping_id_fkey_upd AFTER UPDATE OF ping_id, deleted_at ON public.pong NOT DEFERRABLE FOR EACH ROW WHEN (NEW.ping_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.ping_id IS DISTINCT FROM NEW.ping_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_7a71028e_check();
COMMENT ON TRIGGER softdelete_fk_00_pong_ping_id_fkey_upd ON public.pong IS 'softdelete-proxy <fingerprint>';

-- what foreign key tags_contact_id_fkey of public.tags (ON DELETE SET DEFAULT) does when a row of
-- public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_ab9b73ad_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    conname text := 'tags_contact_id_fkey';
BEGIN
    UPDATE ONLY public.tags x SET contact_id = DEFAULT
    WHERE OLD.id = x.contact_id AND x.deleted_at IS NULL;
    IF EXISTS (SELECT 1 FROM ONLY public.contacts y WHERE y.id = OLD.id AND y.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ONLY public.tags x WHERE OLD.id = x.contact_id AND x.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = 'tags', CONSTRAINT = conname,
        MESSAGE = 'update or delete on table "' || TG_TABLE_NAME || '" violates foreign key constraint "' || conname || '" on table "tags"',
        DETAIL = 'Key (id)=(' || concat_ws(', ', OLD.id::text) || ') is still referenced from table "tags".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_ab9b73ad_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key tags_contact_id_fkey
-- of public.tags (ON DELETE SET DEFAULT)
CREATE OR REPLACE TRIGGER softdelete_fk_02_tags_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_ab9b73ad_trash();
COMMENT ON TRIGGER softdelete_fk_02_tags_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.tags must reference a live row of public.contacts (foreign key
-- tags_contact_id_fkey of public.tags (ON DELETE SET DEFAULT))
CREATE OR REPLACE FUNCTION softdelete.fk_ab9b73ad_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'tags_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "tags_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_ab9b73ad_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.tags inserted, changed or restored must reference a live row of public.contacts
-- (tags_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_tags_contact_id_fkey_ins ON public.tags;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_tags_contact_id_fkey_ins AFTER INSERT ON public.tags NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_ab9b73ad_check();
COMMENT ON TRIGGER softdelete_fk_00_tags_contact_id_fkey_ins ON public.tags IS 'softdelete-proxy <fingerprint>';

-- a row of public.tags inserted, changed or restored must reference a live row of public.contacts
-- (tags_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_tags_contact_id_fkey_upd ON public.tags;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_tags_contact_id_fkey_upd AFTER UPDATE OF contact_id, deleted_at ON public.tags NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_ab9b73ad_check();
COMMENT ON TRIGGER softdelete_fk_00_tags_contact_id_fkey_upd ON public.tags IS 'softdelete-proxy <fingerprint>';

-- what foreign key tasks_contact_id_fkey of public.tasks (ON DELETE SET NULL) does when a row of
-- public.contacts is trashed
CREATE OR REPLACE FUNCTION softdelete.fk_97f34f3b_trash() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE ONLY public.tasks x SET contact_id = NULL
    WHERE OLD.id = x.contact_id AND x.deleted_at IS NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION softdelete.fk_97f34f3b_trash() IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.contacts does what deleting it would: foreign key tasks_contact_id_fkey
-- of public.tasks (ON DELETE SET NULL)
CREATE OR REPLACE TRIGGER softdelete_fk_01_tasks_contact_id_fkey_trash AFTER UPDATE OF deleted_at ON public.contacts FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION softdelete.fk_97f34f3b_trash();
COMMENT ON TRIGGER softdelete_fk_01_tasks_contact_id_fkey_trash ON public.contacts IS 'softdelete-proxy <fingerprint>';

-- a row of public.tasks must reference a live row of public.contacts (foreign key
-- tasks_contact_id_fkey of public.tasks (ON DELETE SET NULL))
CREATE OR REPLACE FUNCTION softdelete.fk_97f34f3b_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ONLY public.contacts y WHERE y.id = NEW.contact_id AND y.deleted_at IS NULL FOR SHARE OF y;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = 'public', TABLE = TG_TABLE_NAME, CONSTRAINT = 'tasks_contact_id_fkey',
        MESSAGE = 'insert or update on table "' || TG_TABLE_NAME || '" violates foreign key constraint "tasks_contact_id_fkey"',
        DETAIL = 'Key (contact_id)=(' || concat_ws(', ', NEW.contact_id::text) || ') is not present in table "contacts".';
END
$$;
COMMENT ON FUNCTION softdelete.fk_97f34f3b_check() IS 'softdelete-proxy <fingerprint>';

-- a row of public.tasks inserted, changed or restored must reference a live row of public.contacts
-- (tasks_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_tasks_contact_id_fkey_ins ON public.tasks;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_tasks_contact_id_fkey_ins AFTER INSERT ON public.tasks NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION softdelete.fk_97f34f3b_check();
COMMENT ON TRIGGER softdelete_fk_00_tasks_contact_id_fkey_ins ON public.tasks IS 'softdelete-proxy <fingerprint>';

-- a row of public.tasks inserted, changed or restored must reference a live row of public.contacts
-- (tasks_contact_id_fkey)
DROP TRIGGER IF EXISTS softdelete_fk_00_tasks_contact_id_fkey_upd ON public.tasks;
CREATE CONSTRAINT TRIGGER softdelete_fk_00_tasks_contact_id_fkey_upd AFTER UPDATE OF contact_id, deleted_at ON public.tasks NOT DEFERRABLE FOR EACH ROW WHEN (NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.deleted_at IS NOT NULL)) EXECUTE FUNCTION softdelete.fk_97f34f3b_check();
COMMENT ON TRIGGER softdelete_fk_00_tasks_contact_id_fkey_upd ON public.tasks IS 'softdelete-proxy <fingerprint>';

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

-- the guard: refuses a DELETE of public.deals that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.deals REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.deals IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.deals needs DELETE on public.deals, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.deals FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.deals'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.deals'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('deals');
SELECT softdelete.stamp('public.deals', 'softdelete_privilege', '76def9473627');

-- refuses TRUNCATE of public.deals (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.deals FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.deals IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.deal_notes that removed live rows, or trashed ones unless
-- the session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.deal_notes REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.deal_notes IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.deal_notes needs DELETE on public.deal_notes, restoring it UPDATE, as
-- deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.deal_notes FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.deal_notes'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.deal_notes'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('deal_notes');
SELECT softdelete.stamp('public.deal_notes', 'softdelete_privilege', '38d6b48a7d3d');

-- refuses TRUNCATE of public.deal_notes (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.deal_notes FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.deal_notes IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.tasks that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.tasks REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.tasks IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.tasks needs DELETE on public.tasks, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.tasks FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.tasks'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.tasks'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('tasks');
SELECT softdelete.stamp('public.tasks', 'softdelete_privilege', '3a9f1cc1cfbe');

-- refuses TRUNCATE of public.tasks (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.tasks FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.tasks IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.tags that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.tags REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.tags IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.tags needs DELETE on public.tags, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.tags FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.tags'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.tags'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('tags');
SELECT softdelete.stamp('public.tags', 'softdelete_privilege', '2ddc6f3995ee');

-- refuses TRUNCATE of public.tags (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.tags FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.tags IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.calls that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.calls REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.calls IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.calls needs DELETE on public.calls, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.calls FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.calls'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.calls'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('calls');
SELECT softdelete.stamp('public.calls', 'softdelete_privilege', '48cfd99daeff');

-- refuses TRUNCATE of public.calls (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.calls FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.calls IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.emails that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.emails REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.emails IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.emails needs DELETE on public.emails, restoring it UPDATE, as deleting
-- and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.emails FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.emails'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.emails'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('emails');
SELECT softdelete.stamp('public.emails', 'softdelete_privilege', 'f7216bf08b49');

-- refuses TRUNCATE of public.emails (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.emails FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.emails IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.meetings that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.meetings REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.meetings IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.meetings needs DELETE on public.meetings, restoring it UPDATE, as
-- deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.meetings FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.meetings'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.meetings'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('meetings');
SELECT softdelete.stamp('public.meetings', 'softdelete_privilege', '3d865a8619b6');

-- refuses TRUNCATE of public.meetings (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.meetings FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.meetings IS 'softdelete-proxy <fingerprint>';

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

-- the guard: refuses a DELETE of public.members that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.members REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.members IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.members needs DELETE on public.members, restoring it UPDATE, as deleting
-- and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.members FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.members'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.members'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('members');
SELECT softdelete.stamp('public.members', 'softdelete_privilege', '0ccc8a48c3bd');

-- refuses TRUNCATE of public.members (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.members FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.members IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.badges that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.badges REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.badges IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.badges needs DELETE on public.badges, restoring it UPDATE, as deleting
-- and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.badges FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.badges'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.badges'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('badges');
SELECT softdelete.stamp('public.badges', 'softdelete_privilege', '525108c8fcc1');

-- refuses TRUNCATE of public.badges (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.badges FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.badges IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.folders that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.folders REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.folders IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.folders needs DELETE on public.folders, restoring it UPDATE, as deleting
-- and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.folders FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.folders'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.folders'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('folders');
SELECT softdelete.stamp('public.folders', 'softdelete_privilege', '259c88cbe801');

-- refuses TRUNCATE of public.folders (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.folders FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.folders IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.ping that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.ping REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.ping IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.ping needs DELETE on public.ping, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.ping FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.ping'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.ping'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('ping');
SELECT softdelete.stamp('public.ping', 'softdelete_privilege', '7ab5b7ddbc91');

-- refuses TRUNCATE of public.ping (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.ping FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.ping IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.pong that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.pong REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.pong IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.pong needs DELETE on public.pong, restoring it UPDATE, as deleting and
-- updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.pong FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.pong'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.pong'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('pong');
SELECT softdelete.stamp('public.pong', 'softdelete_privilege', 'd40e31a1126c');

-- refuses TRUNCATE of public.pong (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.pong FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.pong IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.accounts that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.accounts REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.accounts IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.accounts needs DELETE on public.accounts, restoring it UPDATE, as
-- deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.accounts FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.accounts'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.accounts'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('accounts');
SELECT softdelete.stamp('public.accounts', 'softdelete_privilege', 'faaf15a12949');

-- refuses TRUNCATE of public.accounts (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.accounts FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.accounts IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.accounts_eu that removed live rows, or trashed ones unless
-- the session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.accounts_eu REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.accounts_eu IS 'softdelete-proxy <fingerprint>';

-- refuses TRUNCATE of public.accounts_eu (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.accounts_eu FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.accounts_eu IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.accounts_us that removed live rows, or trashed ones unless
-- the session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.accounts_us REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.accounts_us IS 'softdelete-proxy <fingerprint>';

-- refuses TRUNCATE of public.accounts_us (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.accounts_us FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.accounts_us IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.invoices that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.invoices REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.invoices IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.invoices needs DELETE on public.invoices, restoring it UPDATE, as
-- deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.invoices FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.invoices'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.invoices'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('invoices');
SELECT softdelete.stamp('public.invoices', 'softdelete_privilege', '8899222f4837');

-- refuses TRUNCATE of public.invoices (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.invoices FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.invoices IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.payments that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.payments REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.payments IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.payments needs DELETE on public.payments, restoring it UPDATE, as
-- deleting and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.payments FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.payments'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.payments'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('payments');
SELECT softdelete.stamp('public.payments', 'softdelete_privilege', 'a410ef27c183');

-- refuses TRUNCATE of public.payments (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.payments FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.payments IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.players that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.players REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.players IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.players needs DELETE on public.players, restoring it UPDATE, as deleting
-- and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.players FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.players'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.players'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('players');
SELECT softdelete.stamp('public.players', 'softdelete_privilege', '76a9fdbe2649');

-- refuses TRUNCATE of public.players (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.players FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.players IS 'softdelete-proxy <fingerprint>';

-- the guard: refuses a DELETE of public.coaches that removed live rows, or trashed ones unless the
-- session user may
CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.coaches REFERENCING OLD TABLE AS softdelete_deleted FOR EACH STATEMENT EXECUTE FUNCTION softdelete.check_hard_delete('deleted_at');
COMMENT ON TRIGGER softdelete_guard ON public.coaches IS 'softdelete-proxy <fingerprint>';

-- trashing a row of public.coaches needs DELETE on public.coaches, restoring it UPDATE, as deleting
-- and updating would
CREATE OR REPLACE TRIGGER softdelete_privilege BEFORE UPDATE OF deleted_at ON public.coaches FOR EACH ROW WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT pg_catalog.has_table_privilege('public.coaches'::regclass, 'DELETE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NOT pg_catalog.has_table_privilege('public.coaches'::regclass, 'UPDATE') AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION softdelete.refuse_soft_delete('coaches');
SELECT softdelete.stamp('public.coaches', 'softdelete_privilege', '11e1619c1d8e');

-- refuses TRUNCATE of public.coaches (on_truncate: deny)
CREATE OR REPLACE TRIGGER softdelete_truncate BEFORE TRUNCATE ON public.coaches FOR EACH STATEMENT EXECUTE FUNCTION softdelete.refuse_truncate('deny');
COMMENT ON TRIGGER softdelete_truncate ON public.coaches IS 'softdelete-proxy <fingerprint>';

COMMIT;
