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
	if err := eachTable(q, len(c.Tables), func(i int) error {
		t := c.Tables[i]
		if !t.IsTable() {
			return nil
		}
		if err := c.inspectTableGuard(ctx, q, t); err != nil {
			return fmt.Errorf("inspecting %s: %w", t.Quoted, err)
		}
		return nil
	}); err != nil {
		return err
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

func (c *Catalog) inspectTableGuard(ctx context.Context, q Querier, t *TableInfo) error {
	var err error
	if t.Owner, t.Security, _, err = relationFacts(ctx, q, t.OID); err != nil {
		return err
	}
	if t.Grants, err = loadGrantees(ctx, q, t.OID, t.Table, c.Roles.Purge.Name); err != nil {
		return err
	}
	if err := loadRelatives(ctx, q, t); err != nil {
		return err
	}
	for i := range t.Descendants {
		d := &t.Descendants[i]
		if d.Owner, d.Security, d.Clones, err = relationFacts(ctx, q, d.OID); err != nil {
			return err
		}
		if d.Grants, err = loadGrantees(ctx, q, d.OID, t.Table, ""); err != nil {
			return err
		}
	}
	return nil
}

// relationFacts reads one relation's owner, row security and cloned
// softdelete_* triggers.
func relationFacts(ctx context.Context, q Querier, oid uint32) (owner string, sec RowSecurity, clones map[string]bool, err error) {
	var names, cmds, using, check, cloneNames []string
	var cloneOn []bool
	err = q.QueryRow(ctx, relationFactsSQL, oid).Scan(&owner, &sec.Enabled, &names, &cmds, &using, &check, &cloneNames, &cloneOn)
	if err != nil {
		return "", sec, nil, err
	}
	for i := range names {
		sec.Policies = append(sec.Policies, RLSPolicy{Name: names[i], Command: cmds[i], Using: using[i], WithCheck: check[i]})
	}
	clones = map[string]bool{}
	for i, n := range cloneNames {
		clones[n] = cloneOn[i]
	}
	return owner, sec, clones, nil
}

// loadGrantees reads the roles of a relation's ACL (and the purge role,
// when purge is not "") with their privileges on it and on the columns t's
// policy names.
func loadGrantees(ctx context.Context, q Querier, oid uint32, t policy.Table, purge string) ([]Grantee, error) {
	rows, err := q.Query(ctx, granteesSQL, oid, policyColumns(t), purge)
	if err != nil {
		return nil, err
	}
	var out []Grantee
	var g Grantee
	var upd, sel []string
	_, err = pgx.ForEachRow(rows, []any{&g.Role, &g.Owner, &g.Deletes, &g.SelectsAny, &g.Selects, &g.DeletesEff, &upd, &sel}, func() error {
		g.Update, g.SelectCol = setOf(upd), setOf(sel)
		out = append(out, g)
		return nil
	})
	return out, err
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

// loadRelatives reads t's descendants (each once) and ancestors.
func loadRelatives(ctx context.Context, q Querier, t *TableInfo) error {
	rows, err := q.Query(ctx, relativesSQL, t.OID)
	if err != nil {
		return err
	}
	seen := map[uint32]bool{}
	var down bool
	var r Relative
	var depth int
	_, err = pgx.ForEachRow(rows, []any{&down, &r.OID, &r.Schema, &r.Name, &r.Quoted, &r.Kind, &r.Partition, &r.Parent, &depth, &r.Parents}, func() error {
		switch {
		case !down:
			t.Ancestors = append(t.Ancestors, r)
		case !seen[r.OID]:
			seen[r.OID] = true
			t.Descendants = append(t.Descendants, r)
		}
		return nil
	})
	return err
}

// loadPurgeRights reads the purge role's USAGE on the schemas it needs and
// its INSERT on the audit table.
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
	if c.Audit == nil {
		return nil
	}
	return q.QueryRow(ctx, purgeAuditSQL, c.Roles.Purge.Name, c.Audit.Quoted).Scan(&c.Roles.PurgeAudit)
}
