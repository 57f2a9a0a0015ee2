package schema

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// Querier is what Inspect reads the catalog through: a *pgx.Conn or a pgx.Tx.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Inspect reads, for each managed table of cfg, what Check and Plan need
// from the catalog of the database q is connected to. It only reads.
func Inspect(ctx context.Context, q Querier, cfg *policy.Config) (*Catalog, error) {
	c := &Catalog{}
	if err := q.QueryRow(ctx, databaseSQL).Scan(&c.Database, &c.ServerVersion, &c.LockCapacity); err != nil {
		return nil, fmt.Errorf("reading the server version: %w", err)
	}
	if err := c.loadQuotes(ctx, q, cfg); err != nil {
		return nil, fmt.Errorf("quoting names: %w", err)
	}
	tables, err := inspectTables(ctx, q, cfg.Managed, c.QN)
	if err != nil {
		return nil, err
	}
	c.Tables = tables
	if err := c.loadFKeys(ctx, q); err != nil {
		return nil, fmt.Errorf("reading foreign keys: %w", err)
	}
	if err := c.loadFunctions(ctx, q); err != nil {
		return nil, fmt.Errorf("reading functions: %w", err)
	}
	if err := c.loadAudit(ctx, q, cfg); err != nil {
		return nil, fmt.Errorf("inspecting the audit table: %w", err)
	}
	if err := c.inspectGuard(ctx, q, cfg); err != nil {
		return nil, err
	}
	if err := q.QueryRow(ctx, schemaSQL, ownSchema).Scan(&c.OwnSchema, &c.OwnSchemaUsage); err != nil {
		return nil, fmt.Errorf("reading schema %s: %w", ownSchema, err)
	}
	if err := c.loadKeyRefs(ctx, q); err != nil {
		return nil, fmt.Errorf("reading the foreign keys of managed keys: %w", err)
	}
	if err := c.loadInstalled(ctx, q); err != nil {
		return nil, fmt.Errorf("reading the objects migrate installed: %w", err)
	}
	return c, nil
}

// loadQuotes asks the server to quote every identifier of the policy.
func (c *Catalog) loadQuotes(ctx context.Context, q Querier, cfg *policy.Config) error {
	var ids []string
	for _, t := range cfg.Managed {
		ids = append(ids, t.Schema, t.Name, t.Column, t.DeletedByColumn, t.ReasonColumn, t.HoldColumn)
		ids = append(ids, t.LockColumn, t.CreatedColumn, t.PurgeAtColumn)
	}
	ids = append(ids, ownNames...)
	if n, ok := cfg.AuditTable(); ok {
		ids = append(ids, n.Schema, n.Name)
	}
	c.quoted = map[string]string{}
	rows, err := q.Query(ctx, quoteSQL, ids)
	if err != nil {
		return err
	}
	var id, quoted string
	_, err = pgx.ForEachRow(rows, []any{&id, &quoted}, func() error {
		c.quoted[id] = quoted
		return nil
	})
	return err
}

// inspectTables reads the managed tables in one query per kind of fact
// (relations, columns, indexes, triggers, views, foreign keys), whatever
// their number.
func inspectTables(ctx context.Context, q Querier, tables []policy.Table, qn func(schema, name string) string) ([]*TableInfo, error) {
	out := make([]*TableInfo, len(tables))
	for i, t := range tables {
		out[i] = &TableInfo{Table: t, Quoted: qn(t.Schema, t.Name)}
	}
	byOID, err := loadRelations(ctx, q, out)
	if err != nil {
		return nil, fmt.Errorf("finding the managed tables: %w", err)
	}
	for _, load := range []struct {
		what string
		fn   func(context.Context, Querier, tableSet) error
	}{{"columns", loadColumns}, {"indexes", loadIndexes}, {"triggers", loadTriggers}, {"views", loadViews}, {"foreign keys", loadForeignKeys},
		{"keys and foreign keys' digests", loadDigests}} {
		if err := load.fn(ctx, q, byOID); err != nil {
			return nil, fmt.Errorf("reading the %s of the managed tables: %w", load.what, err)
		}
	}
	return out, nil
}

// tableSet is the managed tables that exist, by oid.
type tableSet map[uint32]*TableInfo

// oids returns the set's oids.
func (s tableSet) oids() []uint32 {
	out := make([]uint32, 0, len(s))
	for oid := range s {
		out = append(out, oid)
	}
	return out
}

// at returns the table a row of a bulk query belongs to.
func (s tableSet) at(oid uint32) (*TableInfo, error) {
	if t, ok := s[oid]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("a row for relation %d, which was not asked for", oid)
}

// loadRelations sets the oid and kind of every table that exists.
func loadRelations(ctx context.Context, q Querier, tables []*TableInfo) (tableSet, error) {
	schemas, names := make([]string, len(tables)), make([]string, len(tables))
	for i, t := range tables {
		schemas[i], names[i] = t.Schema, t.Name
	}
	rows, err := q.Query(ctx, relationsSQL, schemas, names)
	if err != nil {
		return nil, err
	}
	set := tableSet{}
	var i int
	var oid uint32
	var kind string
	_, err = pgx.ForEachRow(rows, []any{&i, &oid, &kind}, func() error {
		if i < 1 || i > len(tables) {
			return fmt.Errorf("relation row %d of %d", i, len(tables))
		}
		t := tables[i-1]
		t.OID, t.Kind = oid, kind
		set[oid] = t
		return nil
	})
	return set, err
}

