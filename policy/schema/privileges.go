package schema

import (
	"slices"
	"strings"
)

// privilegeObjects is the generator of the purge role and of the grants
// soft delete needs:
//
//   - the NOLOGIN purge role (roles.purge) with SELECT, DELETE and UPDATE
//     of the policy columns on each managed table (its batches lock rows
//     with FOR UPDATE, which needs UPDATE of some column), USAGE on their
//     schemas, SELECT and DELETE on softdelete.evicted (it purges the
//     records there too) and INSERT on the audit table;
//   - for every role with DELETE on a managed table (or one of its
//     partitions and children): UPDATE of the columns the rewritten DELETE
//     sets and SELECT of the soft-delete column it tests, so that a role
//     that may delete but not update can still delete through the proxy;
//   - for every role that may SELECT some column of one: SELECT of the
//     soft-delete column, which the proxy's filter reads.
//
// Trashing and restoring themselves check DELETE and UPDATE on the table
// (the softdelete_privilege trigger), so these column grants give no role
// more than it had.
func privilegeObjects(c *Catalog) []Object {
	out := c.purgeRoleObjects()
	for _, t := range c.Tables {
		if !t.IsTable() {
			continue
		}
		out = append(out, c.columnGrants(t, t.Quoted, t.Grants)...)
		for _, d := range c.inherited(t) {
			out = append(out, c.columnGrants(t, d.Quoted, d.Grants)...)
		}
	}
	return out
}

func (c *Catalog) purgeRoleObjects() []Object {
	p := c.Roles.Purge
	out := []Object{{Kind: "role", Name: p.Quoted, Present: p.Exists,
		Purpose: "the purge role (roles.purge): its members, such as the purger's login role, may delete trashed rows for good",
		Create: []string{"DO " + dollarQuote("\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "+quoteLiteral(p.Name)+") THEN\n"+
			"        CREATE ROLE "+p.Quoted+" NOLOGIN;\n    END IF;\nEND ") + ";"}}}
	for _, t := range c.Tables {
		if !t.IsTable() {
			continue
		}
		out = append(out, c.usageObject(c.Q(t.Schema)))
		cols := c.quotedList(policyColumns(t.Table))
		g := findGrantee(t.Grants, p.Quoted)
		have := g != nil && g.Selects && g.DeletesEff && c.hasColumns(t, g.Update, policyColumns(t.Table))
		out = append(out, Object{Kind: "grant", Table: t.Quoted, Present: p.Exists && have,
			Name:    "SELECT, DELETE, UPDATE (" + cols + ") ON " + t.Quoted + " TO " + p.Quoted,
			Purpose: "what the purger needs on " + t.Quoted + ": find and lock trashed rows, delete them",
			Create:  []string{"GRANT SELECT, DELETE, UPDATE (" + cols + ") ON " + t.Quoted + " TO " + p.Quoted + ";"}})
	}
	evicted := c.QN(ownSchema, evictedTable)
	out = append(out, Object{Kind: "grant", Present: p.Exists && c.Roles.PurgeEvicted,
		Name:    "SELECT, DELETE ON " + evicted + " TO " + p.Quoted,
		Purpose: "the purger deletes the records of " + evicted + " once their table's retention has passed",
		Create:  []string{"GRANT SELECT, DELETE ON " + evicted + " TO " + p.Quoted + ";"}})
	if c.Audit != nil {
		if n, ok := splitQuoted(c.Audit.Quoted); ok {
			out = append(out, c.usageObject(n))
		}
		out = append(out, Object{Kind: "grant", Table: c.Audit.Quoted, Present: p.Exists && c.Roles.PurgeAudit,
			Name:    "INSERT ON " + c.Audit.Quoted + " TO " + p.Quoted,
			Purpose: "the purger records each batch in the audit table",
			Create:  []string{"GRANT INSERT ON " + c.Audit.Quoted + " TO " + p.Quoted + ";"}})
	}
	return out
}

// usageObject is USAGE on a schema (quoted) for the purge role.
func (c *Catalog) usageObject(schema string) Object {
	p := c.Roles.Purge
	return Object{Kind: "grant", Name: "USAGE ON SCHEMA " + schema + " TO " + p.Quoted, Present: p.Exists && c.Roles.PurgeUsage[unquoted(schema)],
		Purpose: "the purge role reaches the tables of schema " + schema,
		Create:  []string{"GRANT USAGE ON SCHEMA " + schema + " TO " + p.Quoted + ";"}}
}

// columnGrants are the column privileges the grantees of relation rel (t
// or one of its partitions and children) lack.
func (c *Catalog) columnGrants(t *TableInfo, rel string, grantees []Grantee) []Object {
	var out []Object
	cols := policyColumns(t.Table)
	for _, g := range grantees {
		if g.Owner || (rel == t.Quoted && g.Role == c.Roles.Purge.Quoted) {
			continue // the owner has every privilege; the purge role has its own grant
		}
		var upd []string
		if g.Deletes {
			for _, col := range cols {
				if !g.Update[col] || !c.columnExists(t, col) {
					upd = append(upd, c.Q(col))
				}
			}
		}
		sel := (g.Deletes || g.SelectsAny) && (!g.SelectCol[t.Column] || !c.columnExists(t, t.Column))
		if len(upd) == 0 && !sel {
			continue
		}
		out = append(out, c.columnGrant(t, rel, g, upd, sel))
	}
	return out
}

func (c *Catalog) columnGrant(t *TableInfo, rel string, g Grantee, upd []string, sel bool) Object {
	var privs, why []string
	if len(upd) > 0 {
		privs = append(privs, "UPDATE ("+strings.Join(upd, ", ")+")")
		why = append(why, "it has DELETE, and a DELETE through the proxy is an UPDATE of "+strings.Join(upd, ", "))
	}
	if sel {
		privs = append(privs, "SELECT ("+c.Q(t.Column)+")")
		why = append(why, "the proxy's filter and its rewritten DELETE read "+c.Q(t.Column))
	}
	spec := strings.Join(privs, ", ") + " ON " + rel + " TO " + g.Role
	return Object{Kind: "grant", Table: rel, Name: spec,
		Purpose: "role " + g.Role + " is out of step with soft delete on " + rel + ": " + strings.Join(why, "; ") +
			" (trashing still needs DELETE and restoring UPDATE on the table)",
		Create: []string{"GRANT " + spec + ";"}}
}

// columnExists reports whether t has col now (migrate adds the missing
// policy columns before it grants on them).
func (c *Catalog) columnExists(t *TableInfo, col string) bool {
	_, ok := t.Columns[col]
	return ok
}

// hasColumns reports whether every column of cols exists and is in have.
func (c *Catalog) hasColumns(t *TableInfo, have map[string]bool, cols []string) bool {
	return !slices.ContainsFunc(cols, func(col string) bool { return !have[col] || !c.columnExists(t, col) })
}

func (c *Catalog) quotedList(cols []string) string {
	q := make([]string, len(cols))
	for i, col := range cols {
		q[i] = c.Q(col)
	}
	return strings.Join(q, ", ")
}

func findGrantee(gs []Grantee, role string) *Grantee {
	for i := range gs {
		if gs[i].Role == role {
			return &gs[i]
		}
	}
	return nil
}

// splitQuoted returns the schema part of a quoted schema.name.
func splitQuoted(qualified string) (string, bool) {
	inQuote := false
	for i, r := range qualified {
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == '.' && !inQuote:
			return qualified[:i], true
		}
	}
	return "", false
}
