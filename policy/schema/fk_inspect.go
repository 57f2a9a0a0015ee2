package schema

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// FKey is one foreign key with a managed table on either side, with what
// the soft referential actions need (fk*.go).
type FKey struct {
	OID        uint32 // PostgreSQL fires the triggers of keys in the order they were created
	Name       string // quoted constraint name
	RawName    string // as PostgreSQL prints it in messages
	OnDelete   string // as onDeleteAction spells it
	MatchFull  bool   // MATCH FULL (else SIMPLE)
	Deferrable bool
	Deferred   bool     // INITIALLY DEFERRED
	SetCols    []string // quoted child columns of ON DELETE SET NULL (…) / SET DEFAULT (…); empty: every key column
	// The equality operators of each key column, as SQL between two
	// operands ("=" for pg_catalog's, else OPERATOR(schema.op)): parent =
	// child (PFEq), parent = parent (PPEq), child = child (FFEq).
	PFEq, PPEq, FFEq []string
	Child            FKSide // the table holding the constraint
	Parent           FKSide // the referenced table
}

// FKSide is one table of a foreign key with its key columns, in the
// constraint's order.
type FKSide struct {
	OID     uint32
	Quoted  string // schema.table as SQL
	Schema  string // raw
	Name    string // raw, as messages print it
	Kind    string // relkind: "r" or "p"
	Cols    []string
	RawCols []string
	Table   *TableInfo // the managed table, nil when it is not in the policy
}

// fkeysSQL lists the foreign keys that have a table of $1 on either side
// (top-level constraints: a partition's clone follows its parent's). The
// column list of SET NULL (…) exists from PostgreSQL 15; %s is it, or an
// empty array before.
const fkeysSQL = `
SELECT f.oid, quote_ident(f.conname), f.conname, f.confdeltype::text, f.confmatchtype = 'f', f.condeferrable, f.condeferred,
       %s,
       ARRAY(SELECT ` + fkOp + ` FROM unnest(f.conpfeqop) WITH ORDINALITY k(op, i) JOIN pg_operator o ON o.oid = k.op
             JOIN pg_namespace opn ON opn.oid = o.oprnamespace ORDER BY k.i),
       ARRAY(SELECT ` + fkOp + ` FROM unnest(f.conppeqop) WITH ORDINALITY k(op, i) JOIN pg_operator o ON o.oid = k.op
             JOIN pg_namespace opn ON opn.oid = o.oprnamespace ORDER BY k.i),
       ARRAY(SELECT ` + fkOp + ` FROM unnest(f.conffeqop) WITH ORDINALITY k(op, i) JOIN pg_operator o ON o.oid = k.op
             JOIN pg_namespace opn ON opn.oid = o.oprnamespace ORDER BY k.i),
       f.conrelid, quote_ident(cn.nspname) || '.' || quote_ident(cc.relname), cn.nspname, cc.relname, cc.relkind::text,
       ARRAY(SELECT quote_ident(a.attname) FROM unnest(f.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.n ORDER BY k.i),
       ARRAY(SELECT a.attname::text FROM unnest(f.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.n ORDER BY k.i),
       f.confrelid, quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), pn.nspname, pc.relname, pc.relkind::text,
       ARRAY(SELECT quote_ident(a.attname) FROM unnest(f.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.n ORDER BY k.i),
       ARRAY(SELECT a.attname::text FROM unnest(f.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.n ORDER BY k.i)
FROM pg_constraint f
JOIN pg_class cc ON cc.oid = f.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace
JOIN pg_class pc ON pc.oid = f.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE f.contype = 'f' AND f.conparentid = 0 AND (f.conrelid = ANY ($1::oid[]) OR f.confrelid = ANY ($1::oid[]))
ORDER BY 13, 2`

// fkOp spells an operator for generated SQL that runs with search_path =
// pg_catalog, pg_temp.
const fkOp = `CASE WHEN opn.nspname = 'pg_catalog' THEN o.oprname::text
                     ELSE 'OPERATOR(' || quote_ident(opn.nspname) || '.' || o.oprname || ')' END`

const fkSetColsSQL = `ARRAY(SELECT quote_ident(a.attname) FROM unnest(f.confdelsetcols) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.n ORDER BY k.i)`

// operationSQL says whether the sequence of delete operations exists.
const operationSQL = `SELECT to_regclass($1) IS NOT NULL`

// loadFKeys reads the foreign keys of the managed tables and whether the
// operation sequence exists.
func (c *Catalog) loadFKeys(ctx context.Context, q Querier) error {
	byOID := map[uint32]*TableInfo{}
	var oids []uint32
	for _, t := range c.Tables {
		if t.IsTable() {
			byOID[t.OID] = t
			oids = append(oids, t.OID)
		}
	}
	setCols := "'{}'::text[]"
	if c.ServerVersion >= 150000 {
		setCols = fkSetColsSQL
	}
	rows, err := q.Query(ctx, fmt.Sprintf(fkeysSQL, setCols), oids)
	if err != nil {
		return err
	}
	var k FKey
	var action string
	_, err = pgx.ForEachRow(rows, []any{&k.OID, &k.Name, &k.RawName, &action, &k.MatchFull, &k.Deferrable, &k.Deferred, &k.SetCols,
		&k.PFEq, &k.PPEq, &k.FFEq,
		&k.Child.OID, &k.Child.Quoted, &k.Child.Schema, &k.Child.Name, &k.Child.Kind, &k.Child.Cols, &k.Child.RawCols,
		&k.Parent.OID, &k.Parent.Quoted, &k.Parent.Schema, &k.Parent.Name, &k.Parent.Kind, &k.Parent.Cols, &k.Parent.RawCols}, func() error {
		k.OnDelete = onDeleteAction(action)
		k.Child.Table, k.Parent.Table = byOID[k.Child.OID], byOID[k.Parent.OID]
		c.FKeys = append(c.FKeys, k)
		k = FKey{}
		return nil
	})
	if err != nil {
		return err
	}
	return q.QueryRow(ctx, operationSQL, c.QN(ownSchema, operationSeq)).Scan(&c.OperationSeq)
}