func loadColumns(ctx context.Context, q Querier, set tableSet) error {
	for _, t := range set {
		t.Columns = map[string]Column{}
	}
	rows, err := q.Query(ctx, columnsSQL, set.oids())
	if err != nil {
		return err
	}
	var oid uint32
	var col Column
	_, err = pgx.ForEachRow(rows, []any{&oid, &col.Name, &col.Num, &col.Type, &col.BaseType, &col.Category,
		&col.NotNull, &col.Default}, func() error {
		t, err := set.at(oid)
		if err == nil {
			t.Columns[col.Name] = col
		}
		return err
	})
	return err
}

func loadIndexes(ctx context.Context, q Querier, set tableSet) error {
	rows, err := q.Query(ctx, indexesSQL, set.oids())
	if err != nil {
		return err
	}
	var oid uint32
	var ix Index
	_, err = pgx.ForEachRow(rows, []any{&oid, &ix.Name, &ix.Def, &ix.Predicate, &ix.Unique, &ix.Primary,
		&ix.FirstCol, &ix.Constraint, &ix.Deferrable, &ix.ReferencedBy,
		&ix.ConType, &ix.Deferred, &ix.ConDef, &ix.KeyColumns}, func() error {
		t, err := set.at(oid)
		if err != nil {
			return err
		}
		ix.Columns = indexKey(ix.Def)
		t.Indexes = append(t.Indexes, ix)
		ix.ReferencedBy, ix.KeyColumns = nil, nil
		return nil
	})
	return err
}

// loadForeignKeys reads the foreign keys that reference each table
// (Incoming) and that it holds (Outgoing).
func loadForeignKeys(ctx context.Context, q Querier, set tableSet) error {
	managed := map[[2]string]bool{}
	for _, t := range set {
		managed[[2]string{t.Schema, t.Name}] = true
	}
	rows, err := q.Query(ctx, foreignKeysSQL, set.oids())
	if err != nil {
		return err
	}
	var oid uint32
	var incoming bool
	var fk ForeignKey
	var action, schema, name, quoted string
	_, err = pgx.ForEachRow(rows, []any{&oid, &incoming, &fk.Name, &action, &fk.Def, &schema, &name, &quoted}, func() error {
		t, err := set.at(oid)
		if err != nil {
			return err
		}
		fk.OnDelete = onDeleteAction(action)
		other := managed[[2]string{schema, name}]
		if incoming {
			fk.Child, fk.ChildManaged, fk.Parent, fk.ParentManaged = quoted, other, t.Quoted, true
			t.Incoming = append(t.Incoming, fk)
		} else {
			fk.Child, fk.ChildManaged, fk.Parent, fk.ParentManaged = t.Quoted, true, quoted, other
			t.Outgoing = append(t.Outgoing, fk)
		}
		return nil
	})
	return err
}

// onDeleteAction spells pg_constraint.confdeltype.
func onDeleteAction(code string) string {
	switch code {
	case "r":
		return "RESTRICT"
	case "c":
		return "CASCADE"
	case "n":
		return "SET NULL"
	case "d":
		return "SET DEFAULT"
	}
	return "NO ACTION"
}

func loadTriggers(ctx context.Context, q Querier, set tableSet) error {
	rows, err := q.Query(ctx, triggersSQL, set.oids())
	if err != nil {
		return err
	}
	var oid uint32
	var tr Trigger
	_, err = pgx.ForEachRow(rows, []any{&oid, &tr.Name, &tr.Def, &tr.Type, &tr.Columns, &tr.Function}, func() error {
		t, err := set.at(oid)
		if err != nil {
			return err
		}
		t.Triggers = append(t.Triggers, tr)
		tr.Columns = nil
		return nil
	})
	return err
}

func loadViews(ctx context.Context, q Querier, set tableSet) error {
	rows, err := q.Query(ctx, viewsSQL, set.oids())
	if err != nil {
		return err
	}
	var oid uint32
	var v View
	_, err = pgx.ForEachRow(rows, []any{&oid, &v.Name, &v.Materialized, &v.Def}, func() error {
		t, err := set.at(oid)
		if err == nil {
			t.Views = append(t.Views, v)
		}
		return err
	})
	return err
}

func (c *Catalog) loadFunctions(ctx context.Context, q Querier) error {
	rows, err := q.Query(ctx, functionsSQL)
	if err != nil {
		return err
	}
	var f Function
	_, err = pgx.ForEachRow(rows, []any{&f.Name, &f.Language, &f.Source}, func() error {
		c.Functions = append(c.Functions, f)
		return nil
	})
	return err
}

func (c *Catalog) loadAudit(ctx context.Context, q Querier, cfg *policy.Config) error {
	n, ok := cfg.AuditTable()
	if !ok {
		return nil
	}
	a := &AuditInfo{Name: cfg.Audit.Table, Quoted: c.QN(n.Schema, n.Name)}
	c.Audit = a
	ti := &TableInfo{Table: policy.Table{Schema: n.Schema, Name: n.Name}}
	set, err := loadRelations(ctx, q, []*TableInfo{ti})
	if err != nil || len(set) == 0 {
		return err
	}
	a.Exists = true
	if err := loadColumns(ctx, q, set); err != nil {
		return err
	}
	a.Columns = map[string]string{}
	for name, col := range ti.Columns {
		a.Columns[name] = col.Type
	}
	return nil
}
