package schema

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// KeyRef is a foreign key that references a key of a managed table, with
// its columns: what eviction needs when that key changes.
type KeyRef struct {
	Name         string   // quoted constraint name
	Child        string   // quoted schema.table holding it
	ChildColumns []string // quoted, in key order
	ParentCols   []string // quoted columns of the managed table, in key order
	OnUpdate     string   // pg_constraint.confupdtype: a, r, c, n, d
}

// keyRefsSQL lists the foreign keys referencing the tables $1 (their own
// constraints, not the clones on partitions) with their columns.
const keyRefsSQL = `
SELECT f.confrelid, quote_ident(f.conname), quote_ident(cn.nspname) || '.' || quote_ident(cc.relname),
       array(SELECT quote_ident(a.attname) FROM unnest(f.conkey) WITH ORDINALITY AS k(n, o)
             JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.n ORDER BY k.o),
       array(SELECT quote_ident(a.attname) FROM unnest(f.confkey) WITH ORDINALITY AS k(n, o)
             JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.n ORDER BY k.o),
       f.confupdtype::text
FROM pg_constraint f
JOIN pg_class cc ON cc.oid = f.conrelid
JOIN pg_namespace cn ON cn.oid = cc.relnamespace
WHERE f.contype = 'f' AND f.conparentid = 0 AND f.confrelid = ANY ($1::oid[])
ORDER BY 1, 3, 2`

// evictedExistsSQL says whether the table of evicted rows ($1) exists,
// and whether index $2 of schema softdelete is an index of it.
const evictedExistsSQL = `SELECT to_regclass($1) IS NOT NULL,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = to_regclass($2) AND i.indrelid = to_regclass($1))`

// loadKeyRefs reads, in one query for all managed tables, the foreign
// keys that reference them, and whether softdelete.evicted and its purge
// index exist.
func (c *Catalog) loadKeyRefs(ctx context.Context, q Querier) error {
	byOID := map[uint32]*TableInfo{}
	var oids []uint32
	for _, t := range c.Tables {
		if t.IsTable() {
			byOID[t.OID] = t
			oids = append(oids, t.OID)
		}
	}
	if err := c.quoteKeyNames(ctx, q); err != nil {
		return err
	}
	if err := q.QueryRow(ctx, evictedExistsSQL, c.QN(ownSchema, evictedTable), c.Q(ownSchema)+"."+evictedIndex).
		Scan(&c.EvictedTable, &c.EvictedIndex); err != nil {
		return err
	}
	rows, err := q.Query(ctx, keyRefsSQL, oids)
	if err != nil {
		return err
	}
	var oid uint32
	var r KeyRef
	_, err = pgx.ForEachRow(rows, []any{&oid, &r.Name, &r.Child, &r.ChildColumns, &r.ParentCols, &r.OnUpdate}, func() error {
		if t := byOID[oid]; t != nil {
			t.KeyRefs = append(t.KeyRefs, r)
		}
		r.ChildColumns, r.ParentCols = nil, nil
		return nil
	})
	return err
}

// quoteKeyNames asks the server to quote the names the keys generator makes
// up (one function per managed table).
func (c *Catalog) quoteKeyNames(ctx context.Context, q Querier) error {
	var ids []string
	for _, t := range c.Tables {
		ids = append(ids, keysFunction(t))
	}
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
