package schema

import (
	"fmt"
	"strings"
)

// uniqueKind classifies a unique index of a managed table for soft delete.
type uniqueKind int

const (
	uniqueIrrelevant uniqueKind = iota // not unique, primary key, or already filtered
	uniquePlain                        // counts trashed rows: the one to convert
	uniqueWithColumn                   // includes the soft-delete column in its key
)

func classifyUnique(ix Index, col string) uniqueKind {
	switch {
	case !ix.Unique || ix.Primary || mentionsIsNull(ix.Predicate, col):
		return uniqueIrrelevant
	case mentionsColumn(ix.Columns, col):
		if strings.Contains(ix.Def, " NULLS NOT DISTINCT") {
			return uniqueIrrelevant
		}
		return uniqueWithColumn
	}
	return uniquePlain
}

// describeUnique names an index or the constraint it backs, with its key.
func describeUnique(ix Index) string {
	if ix.Constraint != "" {
		return "unique constraint " + ix.Constraint + " " + ix.Columns
	}
	return "unique index " + ix.Name + " " + ix.Columns
}

// partialIndexDef is the CREATE UNIQUE INDEX statement of ix restricted to
// live rows (col IS NULL), keeping the index name, key, options and any
// existing predicate.
func partialIndexDef(ix Index, col string, ifNotExists bool) string {
	def, pred := ix.Def, ix.Predicate
	if pred != "" {
		if i := strings.LastIndex(def, " WHERE "); i >= 0 {
			def = def[:i]
		}
		pred = "(" + parenthesized(pred) + " AND (" + col + " IS NULL))"
	} else {
		pred = "(" + col + " IS NULL)"
	}
	// On a partitioned table pg_get_indexdef says ON ONLY (the parent's
	// index alone, invalid until each partition's is attached): build it
	// on every partition instead.
	def = strings.Replace(def, " ON ONLY ", " ON ", 1)
	if ifNotExists {
		def = strings.Replace(def, "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1)
	}
	return def + " WHERE " + pred + ";"
}

// uniqueConversion returns the statements that turn ix into a partial
// unique index of live rows. idempotent statements can run again as a
// no-op (for migrate); the others read better in a hint.
func uniqueConversion(c *Catalog, t *TableInfo, ix Index, idempotent bool) []string {
	col := c.Q(t.Column)
	qualified := c.Q(t.Schema) + "." + ix.Name
	var drop string
	switch {
	case ix.Constraint != "" && idempotent:
		drop = fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s;", t.Quoted, ix.Constraint)
	case ix.Constraint != "":
		drop = fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s;", t.Quoted, ix.Constraint)
	case idempotent:
		drop = dropIndexIfUnchanged(qualified, ix.Predicate)
	default:
		drop = fmt.Sprintf("DROP INDEX %s;", qualified)
	}
	return []string{drop, partialIndexDef(ix, col, idempotent)}
}

// dropIndexIfUnchanged drops an index only while it still has its old
// predicate, so that running the script again leaves the new one alone.
func dropIndexIfUnchanged(qualified, pred string) string {
	cond := "indpred IS NULL"
	if pred != "" {
		cond = "pg_get_expr(indpred, indrelid) = " + quoteLiteral(pred)
	}
	body := fmt.Sprintf(`
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(%s) AND %s) THEN
        DROP INDEX %s;
    END IF;
END `, quoteLiteral(qualified), cond, qualified)
	return "DO " + dollarQuote(body) + ";"
}

// dollarQuote quotes body with $$, or with a tag body does not contain.
func dollarQuote(body string) string {
	tag := "$$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$q%d$", i)
	}
	return tag + body + tag
}

