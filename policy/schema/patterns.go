package schema

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// PatternSQL is the query that resolves cfg's table patterns against the
// catalog of the database it runs in: one row (pattern index, schema,
// name; all text) per table a pattern matches, outside the system schemas
// and schema softdelete, partitions left out (they are managed through
// their parent). cfg.WithMatches then applies precedence. "" when cfg has
// no patterns. check, migrate, the purger and the proxy (GuardStatusSQL)
// all resolve patterns with it, so they agree.
func PatternSQL(cfg *policy.Config) string {
	pats := cfg.Patterns()
	if len(pats) == 0 {
		return ""
	}
	var rows, excl []string
	for i, p := range pats {
		rows = append(rows, fmt.Sprintf("(%d, %s, %s, %s, %t)", i, sqlLiteral(p.Schema), sqlLiteral(p.Name), sqlLiteral(p.Column), p.WithColumn))
		for _, x := range p.Exclude {
			excl = append(excl, fmt.Sprintf("(%d, %s, %s)", i, sqlLiteral(x[0]), sqlLiteral(x[1])))
		}
	}
	if len(excl) == 0 {
		excl = []string{"(-1, '', '')"}
	}
	return strings.NewReplacer("{patterns}", strings.Join(rows, ", "), "{exclude}", strings.Join(excl, ", ")).Replace(patternSQL)
}

const patternSQL = `SELECT pt.i::text, n.nspname::text, c.relname::text
FROM (VALUES {patterns}) AS pt(i, nsp, rel, col, with_col)
JOIN pg_namespace n ON n.nspname LIKE pt.nsp
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname LIKE pt.rel
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', '` + ownSchema + `') AND n.nspname NOT LIKE 'pg\_%'
  AND (NOT pt.with_col OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = pt.col AND NOT a.attisdropped))
  AND NOT EXISTS (SELECT 1 FROM (VALUES {exclude}) AS x(i, nsp, rel) WHERE x.i = pt.i AND n.nspname LIKE x.nsp AND c.relname LIKE x.rel)
ORDER BY pt.i, 2, 3`

// ParseMatches reads the text rows of PatternSQL.
func ParseMatches(rows [][]string) ([]policy.Match, error) {
	out := make([]policy.Match, 0, len(rows))
	for n, r := range rows {
		i, err := strconv.Atoi(firstOr(r))
		if len(r) != 3 || err != nil {
			return nil, fmt.Errorf("pattern row %d: want a pattern index, a schema and a name, got %q", n+1, r)
		}
		out = append(out, policy.Match{Pattern: i, Table: policy.TableName{Schema: r[1], Name: r[2]}})
	}
	return out, nil
}

func firstOr(r []string) string {
	if len(r) == 0 {
		return ""
	}
	return r[0]
}

// ResolvePatterns returns cfg with its patterns resolved against the
// database q is connected to (cfg itself when it has none).
func ResolvePatterns(ctx context.Context, q Querier, cfg *policy.Config) (*policy.Config, error) {
	sql := PatternSQL(cfg)
	if sql == "" {
		return cfg, nil
	}
	rows, err := q.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("resolving the table patterns: %w", err)
	}
	var text [][]string
	var i, schema, name string
	if _, err := pgx.ForEachRow(rows, []any{&i, &schema, &name}, func() error {
		text = append(text, []string{i, schema, name})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("resolving the table patterns: %w", err)
	}
	matches, err := ParseMatches(text)
	if err != nil {
		return nil, err
	}
	return cfg.WithMatches(matches), nil
}
