package schema

import (
	"fmt"
	"strings"
)

// The objects and function bodies of eviction (keys.go, docs/keys.md).
//
// Why the guard lets an eviction through, and nothing else: the keys
// trigger function is SECURITY DEFINER (owned by whoever ran migrate),
// and it records each row it is about to delete, whole, in
// softdelete.evicted, which no other role may write. The guard, finding a
// trashed row deleted by a session that may not delete for good, asks
// softdelete.evicting(row): was a row with exactly this content recorded
// by this transaction? A client cannot record one (no privilege on the
// table, softdelete.evict not executable, a trigger function cannot be
// called directly), so it cannot forge the answer.

// evictedDDL creates the table of evicted rows: who, when, which key or
// foreign key, why, and the row as jsonb.
func (c *Catalog) evictedDDL() []string {
	tbl := c.QN(ownSchema, evictedTable)
	return []string{
		"CREATE TABLE IF NOT EXISTS " + tbl + ` (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    xact       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    actor      text NOT NULL DEFAULT session_user,
    table_name text NOT NULL,
    key_name   text NOT NULL,
    reason     text NOT NULL,
    content    jsonb NOT NULL
);`,
		"CREATE INDEX IF NOT EXISTS evicted_xact_idx ON " + tbl + " (xact);",
		"REVOKE ALL ON " + tbl + " FROM PUBLIC;",
	}
}

// evictionObjects are the objects every eviction shares.
func (c *Catalog) evictionObjects() []Object {
	tbl := c.QN(ownSchema, evictedTable)
	evicting := c.functionObject(fnEvicting, "jsonb",
		"the guard's test for a trashed row deleted by the keys trigger: this transaction recorded it in "+tbl,
		"RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp",
		"SELECT EXISTS (SELECT 1 FROM "+tbl+" e WHERE e.xact = pg_catalog.pg_current_xact_id_if_assigned() AND e.content = $1)")
	evictRow := c.functionObject(fnEvictRow, "root regclass, rel oid, tid tid, key text, why text, visiting text[]",
		"evicts one trashed row (recorded in "+tbl+", then deleted), after the trashed rows of managed tables that reference it; visiting: the rows it is evicting already (cycles)",
		"RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp", c.evictRowBody())
	evictRow.Create = append(evictRow.Create, "REVOKE ALL ON FUNCTION "+evictRow.Name+" FROM PUBLIC;")
	evict := c.functionObject(fnEvict, "root regclass, rel oid, tid tid, key text, why text",
		"evicts one trashed row (recorded in "+tbl+", then deleted), after the trashed rows of managed tables that reference it",
		"RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp",
		"\nBEGIN\n    PERFORM "+c.QN(ownSchema, fnEvictRow)+"(root, rel, tid, key, why, '{}');\nEND\n")
	evict.Create = append(evict.Create, "REVOKE ALL ON FUNCTION "+evict.Name+" FROM PUBLIC;")
	return []Object{
		{Kind: "table", Name: tbl, Present: c.EvictedTable, Create: c.evictedDDL(),
			Purpose: "every trashed row a new key evicted, whole (docs/keys.md); the guard lets a hard delete of exactly these through"},
		{Kind: "index", Name: c.Q(ownSchema) + "." + evictedIndex, Present: c.EvictedTable && c.EvictedIndex,
			Purpose: "the purger deletes the records of " + tbl + " table by table once the table's retention has passed, oldest first",
			Create:  []string{"CREATE INDEX IF NOT EXISTS " + evictedIndex + " ON " + tbl + " (table_name, at);"}},
		evicting,
		c.functionObject(fnSoftColumn, "regclass", "the soft-delete column of each managed table, for eviction to follow foreign keys",
			"RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp", c.softColumnBody()),
		evictRow,
		evict,
	}
}

// softColumnBody maps each managed relation to its soft-delete column (by
// name: a constant regclass would make the function depend on the table).
func (c *Catalog) softColumnBody() string {
	var rows []string
	for _, t := range c.Tables {
		if !t.IsTable() {
			continue
		}
		rows = append(rows, "("+quoteLiteral(t.Quoted)+", "+quoteLiteral(t.Column)+")")
		for _, d := range c.inherited(t) {
			rows = append(rows, "("+quoteLiteral(d.Quoted)+", "+quoteLiteral(t.Column)+")")
		}
	}
	if len(rows) == 0 {
		return "SELECT NULL::text"
	}
	return "SELECT v.col FROM (VALUES " + strings.Join(rows, ",\n    ") + ") AS v(rel, col) WHERE v.rel = $1::text"
}

// evictRowBody: record the row, evict the trashed rows of managed tables
// that reference it (whatever the foreign key's action: had the row been
// deleted they would be gone), then delete it. A row that this eviction is
// evicting already, further up (visiting: relation/ctid), is skipped
// (cycles). Not a row whose content this transaction recorded: a trashed
// row may have the very content of one evicted before it (the same key
// trashed twice in a transaction, whose now() does not move; identical
// rows of a table without a key), and it must go as well.
func (c *Catalog) evictRowBody() string {
	return `
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
    INSERT INTO ` + c.QN(ownSchema, evictedTable) + ` (table_name, key_name, reason, content)
    VALUES (rel::regclass::text, key, why, content);
    FOR f IN
        SELECT quote_ident(k.conname) AS name, k.conrelid::regclass AS child,
               ` + c.QN(ownSchema, fnSoftColumn) + `(k.conrelid::regclass) AS col,
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
            PERFORM ` + c.QN(ownSchema, fnEvictRow) + `(f.child, x.tableoid, x.ctid, 'foreign key ' || f.name || ' on ' || f.child::text,
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
`
}

