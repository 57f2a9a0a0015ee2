package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// The proxy asks each database once, on an upstream connection with the
// simple protocol, whether the guard of its managed tables is in place:
// GuardStatusSQL reads, in one round trip, what the guard's generator
// needs and what is installed; GuardStatus compares them the way check
// does, for the guard's objects only (its functions, and on each managed
// table and each of its partitions and children its triggers).

// GuardProblem is a table of the policy whose guard is missing or stale,
// wholly or on one of its partitions and children.
type GuardProblem struct {
	Table   policy.TableName
	Objects []string // what is wrong, e.g. "trigger softdelete_truncate on public.deals_2027: missing"
}

// GuardStatusSQL is one query without parameters whose rows (eight text
// columns: a kind, then seven values that depend on it) GuardStatus reads. It
// embeds cfg's tables and roles as literals.
func GuardStatusSQL(cfg *policy.Config) string {
	var tables, ids, roles []string
	for i, t := range cfg.Managed {
		tables = append(tables, fmt.Sprintf("(%d, %s, %s, -1)", i, sqlLiteral(t.Schema), sqlLiteral(t.Name)))
		ids = append(ids, t.Schema, t.Name, t.Column)
	}
	ids = append(ids, ownNames...)
	for _, p := range cfg.Patterns() {
		ids = append(ids, p.Column)
	}
	for i, r := range append([]string{cfg.Roles.Purge}, cfg.Roles.HardDelete...) {
		roles = append(roles, fmt.Sprintf("(%d, %s)", i, sqlLiteral(r)))
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = sqlLiteral(id)
	}
	if len(tables) == 0 {
		tables = []string{"(0, NULL, NULL, -1)"}
	}
	values := "VALUES " + strings.Join(tables, ", ")
	if pat := PatternSQL(cfg); pat != "" {
		// each table the patterns match once, with the first pattern that
		// does (guardCatalog applies the rest of the precedence)
		values += fmt.Sprintf(" UNION ALL SELECT (%d + dense_rank() OVER (ORDER BY m.nsp, m.rel))::int, m.nsp, m.rel, m.pat "+
			"FROM (SELECT DISTINCT ON (nsp, rel) pat::int, nsp, rel FROM (%s) AS u(pat, nsp, rel) ORDER BY nsp, rel, pat::int) AS m",
			patternBase, pat)
	}
	return strings.NewReplacer("{tables}", values, "{ids}", strings.Join(quoted, ", "),
		"{roles}", strings.Join(roles, ", ")).Replace(guardStatusSQL)
}

// guardStatusSQL is GuardStatusSQL's query, with {tables} (index, schema,
// name), {ids} (identifiers to quote) and {roles} (index, name) to fill.
// Its columns must stay text: PostgreSQL resolves a UNION of name and text
// to name, so one name in a column (current_database()) would cut every
// value of it to 63 bytes, "softdelete_guard on public.<a long table name>"
// among them.
var guardStatusSQL = `WITH RECURSIVE p(i, nsp, rel, pat) AS ({tables}),
t AS (SELECT p.i, c.oid, c.relkind, p.nsp, p.rel, p.pat FROM p JOIN pg_namespace n ON n.nspname = p.nsp JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.rel),
d(i, oid, parent, depth) AS (
    SELECT t.i, h.inhrelid, h.inhparent, 1 FROM t JOIN pg_inherits h ON h.inhparent = t.oid
    UNION ALL
    SELECT d.i, h.inhrelid, h.inhparent, d.depth + 1 FROM d JOIN pg_inherits h ON h.inhparent = d.oid WHERE d.depth < 64),
a(i, oid, depth) AS (
    SELECT t.i, h.inhparent, 1 FROM t JOIN pg_inherits h ON h.inhrelid = t.oid
    UNION ALL
    SELECT a.i, h.inhparent, a.depth + 1 FROM a JOIN pg_inherits h ON h.inhrelid = a.oid WHERE a.depth < 64),
q AS (SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, c.relkind::text AS kind,
             CASE WHEN c.relispartition THEN 't' ELSE 'f' END AS part
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace),
dg AS MATERIALIZED (SELECT d.keyrel, ` + digestOf + ` AS digest
      FROM (` + digestRowsSQL("IN (SELECT t.oid FROM t)") + `) AS d GROUP BY d.keyrel)
SELECT 'server', '', current_setting('server_version_num'), current_database()::text, '', '', '', ''
UNION ALL
SELECT 'quote', '', x, quote_ident(x), '', '', '', '' FROM unnest(ARRAY[{ids}]::text[]) AS u(x)
UNION ALL
SELECT 'role', r.i::text, r.name, quote_ident(r.name), CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name) THEN 't' ELSE 'f' END, '', '', ''
FROM (VALUES {roles}) AS r(i, name)
UNION ALL
SELECT 'table', t.i::text, q.name, t.oid::text, q.kind, t.nsp, t.rel, t.pat::text FROM t JOIN q ON q.oid = t.oid
UNION ALL
SELECT 'digest', t.i::text, coalesce(dg.digest, ` + digestOfNone + `), '', '', '', '', '' FROM t LEFT JOIN dg ON dg.keyrel = t.oid
UNION ALL
SELECT 'descendant', d.i::text, q.name, d.oid::text, q.kind, q.part, pq.name, d.depth::text
FROM d JOIN q ON q.oid = d.oid JOIN q pq ON pq.oid = d.parent
UNION ALL
SELECT 'ancestor', a.i::text, q.name, a.oid::text, q.kind, '', '', a.depth::text FROM a JOIN q ON q.oid = a.oid
UNION ALL
SELECT DISTINCT 'parent', d.i::text, q.name, pq.name, '', '', '', ''
FROM d JOIN pg_inherits h ON h.inhrelid = d.oid JOIN q ON q.oid = d.oid JOIN q pq ON pq.oid = h.inhparent
UNION ALL
SELECT 'clone', '', q.name, quote_ident(tg.tgname), CASE WHEN tg.tgenabled IN ('D', 'R') THEN 'f' ELSE 't' END, '', '', ''
FROM pg_trigger tg JOIN q ON q.oid = tg.tgrelid
WHERE tg.tgparentid <> 0 AND tg.tgname LIKE '` + ownPrefix + `%'
UNION ALL
SELECT 'installed', kind, tbl, name, comment, source, CASE WHEN disabled THEN 't' ELSE 'f' END, ''
FROM (` + installedSQL + `) AS o(kind, tbl, name, comment, source, disabled)`

