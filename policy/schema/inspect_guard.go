package schema

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// inspectGuard reads what the guard, the purge role and the privilege
// checks need: the policy's roles, the superuser logins, and for each
// managed table its owner, row security, grantees and relatives.
func (c *Catalog) inspectGuard(ctx context.Context, q Querier, cfg *policy.Config) error {
	if err := c.loadRoles(ctx, q, cfg.Roles); err != nil {
		return fmt.Errorf("reading the policy's roles: %w", err)
	}
	rows, err := q.Query(ctx, superLoginsSQL)
	if err != nil {
		return err
	}
	if c.SuperLogins, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return fmt.Errorf("reading the superusers: %w", err)
	}
	set := tableSet{}
	for _, t := range c.Tables {
		if t.IsTable() {
			set[t.OID] = t
		}
	}
	if err := loadRelatives(ctx, q, set); err != nil {
		return fmt.Errorf("reading the partitions and children of the managed tables: %w", err)
	}
	if err := c.loadAccess(ctx, q, set); err != nil {
		return fmt.Errorf("reading the owners, row security and grants of the managed tables: %w", err)
	}
	return c.loadPurgeRights(ctx, q, cfg)
}

func (c *Catalog) loadRoles(ctx context.Context, q Querier, r policy.Roles) error {
	names := append([]string{r.Purge}, r.HardDelete...)
	rows, err := q.Query(ctx, rolesSQL, names)
	if err != nil {
		return err
	}
	var all []Role
	var role Role
	if _, err := pgx.ForEachRow(rows, []any{&role.Name, &role.Quoted, &role.Exists}, func() error {
		all = append(all, role)
		return nil
	}); err != nil {
		return err
	}
	if len(all) != len(names) {
		return fmt.Errorf("%d roles read for %d names", len(all), len(names))
	}
	c.Roles.Purge, c.Roles.HardDelete = all[0], all[1:]
	return nil
}

// accessTarget is one relation whose owner, row security and grants
// Inspect reads: a managed table (with the purge role among its grantees)
// or one of its descendants.
type accessTarget struct {
	oid     uint32
	columns []string // the policy's columns of its managed table
	purge   bool
	set     func(owner string, sec RowSecurity, clones map[string]bool, grants []Grantee)
}

// loadAccess reads the owner, row security, cloned triggers and grants of
// every managed table and of each of its descendants.
func (c *Catalog) loadAccess(ctx context.Context, q Querier, set tableSet) error {
	var targets []accessTarget
	for _, t := range set {
		cols := policyColumns(t.Table)
		targets = append(targets, accessTarget{oid: t.OID, columns: cols, purge: true,
			set: func(owner string, sec RowSecurity, _ map[string]bool, grants []Grantee) {
				t.Owner, t.Security, t.Grants = owner, sec, grants
			}})
		for i := range t.Descendants {
			d := &t.Descendants[i]
			targets = append(targets, accessTarget{oid: d.OID, columns: cols,
				set: func(owner string, sec RowSecurity, clones map[string]bool, grants []Grantee) {
					d.Owner, d.Security, d.Clones, d.Grants = owner, sec, clones, grants
				}})
		}
	}
	facts, err := loadRelationFacts(ctx, q, targets)
	if err != nil {
		return err
	}
	grants, err := loadGrantees(ctx, q, targets, c.Roles.Purge.Name)
	if err != nil {
		return err
	}
	for i, tg := range targets {
		f := facts[tg.oid]
		tg.set(f.owner, f.sec, f.clones, grants[i])
	}
	return nil
}

// relationFacts are one relation's owner, row security and cloned
// softdelete_* triggers.
type relationFacts struct {
	owner  string
	sec    RowSecurity
	clones map[string]bool
}

func loadRelationFacts(ctx context.Context, q Querier, targets []accessTarget) (map[uint32]relationFacts, error) {
	oids := make([]uint32, len(targets))
	for i, tg := range targets {
		oids[i] = tg.oid
	}
	rows, err := q.Query(ctx, relationFactsSQL, oids)
	if err != nil {
		return nil, err
	}
	out := map[uint32]relationFacts{}
	var oid uint32
	var f relationFacts
	var names, cmds, using, check, cloneNames []string
	var cloneOn []bool
	_, err = pgx.ForEachRow(rows, []any{&oid, &f.owner, &f.sec.Enabled, &names, &cmds, &using, &check, &cloneNames, &cloneOn}, func() error {
		f.sec.Policies = nil
		for i := range names {
			f.sec.Policies = append(f.sec.Policies, RLSPolicy{Name: names[i], Command: cmds[i], Using: using[i], WithCheck: check[i]})
		}
		f.clones = map[string]bool{}
		for i, n := range cloneNames {
			f.clones[n] = cloneOn[i]
		}
		out[oid] = f
		return nil
	})
	return out, err
}