// keysBody is t's keys trigger function: on INSERT, every watched key; on
// UPDATE, each key that changed, and each foreign key of a managed table
// that references a changed key.
func (c *Catalog) keysBody(t *TableInfo, keys []Index, refs []KeyRef) string {
	col := c.Q(t.Column)
	var ins, upd strings.Builder
	var held []string
	for _, ix := range keys {
		block := c.keyBlock(t, ix, col)
		ins.WriteString(indent(block))
		fmt.Fprintf(&upd, "        IF %s THEN\n%s        END IF;\n", changed(ix.KeyColumns), indent(block))
		held = append(held, "("+keyMatch(ix)+")")
	}
	insert := ""
	if len(keys) > 0 {
		// one probe for all the keys; the blocks run only when a trashed
		// row holds one of them
		insert = fmt.Sprintf("        IF EXISTS (SELECT 1 FROM %s x WHERE (%s) AND x.%s IS NOT NULL) THEN\n%s        END IF;\n",
			t.Quoted, strings.Join(held, " OR "), col, ins.String())
	}
	for _, r := range refs {
		fmt.Fprintf(&upd, "        IF %s THEN\n%s        END IF;\n", changed(r.ParentCols), indent(c.refBlock(r)))
	}
	return `
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
` + insert + `    ELSE
` + upd.String() + `    END IF;
    RETURN NEW;
END
`
}

// keyBlock finds the trashed rows that hold NEW's key and evicts them, or
// refuses the row.
// keyMatch is true for a row x that has NEW's key ix.
func keyMatch(ix Index) string {
	var conds []string
	op := " = "
	if strings.Contains(ix.Def, " NULLS NOT DISTINCT") {
		op = " IS NOT DISTINCT FROM "
	}
	for _, k := range ix.KeyColumns {
		conds = append(conds, "x."+k+op+"NEW."+k)
	}
	return strings.Join(conds, " AND ")
}

func (c *Catalog) keyBlock(t *TableInfo, ix Index, col string) string {
	var values []string
	for _, k := range ix.KeyColumns {
		values = append(values, "NEW."+k)
	}
	where := keyMatch(ix) + " AND x." + col + " IS NOT NULL"
	name := keyName(ix)
	if tableMode(t) == modeRefuse {
		return fmt.Sprintf(`        IF EXISTS (SELECT 1 FROM %s x WHERE %s) THEN
            RAISE EXCEPTION USING ERRCODE = '23505', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME, CONSTRAINT = %s,
                MESSAGE = %s,
                DETAIL = format('Key %s=(%%s) is held by a trashed row.', concat_ws(', ', %s)),
                HINT = 'Restore the trashed row (softdelete-proxy trash restore) or delete it for good (trash forget), then try again. '
                       'With on_key_conflict: evict a new row takes the key of a trashed row.';
        END IF;
`, t.Quoted, where, quoteLiteral(unquoted(name)),
			quoteLiteral("duplicate key value violates unique constraint "+quoteAlways(unquoted(name))+" of "+t.Quoted+
				": a trashed row holds the key (on_key_conflict: refuse)"),
			escapePercent(strings.ReplaceAll(ix.Columns, "'", "''")), strings.Join(values, ", "))
	}
	return fmt.Sprintf(`        FOR r IN SELECT x.tableoid, x.ctid FROM %s x WHERE %s FOR UPDATE LOOP
            PERFORM %s(%s::regclass, r.tableoid, r.ctid, %s, 'a new row took its key');
        END LOOP;
`, t.Quoted, where, c.QN(ownSchema, fnEvict), quoteLiteral(t.Quoted), quoteLiteral(describeKey(ix)))
}

// refBlock evicts the trashed rows of a managed table that reference OLD's
// value of a key that changes.
func (c *Catalog) refBlock(r KeyRef) string {
	var conds []string
	for i, k := range r.ChildColumns {
		conds = append(conds, "x."+k+" = OLD."+r.ParentCols[i])
	}
	where := strings.Join(conds, " AND ") + " AND x." + c.Q(c.softColumnOf(r.Child)) + " IS NOT NULL"
	return fmt.Sprintf(`        FOR r IN SELECT x.tableoid, x.ctid FROM %s x WHERE %s FOR UPDATE LOOP
            PERFORM %s(%s::regclass, r.tableoid, r.ctid, %s, 'the key it references changed');
        END LOOP;
`, r.Child, where, c.QN(ownSchema, fnEvict), quoteLiteral(r.Child), quoteLiteral("foreign key "+r.Name+" on "+r.Child))
}

// changed is true when NEW's value of cols differs from OLD's.
func changed(cols []string) string {
	n, o := make([]string, len(cols)), make([]string, len(cols))
	for i, k := range cols {
		n[i], o[i] = "NEW."+k, "OLD."+k
	}
	return "ROW(" + strings.Join(n, ", ") + ") IS DISTINCT FROM ROW(" + strings.Join(o, ", ") + ")"
}

func indent(block string) string {
	lines := strings.SplitAfter(block, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "    " + l
		}
	}
	return strings.Join(lines, "")
}