// sqlLiteral writes s as a string literal that reads the same whatever
// standard_conforming_strings says.
func sqlLiteral(s string) string {
	if strings.ContainsRune(s, '\\') {
		return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
	}
	return quoteLiteral(s)
}

// GuardStatus reads the text rows of GuardStatusSQL(cfg) and returns the
// tables of cfg whose guard is missing or stale, in policy order; none
// when the guard is in place everywhere.
func GuardStatus(cfg *policy.Config, rows [][]string) ([]GuardProblem, error) {
	_, problems, err := ResolveGuardStatus(cfg, rows)
	return problems, err
}

// ResolveGuardStatus is GuardStatus, and cfg with its patterns resolved
// from the same rows (the tables they matched).
func ResolveGuardStatus(cfg *policy.Config, rows [][]string) (*policy.Config, []GuardProblem, error) {
	c, resolved, err := guardCatalog(cfg, rows)
	if err != nil {
		return nil, nil, err
	}
	problems := guardProblems(c)
	return resolved, problems, nil
}

// guardProblems compares the guard's objects with the installed ones.
func guardProblems(c *Catalog) []GuardProblem {
	installed := map[string]Installed{}
	for _, in := range c.Installed {
		installed[objectKey(in.Kind, in.Name)] = in
	}
	root := map[string]int{} // relation -> index of its policy table
	for i, t := range c.Tables {
		root[t.Quoted] = i
		for _, d := range c.inherited(t) {
			root[d.Quoted] = i
		}
	}
	wrong := make([][]string, len(c.Tables))
	for i, t := range c.Tables {
		if !t.IsTable() {
			wrong[i] = append(wrong[i], t.Quoted+": not a table of this database")
		}
	}
	for _, o := range guardObjects(c) {
		st := compareObject(o, installed)
		if st.State == stateCurrent {
			continue
		}
		what := st.Kind + " " + st.Name + ": " + st.State
		if st.Why != "" {
			what += " (" + st.Why + ")"
		}
		if i, ok := root[st.Table]; ok && st.Table != "" {
			wrong[i] = append(wrong[i], what)
			continue
		}
		for i := range wrong {
			wrong[i] = append(wrong[i], what)
		}
	}
	var out []GuardProblem
	for i, w := range wrong {
		if len(w) > 0 {
			out = append(out, GuardProblem{Table: c.Tables[i].Table.QualifiedName(), Objects: w})
		}
	}
	return out
}

// patternBase numbers the rows of pattern matches in GuardStatusSQL, above
// any index of a named table.
const patternBase = 1000000

