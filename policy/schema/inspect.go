package schema

import (
	"context"
	"errors"
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
	if err := q.QueryRow(ctx, databaseSQL).Scan(&c.Database, &c.ServerVersion); err != nil {
		return nil, fmt.Errorf("reading the server version: %w", err)
	}
	if err := c.loadQuotes(ctx, q, cfg); err != nil {
		return nil, fmt.Errorf("quoting names: %w", err)
	}
	managed := map[[2]string]bool{}
	for _, t := range cfg.Managed {
		managed[[2]string{t.Schema, t.Name}] = true
	}
	c.Tables = make([]*TableInfo, len(cfg.Managed))
	if err := eachTable(q, len(cfg.Managed), func(i int) error {
		t := cfg.Managed[i]
		ti, err := inspectTable(ctx, q, t, c.QN(t.Schema, t.Name), managed)
		if err != nil {
			return fmt.Errorf("inspecting %s: %w", t.QualifiedName(), err)
		}
		c.Tables[i] = ti
		return nil
	}); err != nil {
		return nil, err
	}
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

func inspectTable(ctx context.Context, q Querier, t policy.Table, quoted string, managed map[[2]string]bool) (*TableInfo, error) {
	ti := &TableInfo{Table: t, Quoted: quoted}
	err := q.QueryRow(ctx, relationSQL, t.Schema, t.Name).Scan(&ti.OID, &ti.Kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return ti, nil
	}
	if err != nil {
		return nil, err
	}
	steps := []func(context.Context, Querier, *TableInfo) error{loadColumns, loadIndexes, loadTriggers, loadViews}
	for _, step := range steps {
		if err := step(ctx, q, ti); err != nil {
			return nil, err
		}
	}
	if ti.Incoming, err = loadForeignKeys(ctx, q, ti, true, managed); err != nil {
		return nil, err
	}
	if ti.Outgoing, err = loadForeignKeys(ctx, q, ti, false, managed); err != nil {
		return nil, err
	}
	return ti, nil
}

func loadColumns(ctx context.Context, q Querier, ti *TableInfo) error {
	ti.Columns = map[string]Column{}
	rows, err := q.Query(ctx, columnsSQL, ti.OID)
	if err != nil {
		return err
	}
	var col Column
	_, err = pgx.ForEachRow(rows, []any{&col.Name, &col.Num, &col.Type, &col.BaseType, &col.Category,
		&col.NotNull, &col.Default}, func() error {
		ti.Columns[col.Name] = col
		return nil
	})
	return err
}

func loadIndexes(ctx context.Context, q Querier, ti *TableInfo) error {
	rows, err := q.Query(ctx, indexesSQL, ti.OID)
	if err != nil {
		return err
	}
	var ix Index
	_, err = pgx.ForEachRow(rows, []any{&ix.Name, &ix.Def, &ix.Predicate, &ix.Unique, &ix.Primary,
		&ix.FirstCol, &ix.Constraint, &ix.Deferrable, &ix.ReferencedBy,
		&ix.ConType, &ix.Deferred, &ix.ConDef, &ix.KeyColumns}, func() error {
		ix.Columns = indexKey(ix.Def)
		ti.Indexes = append(ti.Indexes, ix)
		ix.ReferencedBy, ix.KeyColumns = nil, nil
		return nil
	})
	return err
}

// loadForeignKeys reads the foreign keys that reference ti (incoming) or
// that ti holds (outgoing).
func loadForeignKeys(ctx context.Context, q Querier, ti *TableInfo, incoming bool, managed map[[2]string]bool) ([]ForeignKey, error) {
	rows, err := q.Query(ctx, foreignKeysSQL, ti.OID, incoming)
	if err != nil {
		return nil, err
	}
	self := ti.Quoted
	var out []ForeignKey
	var fk ForeignKey
	var action, schema, name, quoted string
	_, err = pgx.ForEachRow(rows, []any{&fk.Name, &action, &fk.Def, &schema, &name, &quoted}, func() error {
		fk.OnDelete = onDeleteAction(action)
		other := managed[[2]string{schema, name}]
		if incoming {
			fk.Child, fk.ChildManaged, fk.Parent, fk.ParentManaged = quoted, other, self, true
		} else {
			fk.Child, fk.ChildManaged, fk.Parent, fk.ParentManaged = self, true, quoted, other
		}
		out = append(out, fk)
		return nil
	})
	return out, err
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

func loadTriggers(ctx context.Context, q Querier, ti *TableInfo) error {
	rows, err := q.Query(ctx, triggersSQL, ti.OID)
	if err != nil {
		return err
	}
	var tr Trigger
	_, err = pgx.ForEachRow(rows, []any{&tr.Name, &tr.Def, &tr.Type, &tr.Columns, &tr.Function}, func() error {
		ti.Triggers = append(ti.Triggers, tr)
		tr.Columns = nil
		return nil
	})
	return err
}

func loadViews(ctx context.Context, q Querier, ti *TableInfo) error {
	rows, err := q.Query(ctx, viewsSQL, ti.OID)
	if err != nil {
		return err
	}
	var v View
	_, err = pgx.ForEachRow(rows, []any{&v.Name, &v.Materialized, &v.Def}, func() error {
		ti.Views = append(ti.Views, v)
		return nil
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
	ti := &TableInfo{}
	err := q.QueryRow(ctx, relationSQL, n.Schema, n.Name).Scan(&ti.OID, &ti.Kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	a.Exists = true
	if err := loadColumns(ctx, q, ti); err != nil {
		return err
	}
	a.Columns = map[string]string{}
	for name, col := range ti.Columns {
		a.Columns[name] = col.Type
	}
	return nil
}