// uniques reports every key a trashed row still holds, with its fix: the
// keys migrate handles (keys.go) until it has, and those it leaves.
func (k *checker) uniques() {
	whole := k.c.keysCurrent(k.t)
	for _, ix := range k.t.Indexes {
		switch handling(ix, k.col, tableMode(k.t)) {
		case keyPartial:
			k.heldKey(ix, strings.Join(uniqueConversion(k.c, k.t, ix, false), "\n")+"\n(softdelete-proxy migrate --apply does it)")
		case keyExclusion:
			k.heldKey(ix, strings.Join(exclusionRebuild(k.t, ix, k.col), "\n")+"\n(softdelete-proxy migrate --apply does it)")
		case keyWhole:
			if !whole {
				k.heldKey(ix, "softdelete-proxy migrate --apply: its trigger "+keysTrigger+" makes a row that takes the key of a trashed row "+
					conflictVerb(k.t)+" (on_key_conflict: "+tableMode(k.t)+"; the key itself stays as it is, since "+wholeWhy(ix)+")")
			}
		case keyLeft:
			k.leftKey(ix)
		}
	}
}

func conflictVerb(t *TableInfo) string {
	if tableMode(t) == modeRefuse {
		return "fail with an error that names the trashed row"
	}
	return "evict it (deleted for good, kept in softdelete.evicted)"
}

// wholeWhy says why a key must keep counting trashed rows.
func wholeWhy(ix Index) string {
	switch {
	case len(ix.ReferencedBy) > 0:
		return "foreign key " + strings.Join(ix.ReferencedBy, ", ") + " needs it whole"
	case ix.Primary:
		return "a primary key cannot be partial"
	case ix.Deferrable:
		return "it is DEFERRABLE, which a partial unique index cannot be"
	case ix.ConType != "":
		return "it is a constraint (ON CONFLICT ON CONSTRAINT and ALTER TABLE … DROP CONSTRAINT name it)"
	}
	return "on_key_conflict: refuse keeps trashed rows' keys"
}

func (k *checker) heldKey(ix Index, fix string) {
	k.add(Warning, KindUnique, keyName(ix), fix,
		"%s also counts trashed rows: %s", describeKey(ix), heldConsequence(ix))
}

// heldConsequence says what an application meets when a trashed row holds
// ix: the error PostgreSQL raises for that kind of key.
func heldConsequence(ix Index) string {
	if ix.ConType == "x" {
		return "inserting a row that conflicts with a trashed row fails with 23P01 (exclusion_violation)"
	}
	return "inserting a row with the key of a trashed row fails with 23505 (unique_violation)"
}

func (k *checker) leftKey(ix Index) {
	if classifyUnique(ix, k.col) == uniqueWithColumn {
		k.add(Warning, KindUniqueWithColumn, ix.Name,
			fmt.Sprintf("replace it by a unique index on the key without %s, WHERE %s IS NULL", k.col, k.col),
			"%s includes %s: NULLs are distinct, so it no longer stops two live rows with the same key",
			describeUnique(ix), k.col)
		return
	}
	what, fix := "an expression or partial key", "on_key_conflict: evict makes it a partial unique index of live rows (migrate --apply)"
	if ix.ConType == "x" {
		what, fix = "an exclusion constraint", "on_key_conflict: evict rebuilds it WHERE "+k.col+" IS NULL (migrate --apply)"
	}
	k.add(Warning, KindUnique, keyName(ix), fix+"; or restore or purge the trashed row before re-inserting its key",
		"%s also counts trashed rows and is left as it is under on_key_conflict: refuse (%s): %s", describeKey(ix), what, heldConsequence(ix))
}

// parenthesized returns expr wrapped in parentheses unless it already is
// as a whole.
func parenthesized(expr string) string {
	if strings.HasPrefix(expr, "(") && closingParen(expr, 0) == len(expr)-1 {
		return expr
	}
	return "(" + expr + ")"
}

// closingParen returns the index of the parenthesis closing the one at
// open, skipping quoted text; -1 when there is none.
func closingParen(s string, open int) int {
	depth, quote := 0, byte(0)
	for i := open; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
