package main

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
	"github.com/softdelete-proxy/softdelete-proxy/proxy/tracker"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// resolver tells the proxy what a policy means in one database: its
// tables with their partitions and inheritance children, and whether the
// guard migrate installs is in place (schema.GuardStatus, as check reads
// it). It asks two queries, run by a session of that database.
type resolver struct {
	cfg *policy.Config
	// versions numbers the resolved rewrite policies: each database's is a
	// policy of its own for the rewrite cache and prepared statements.
	versions *atomic.Uint64
}

func (r resolver) Queries() []string {
	return []string{schema.InheritanceSQL, schema.GuardStatusSQL(r.cfg)}
}

func (r resolver) Resolve(db string, answers [][][]string) (*tracker.Resolved, error) {
	rows, err := schema.ParseInheritanceRows(answers[0])
	if err != nil {
		return nil, err
	}
	// the patterns are resolved from the guard status query's rows
	// (schema.PatternSQL inside it), so both see the same tables
	resolved, problems, err := schema.ResolveGuardStatus(r.cfg, answers[1])
	if err != nil {
		return nil, err
	}
	resolved, problems = inDatabase(db, resolved, problems)
	expanded := *resolved
	expanded.Managed = schema.ExpandTables(resolved.Managed, rows)
	pol := expanded.RewritePolicy(r.versions.Add(1))
	if ancestors := schema.UnmanagedAncestors(expanded.Managed, rows); len(ancestors) > 0 {
		tables := append([]rewrite.Table(nil), pol.Tables...)
		for _, a := range ancestors {
			tables = append(tables, rewrite.Table{Schema: a.Table.Schema, Name: a.Table.Name, Refusal: refusal(a)})
		}
		refused := rewrite.NewPolicy(pol.Version, tables)
		refused.HardDeleteRoles = pol.HardDeleteRoles
		pol = refused
	}
	res := &tracker.Resolved{Rewrite: pol, Require: r.cfg.RequireGuard}
	for _, p := range problems {
		res.Unguarded = append(res.Unguarded, summarize(p))
	}
	if len(problems) > 0 {
		res.Refused = refusedTables(resolved, problems, rows, pol.Version)
	}
	return res, nil
}

// refusedTables is the policy of the tables with guard problems, their
// partitions and children included: with require_guard, the statements
// that may name one of them are refused.
func refusedTables(cfg *policy.Config, problems []schema.GuardProblem, rows []schema.InheritanceRow, version uint64) *rewrite.Policy {
	wrong := map[policy.TableName]bool{}
	for _, p := range problems {
		wrong[p.Table] = true
	}
	refused := *cfg
	refused.Managed = nil
	for _, t := range cfg.Managed {
		if wrong[t.QualifiedName()] {
			refused.Managed = append(refused.Managed, t)
		}
	}
	refused.Managed = schema.ExpandTables(refused.Managed, rows)
	return refused.RewritePolicy(version)
}

// inDatabase keeps the tables (and their guard problems) that the policy
// scopes to database db (databases: in the config).
func inDatabase(db string, cfg *policy.Config, problems []schema.GuardProblem) (*policy.Config, []schema.GuardProblem) {
	if !cfg.Scoped() {
		return cfg, problems
	}
	out := *cfg
	out.Managed = nil
	kept := map[policy.TableName]bool{}
	for _, t := range cfg.Managed {
		if t.InDatabase(db) {
			out.Managed = append(out.Managed, t)
			kept[t.QualifiedName()] = true
		}
	}
	var left []schema.GuardProblem
	for _, p := range problems {
		if kept[p.Table] {
			left = append(left, p)
		}
	}
	return &out, left
}

// refusal is why statements naming an unmanaged ancestor are refused.
func refusal(a schema.Ancestor) string {
	names := make([]string, len(a.Managed))
	for i, m := range a.Managed {
		names[i] = m.String()
	}
	return fmt.Sprintf("softdelete-proxy cannot follow %s: it is not under the soft-delete policy, but %s below it is, and reading it would show their trashed rows",
		a.Table, strings.Join(names, ", "))
}

// summarize is one line per table: the first problem and how many more.
func summarize(p schema.GuardProblem) string {
	line := p.Table.String()
	if len(p.Objects) > 0 {
		line += ": " + p.Objects[0]
	}
	if n := len(p.Objects) - 1; n > 0 {
		line += fmt.Sprintf(" (and %d more)", n)
	}
	return line
}

// resolvedVersions start far above the configuration's versions (1, 2, …
// per reload), so the two never meet in the rewrite cache.
func newResolvedVersions() *atomic.Uint64 {
	v := &atomic.Uint64{}
	v.Store(1 << 40)
	return v
}

var _ tracker.Resolver = resolver{}
