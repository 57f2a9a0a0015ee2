package schema

import (
	"fmt"
	"strings"
)

// views reports views and materialized views that read the table without
// testing the soft-delete column: the proxy filters only the managed tables
// a statement names, so such a view shows trashed rows.
func (k *checker) views() {
	re := refPattern(k.c, k.t)
	for _, v := range k.t.Views {
		refs := findRefs(re, v.Def)
		if len(refs) > 0 && !unfilteredReads(refs, v.Def, k.col) {
			continue
		}
		if v.Materialized {
			k.add(Warning, KindMaterializedView, v.Name,
				fmt.Sprintf("add WHERE <alias>.%s IS NULL for %s to its query, recreate it and REFRESH MATERIALIZED VIEW %s", k.col, k.t.Quoted, v.Name),
				"materialized view %s reads %s without %s IS NULL: it keeps and shows trashed rows", v.Name, k.t.Quoted, k.col)
			continue
		}
		k.add(Warning, KindView, v.Name,
			fmt.Sprintf("CREATE OR REPLACE VIEW %s with WHERE <alias>.%s IS NULL for %s added to its query", v.Name, k.col, k.t.Quoted),
			"view %s reads %s without %s IS NULL: it shows trashed rows (the proxy filters only tables a statement names)",
			v.Name, k.t.Quoted, k.col)
	}
}

// functions reports SQL and PL/pgSQL functions whose source reads the table
// without the filter, or deletes from it (a hard delete the proxy never
// sees). See refs.go for what the search can and cannot see.
func (k *checker) functions() {
	re := refPattern(k.c, k.t)
	for _, f := range k.c.Functions {
		refs := findRefs(re, f.Source)
		if unfilteredReads(refs, f.Source, k.col) {
			k.add(Warning, KindFunctionReads, f.Name,
				fmt.Sprintf("add AND %s IS NULL to its queries of %s", k.col, k.t.Quoted),
				"%s function %s reads %s without %s IS NULL: it sees trashed rows, even when called through the proxy",
				f.Language, f.Name, k.t.Quoted, k.col)
		}
		if deletesFrom(refs) {
			k.add(Warning, KindFunctionDeletes, f.Name,
				fmt.Sprintf("UPDATE %s SET %s = now() WHERE … instead", k.t.Quoted, k.col),
				"%s function %s runs DELETE FROM %s: a hard delete the proxy cannot turn into a soft delete "+
					"(the guard refuses it)", f.Language, f.Name, k.t.Quoted)
		}
	}
}

// purgeIndex reports a table without an index led by the soft-delete
// column: the purger and the trash commands would scan it whole.
func (k *checker) purgeIndex() {
	if _, ok := k.t.Columns[k.t.Column]; !ok {
		return // the missing column already says what to do
	}
	if hasPurgeIndex(k.t, k.col) {
		return
	}
	name := quoteDerived(purgeIndexName(k.t.Table))
	k.add(Warning, KindPurgeIndex, name, strings.Join(purgeIndexAdvice(k.t, name, k.col), "\n"),
		"no index on %s: every purge pass and trash listing reads the whole table", k.col)
}

// hasPurgeIndex reports an index whose first key column is the soft-delete
// column (partial or not: both serve "col IS NOT NULL ORDER BY col").
func hasPurgeIndex(t *TableInfo, col string) bool {
	for _, ix := range t.Indexes {
		if ix.FirstCol == t.Column && !mentionsIsNull(ix.Predicate, col) {
			return true
		}
	}
	return false
}

// checkAudit reports a configured audit table that is missing or lacks the
// columns the trash commands and the purger write.
func (c *Catalog) checkAudit() []Finding {
	a := c.Audit
	if a == nil {
		return nil
	}
	if !a.Exists {
		return []Finding{{Severity: Error, Table: a.Quoted, Kind: KindAuditTableMissing,
			Message: fmt.Sprintf("audit table %s (audit.table) does not exist: trash operations and purges would fail to record", a.Quoted),
			Fix:     "softdelete-proxy migrate --apply creates it"}}
	}
	var missing []string
	for _, col := range auditColumns {
		if _, ok := a.Columns[col]; !ok {
			missing = append(missing, col)
		}
	}
	if len(missing) == 0 {
		return c.checkAuditUpgrade()
	}
	return []Finding{{Severity: Error, Table: a.Quoted, Kind: KindAuditColumns,
		Message: fmt.Sprintf("audit table %s lacks column(s) %s", a.Quoted, strings.Join(missing, ", ")),
		Fix:     "rename it and let softdelete-proxy migrate --apply create a new one"}}
}

// purgeIndexAdvice is how to build the purger's index without blocking
// writes: CONCURRENTLY, which a partitioned table only allows partition by
// partition (the index on the parent then attaches them).
func purgeIndexAdvice(t *TableInfo, name, col string) []string {
	if t.Kind != "p" {
		return []string{fmt.Sprintf("CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s (%s) WHERE %s IS NOT NULL;", name, t.Quoted, col, col)}
	}
	return []string{
		fmt.Sprintf("on each partition: CREATE INDEX CONCURRENTLY ON <partition> (%s) WHERE %s IS NOT NULL; then:", col, col),
		fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s) WHERE %s IS NOT NULL;", name, t.Quoted, col, col),
	}
}