// loadGrantees reads, for each target, the roles of its ACL (and the purge
// role, for a managed table) with their privileges on it and on the
// columns its policy names.
func loadGrantees(ctx context.Context, q Querier, targets []accessTarget, purge string) ([][]Grantee, error) {
	oids := make([]uint32, len(targets))
	var withPurge []uint32
	columns := map[string]bool{}
	var allColumns []string
	for i, tg := range targets {
		oids[i] = tg.oid
		if tg.purge {
			withPurge = append(withPurge, tg.oid)
		}
		for _, c := range tg.columns {
			if !columns[c] {
				columns[c] = true
				allColumns = append(allColumns, c)
			}
		}
	}
	rows, err := q.Query(ctx, granteesSQL, oids, allColumns, withPurge, purge)
	if err != nil {
		return nil, err
	}
	out := make([][]Grantee, len(targets))
	var i int
	var g Grantee
	var upd, sel []string
	_, err = pgx.ForEachRow(rows, []any{&i, &g.Role, &g.Owner, &g.Deletes, &g.SelectsAny, &g.Selects, &g.DeletesEff, &upd, &sel}, func() error {
		if i < 1 || i > len(targets) {
			return fmt.Errorf("grantee row %d of %d", i, len(targets))
		}
		own := setOf(targets[i-1].columns)
		g.Update, g.SelectCol = setOf(only(upd, own)), setOf(only(sel, own))
		out[i-1] = append(out[i-1], g)
		return nil
	})
	return out, err
}

// only returns the xs that are in keep.
func only(xs []string, keep map[string]bool) []string {
	var out []string
	for _, x := range xs {
		if keep[x] {
			out = append(out, x)
		}
	}
	return out
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// policyColumns are the columns the rewritten statements write: the
// soft-delete column first, then deleted_by and reason when set.
func policyColumns(t policy.Table) []string {
	cols := []string{t.Column}
	for _, c := range []string{t.DeletedByColumn, t.ReasonColumn} {
		if c != "" {
			cols = append(cols, c)
		}
	}
	return cols
}

// loadRelatives reads each table's descendants (each once) and ancestors.
func loadRelatives(ctx context.Context, q Querier, set tableSet) error {
	rows, err := q.Query(ctx, relativesSQL, set.oids())
	if err != nil {
		return err
	}
	seen := map[[2]uint32]bool{}
	var root uint32
	var down bool
	var r Relative
	var depth int
	_, err = pgx.ForEachRow(rows, []any{&root, &down, &r.OID, &r.Schema, &r.Name, &r.Quoted, &r.Kind, &r.Partition, &r.Parent, &depth, &r.Parents}, func() error {
		t, err := set.at(root)
		if err != nil {
			return err
		}
		switch {
		case !down:
			t.Ancestors = append(t.Ancestors, r)
		case !seen[[2]uint32{root, r.OID}]:
			seen[[2]uint32{root, r.OID}] = true
			t.Descendants = append(t.Descendants, r)
		}
		return nil
	})
	return err
}

// loadPurgeRights reads the purge role's USAGE on the schemas it needs,
// its SELECT and DELETE on softdelete.evicted and its INSERT on the audit
// table.
func (c *Catalog) loadPurgeRights(ctx context.Context, q Querier, cfg *policy.Config) error {
	var schemas []string
	for _, t := range c.Tables {
		schemas = append(schemas, t.Schema)
	}
	if n, ok := cfg.AuditTable(); ok {
		schemas = append(schemas, n.Schema)
	}
	rows, err := q.Query(ctx, purgeUsageSQL, c.Roles.Purge.Name, schemas)
	if err != nil {
		return err
	}
	c.Roles.PurgeUsage = map[string]bool{}
	var s string
	var ok bool
	if _, err := pgx.ForEachRow(rows, []any{&s, &ok}, func() error {
		c.Roles.PurgeUsage[s] = ok
		return nil
	}); err != nil {
		return err
	}
	if err := q.QueryRow(ctx, purgeEvictedSQL, c.Roles.Purge.Name, c.QN(ownSchema, evictedTable)).Scan(&c.Roles.PurgeEvicted); err != nil {
		return err
	}
	if c.Audit == nil {
		return nil
	}
	return q.QueryRow(ctx, purgeAuditSQL, c.Roles.Purge.Name, c.Audit.Quoted).Scan(&c.Roles.PurgeAudit)
}
