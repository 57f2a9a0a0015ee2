package purger

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

// Selector picks trashed rows for Restore and Forget: either a SQL
// predicate over the table's columns or primary key values (one-column keys
// only). Rows outside the trash are never touched, whatever it says.
type Selector struct {
	Where string   // e.g. "owner_id = 42 AND deleted_at > now() - interval '1 day'"
	IDs   []string // primary key values as text, cast to the key's type
	// Operation selects the rows one delete trashed (column deleted_op,
	// docs/foreign-keys.md); restoring them restores what it cascaded to.
	Operation int64
}

// ErrBadSelector is wrapped by every error about a Selector.
var ErrBadSelector = errors.New("bad row selection")

// predicate returns the SQL predicate of s and its arguments ($1 at most).
func (s Selector) predicate(ctx context.Context, conn *pgx.Conn, t policy.Table) (string, []any, error) {
	switch {
	case s.Operation != 0 && (s.Where != "" || len(s.IDs) > 0):
		return "", nil, fmt.Errorf("%w: give one of a where clause, ids or an operation", ErrBadSelector)
	case s.Operation != 0:
		return ident(schema.OperationColumn) + " = $1", []any{s.Operation}, nil
	case (s.Where == "") == (len(s.IDs) == 0):
		return "", nil, fmt.Errorf("%w: give either a where clause or ids", ErrBadSelector)
	case s.Where != "":
		if err := checkWhere(s.Where); err != nil {
			return "", nil, err
		}
		return s.Where + "\n", nil, nil
	}
	pk, err := primaryKey(ctx, conn, t)
	if err != nil {
		return "", nil, err
	}
	if len(pk) != 1 {
		return "", nil, fmt.Errorf("%w: %s has %d primary key columns; select rows with a where clause",
			ErrBadSelector, tableName(t), len(pk))
	}
	return idPredicate(pk[0]), []any{s.IDs}, nil
}

// checkWhere accepts a where clause only if it is one expression that
// stays inside the parentheses it is put in: its tokens never close more
// parentheses than they opened (so "x) OR (y" is refused), and parsed as
// "SELECT (where\n)" it gives one statement with one target and nothing else
// (no second statement, FROM, UNION ...). The newline ends a trailing --
// comment before the closing parenthesis.
func checkWhere(where string) error {
	if err := balanced(where); err != nil {
		return err
	}
	res, err := pg_query.Parse("SELECT (" + where + "\n)")
	if err != nil {
		return fmt.Errorf("%w: where clause: %v", ErrBadSelector, err)
	}
	bad := fmt.Errorf("%w: the where clause must be a single expression", ErrBadSelector)
	if len(res.Stmts) != 1 {
		return bad
	}
	sel := res.Stmts[0].GetStmt().GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || len(sel.FromClause) != 0 || sel.WhereClause != nil ||
		len(sel.GroupClause) != 0 || sel.HavingClause != nil || len(sel.SortClause) != 0 ||
		sel.LimitCount != nil || sel.LimitOffset != nil || len(sel.WindowClause) != 0 ||
		len(sel.LockingClause) != 0 || sel.Op != pg_query.SetOperation_SETOP_NONE ||
		len(sel.DistinctClause) != 0 || sel.WithClause != nil || sel.IntoClause != nil {
		return bad
	}
	if strings.TrimSpace(where) == "" {
		return bad
	}
	return nil
}

// balanced checks, on the scanner's tokens (so parentheses in strings and
// comments do not count), that where never closes a parenthesis it did not
// open and closes all it opens.
func balanced(where string) error {
	res, err := pg_query.Scan(where)
	if err != nil {
		return fmt.Errorf("%w: where clause: %v", ErrBadSelector, err)
	}
	depth := 0
	for _, tok := range res.Tokens {
		switch tok.Token {
		case pg_query.Token_ASCII_40:
			depth++
		case pg_query.Token_ASCII_41:
			depth--
		}
		if depth < 0 {
			return fmt.Errorf("%w: the where clause closes a parenthesis it did not open", ErrBadSelector)
		}
	}
	if depth != 0 {
		return fmt.Errorf("%w: the where clause leaves a parenthesis open", ErrBadSelector)
	}
	return nil
}

// primaryKey reads t's primary key columns (none for a table without one).
func primaryKey(ctx context.Context, conn *pgx.Conn, t policy.Table) ([]keyColumn, error) {
	rows, err := conn.Query(ctx, primaryKeySQL, qualified(t))
	if err != nil {
		return nil, fmt.Errorf("reading the primary key of %s: %w", tableName(t), err)
	}
	var pk []keyColumn
	var k keyColumn
	_, err = pgx.ForEachRow(rows, []any{&k.name, &k.typ}, func() error {
		pk = append(pk, k)
		return nil
	})
	return pk, err
}
