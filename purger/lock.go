package purger

import (
	"context"
	"fmt"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// lockTypeSQL reads the base type OID and category of column $2 of table
// $1 (quoted), domains resolved.
const lockTypeSQL = `SELECT bt.oid::int8, bt.typcategory::text
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE a.attrelid = $1::regclass AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`

// withLockTests fills the LockTest of every table with a lock column,
// from the column's type: the purger and the trash commands leave locked
// rows alone (the database refuses to delete them anyway, 55006, which
// would fail a whole batch).
func withLockTests(ctx context.Context, q querier, tables []policy.Table) ([]policy.Table, error) {
	out := make([]policy.Table, len(tables))
	for i, t := range tables {
		out[i] = t
		if t.LockColumn == "" || t.LockTest != "" {
			continue
		}
		var oid int64
		var category string
		if err := q.QueryRow(ctx, lockTypeSQL, qualified(t), t.LockColumn).Scan(&oid, &category); err != nil {
			return nil, fmt.Errorf("reading the type of %s.%s (lock_column): %w", tableName(t), t.LockColumn, err)
		}
		test, ok := policy.LockedExpr(ident(t.LockColumn), uint32(oid), category)
		if !ok {
			return nil, fmt.Errorf("%s.%s (lock_column) has a type the lock does not know; softdelete-proxy check says which it may have",
				tableName(t), t.LockColumn)
		}
		out[i].LockTest = test
	}
	return out, nil
}