// patternIndexes resolves cfg's patterns from the table rows of
// GuardStatusSQL: the resolved config, and the position in its Managed of
// each row index (named tables keep theirs; a match a named table or the
// audit table takes is left out).
func patternIndexes(cfg *policy.Config, rows [][]string) (*policy.Config, map[int]int) {
	var matches []policy.Match
	byName := map[policy.TableName]int{}
	for _, r := range rows {
		i, _ := strconv.Atoi(r[1])
		if len(r) == 8 && r[0] == "table" && i >= patternBase {
			pat, _ := strconv.Atoi(r[7])
			n := policy.TableName{Schema: r[5], Name: r[6]}
			matches = append(matches, policy.Match{Pattern: pat, Table: n})
			byName[n] = i
		}
	}
	resolved := cfg.WithMatches(matches)
	index := map[int]int{}
	for k := range cfg.Managed {
		index[k] = k
	}
	for k := len(cfg.Managed); k < len(resolved.Managed); k++ {
		index[byName[resolved.Managed[k].QualifiedName()]] = k
	}
	return resolved, index
}

// guardCatalog builds, from the rows of GuardStatusSQL, the part of a
// Catalog the guard's generator reads.
func guardCatalog(cfg *policy.Config, rows [][]string) (*Catalog, *policy.Config, error) {
	c := &Catalog{quoted: map[string]string{}}
	resolved, index := patternIndexes(cfg, rows)
	for _, t := range resolved.Managed {
		c.Tables = append(c.Tables, &TableInfo{Table: t})
	}
	roles := map[int]Role{}
	type desc struct {
		i, depth int
		r        Relative
	}
	var descs []desc
	clones := map[string]map[string]bool{}
	parents := map[string][]string{}
	for n, r := range rows {
		if len(r) != 8 {
			return nil, nil, fmt.Errorf("guard status row %d: %d columns, want 8", n+1, len(r))
		}
		i, _ := strconv.Atoi(r[1])
		if r[0] != "installed" && r[0] != "role" && r[1] != "" {
			k, ok := index[i]
			if !ok && i < patternBase {
				return nil, nil, fmt.Errorf("guard status row %d: index %q out of range", n+1, r[1])
			}
			if !ok {
				continue // a match that a named table (or the audit table) takes
			}
			i = k
		}
		if r[0] == "role" && i < 0 {
			return nil, nil, fmt.Errorf("guard status row %d: index %q out of range", n+1, r[1])
		}
		switch r[0] {
		case "server":
			c.ServerVersion, _ = strconv.Atoi(r[2])
			c.Database = r[3]
		case "quote":
			c.quoted[r[2]] = r[3]
		case "role":
			roles[i] = Role{Name: r[2], Quoted: r[3], Exists: r[4] == "t"}
		case "table":
			oid, _ := strconv.ParseUint(r[3], 10, 32)
			t := c.Tables[i]
			t.Quoted, t.OID, t.Kind = r[2], uint32(oid), r[4]
		case "descendant":
			oid, _ := strconv.ParseUint(r[3], 10, 32)
			depth, _ := strconv.Atoi(r[7])
			descs = append(descs, desc{i, depth, Relative{Quoted: r[2], OID: uint32(oid), Kind: r[4], Partition: r[5] == "t", Parent: r[6]}})
		case "ancestor":
			oid, _ := strconv.ParseUint(r[3], 10, 32)
			c.Tables[i].Ancestors = append(c.Tables[i].Ancestors, Relative{Quoted: r[2], OID: uint32(oid), Kind: r[4]})
		case "digest":
			c.Tables[i].CatalogDigest = r[2]
		case "parent":
			parents[r[2]] = append(parents[r[2]], r[3])
		case "clone":
			if clones[r[2]] == nil {
				clones[r[2]] = map[string]bool{}
			}
			clones[r[2]][r[3]] = r[4] == "t"
		case "installed":
			in := Installed{Kind: r[1], Table: r[2], Name: r[3], Source: r[5], Disabled: r[6] == "t"}
			in.Fingerprint, in.Stamp = parseComment(r[4])
			c.Installed = append(c.Installed, in)
		default:
			return nil, nil, fmt.Errorf("guard status row %d: unknown kind %q", n+1, r[0])
		}
	}
	for _, t := range c.Tables {
		if t.Quoted == "" {
			t.Quoted = c.QN(t.Schema, t.Name)
		}
	}
	c.Roles.Purge = roles[0]
	for i := 1; i <= len(cfg.Roles.HardDelete); i++ {
		c.Roles.HardDelete = append(c.Roles.HardDelete, roles[i])
	}
	sort.SliceStable(descs, func(a, b int) bool {
		x, y := descs[a], descs[b]
		if x.i != y.i || x.depth != y.depth {
			return x.i < y.i || (x.i == y.i && x.depth < y.depth)
		}
		return x.r.Quoted < y.r.Quoted
	})
	seen := map[[2]uint32]bool{}
	for _, d := range descs {
		t := c.Tables[d.i]
		if key := [2]uint32{uint32(d.i), d.r.OID}; !seen[key] {
			seen[key] = true
			d.r.Clones, d.r.Parents = clones[d.r.Quoted], parents[d.r.Quoted]
			t.Descendants = append(t.Descendants, d.r)
		}
	}
	return c, resolved, nil
}
