package schema

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// ownSchema holds every function migrate creates; triggers migrate creates
// are named with ownPrefix.
const (
	ownSchema = "softdelete"
	ownPrefix = "softdelete_"
)

// installedSQL lists the objects migrate owns with their comments: every
// function of schema softdelete, and every trigger named softdelete_* that
// calls one of them or carries the version comment (a clone on a partition,
// tgparentid <> 0, follows its parent and is left out).
const installedSQL = `
SELECT 'function', '',
       quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       coalesce(obj_description(p.oid, 'pg_proc'), ''), coalesce(p.prosrc, ''), false
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = '` + ownSchema + `'
UNION ALL
SELECT 'trigger', quote_ident(cn.nspname) || '.' || quote_ident(c.relname),
       quote_ident(t.tgname) || ' on ' || quote_ident(cn.nspname) || '.' || quote_ident(c.relname),
       coalesce(obj_description(t.oid, 'pg_trigger'), ''), '', t.tgenabled IN ('D', 'R')
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace cn ON cn.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE t.tgname LIKE '` + ownPrefix + `%' AND NOT t.tgisinternal AND t.tgparentid = 0
  AND (pn.nspname = '` + ownSchema + `' OR coalesce(obj_description(t.oid, 'pg_trigger'), '') LIKE '` + versionPrefix + `%')
ORDER BY 1, 3`

// loadInstalled reads the objects migrate owns.
func (c *Catalog) loadInstalled(ctx context.Context, q Querier) error {
	rows, err := q.Query(ctx, installedSQL)
	if err != nil {
		return err
	}
	var in Installed
	var comment string
	_, err = pgx.ForEachRow(rows, []any{&in.Kind, &in.Table, &in.Name, &comment, &in.Source, &in.Disabled}, func() error {
		in.Fingerprint, in.Stamp = parseComment(comment)
		c.Installed = append(c.Installed, in)
		return nil
	})
	return err
}
