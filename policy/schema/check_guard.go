package schema

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// What check says about the guard beyond its objects (objects.go reports
// those missing, stale or unexpected): tables it cannot make exact, and
// who can turn it off.

// guardChecks are the findings of one managed table.
func (k *checker) guardChecks() {
	k.unmanagedParents()
	k.childPolicy()
	k.rowSecurity(k.t.Quoted, k.t.Security)
	for _, d := range k.c.inherited(k.t) {
		k.rowSecurity(d.Quoted, d.Security)
		if d.Kind == "f" {
			k.add(Warning, KindForeignPartition, d.Quoted, "keep the rows of managed tables in PostgreSQL",
				"%s is a foreign table under %s: its rows live elsewhere, and TRUNCATE of it cannot be refused (foreign tables have no TRUNCATE triggers)",
				d.Quoted, k.t.Quoted)
		}
	}
}

// unmanagedParents reports tables that t, or one of its partitions and
// children, descends from and that are not managed: their reads show
// trashed rows, and their DELETE and TRUNCATE reach managed rows (the
// guard refuses them, with row triggers it adds for the purpose).
func (k *checker) unmanagedParents() {
	managed := k.c.managedRelations()
	report := func(child, parent string) {
		k.add(Error, KindUnmanagedParent, parent,
			fmt.Sprintf("add %s to the policy (its partitions and children are managed with it), or detach %s from it", parent, child),
			"%s descends from %s, which is not managed: reads of %s show the trashed rows of %s, and its DELETE and TRUNCATE reach them",
			child, parent, parent, child)
	}
	for _, a := range k.t.Ancestors {
		if !managed[a.Quoted] {
			report(k.t.Quoted, a.Quoted)
		}
	}
	for _, d := range k.c.inherited(k.t) {
		for _, p := range d.Parents {
			if !managed[p] {
				report(d.Quoted, p)
			}
		}
	}
}

// childPolicy reports a policy table that descends from another one with
// another soft-delete column: reads and deletes through the parent use the
// parent's column.
func (k *checker) childPolicy() {
	for _, m := range k.c.Tables {
		if m == k.t || !m.Exists() || m.Column == k.t.Column {
			continue
		}
		for _, d := range m.Descendants {
			if d.Quoted == k.t.Quoted {
				k.add(Error, KindChildPolicy, m.Quoted,
					fmt.Sprintf("give %s the column of %s (%s), or leave it out of the policy: it is managed with its parent", k.t.Quoted, m.Quoted, k.c.Q(m.Column)),
					"%s descends from %s, which the policy manages with column %s: reads and deletes through %s test and set %s, not %s",
					k.t.Quoted, m.Quoted, k.c.Q(m.Column), m.Quoted, k.c.Q(m.Column), k.col)
			}
		}
	}
}

// rowSecurity reports row-level security that the rewritten statements
// would not apply as PostgreSQL applies it to a DELETE. A DELETE through
// the proxy is an UPDATE: UPDATE policies (USING on the old row, WITH
// CHECK on the new one) and, since it reads the soft-delete column, SELECT
// policies apply instead of DELETE policies. That is exact only when every
// policy applies alike to both (FOR ALL), its WITH CHECK is the USING
// expression (or none), and no expression reads a column soft delete
// writes (then the new row passes WITH CHECK exactly when the old one
// passed USING).
func (k *checker) rowSecurity(rel string, sec RowSecurity) {
	if !sec.Enabled {
		return
	}
	cols := policyColumns(k.t.Table)
	var why []string
	for _, p := range sec.Policies {
		switch {
		case p.Command != "*":
			why = append(why, fmt.Sprintf("policy %s is FOR %s", p.Name, policyCommand(p.Command)))
		case p.WithCheck != "" && p.WithCheck != p.Using:
			why = append(why, fmt.Sprintf("policy %s has a WITH CHECK of its own", p.Name))
		case slices.ContainsFunc(cols, func(c string) bool {
			return mentionsColumn(p.Using, k.c.Q(c)) || mentionsColumn(p.WithCheck, k.c.Q(c))
		}):
			why = append(why, fmt.Sprintf("policy %s reads a column soft delete writes", p.Name))
		}
	}
	if len(why) == 0 {
		return
	}
	k.add(Error, KindRowSecurity, rel,
		"write the policies of "+rel+" as FOR ALL policies without a WITH CHECK of their own that do not read "+k.c.quotedList(cols)+
			", or leave the table out of the policy",
		"row-level security on %s: a DELETE through the proxy is an UPDATE, checked by UPDATE and SELECT policies instead of DELETE policies, "+
			"and that differs here: %s", rel, strings.Join(why, "; "))
}

func policyCommand(cmd string) string {
	switch cmd {
	case "r":
		return "SELECT"
	case "a":
		return "INSERT"
	case "w":
		return "UPDATE"
	case "d":
		return "DELETE"
	}
	return "ALL"
}

// managedRelations are the policy's tables and everything managed through
// them, by quoted name.
func (c *Catalog) managedRelations() map[string]bool {
	m := map[string]bool{}
	for _, t := range c.Tables {
		if !t.Exists() {
			continue
		}
		m[t.Quoted] = true
		for _, d := range t.Descendants {
			m[d.Quoted] = true
		}
	}
	return m
}

// checkBypass reports, database-wide, who can turn the guard off: the
// owners of managed tables (ALTER TABLE … DISABLE TRIGGER, DROP TRIGGER)
// and superuser logins (that, and session_replication_role = replica,
// which skips ordinary triggers), and roles.hard_delete roles that do not
// exist.
func (c *Catalog) checkBypass() []Finding {
	var out []Finding
	owned := map[string][]string{}
	for _, t := range c.Tables {
		if !t.IsTable() {
			continue
		}
		owned[t.Owner] = append(owned[t.Owner], t.Quoted)
		for _, d := range c.inherited(t) {
			if d.Owner != t.Owner {
				owned[d.Owner] = append(owned[d.Owner], d.Quoted)
			}
		}
	}
	owners := make([]string, 0, len(owned))
	for o := range owned {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		out = append(out, Finding{Severity: Warning, Kind: KindTableOwner, Object: "role " + o,
			Message: fmt.Sprintf("role %s owns %s: it, and every role granted it, can turn the guard off "+
				"(ALTER TABLE … DISABLE TRIGGER, DROP TRIGGER) and delete for good; the application must not connect as %s or as a member of it",
				o, strings.Join(owned[o], ", "), o),
			Fix: "if the application uses " + o + ", give the tables to a role only DBAs and migrate use: ALTER TABLE … OWNER TO <that role>"})
	}
	if len(c.SuperLogins) > 0 {
		out = append(out, Finding{Severity: Warning, Kind: KindSuperuserLogin, Object: strings.Join(c.SuperLogins, ", "),
			Message: "superusers that can log in (" + strings.Join(c.SuperLogins, ", ") + ") can turn the guard off: " +
				"SET session_replication_role = replica skips its triggers, ALTER TABLE … DISABLE TRIGGER and DROP TRIGGER remove them; " +
				"they are members of the purge and hard_delete roles only when granted them",
			Fix: "let the application connect as an ordinary role, never as a superuser"})
	}
	for _, r := range c.Roles.HardDelete {
		if !r.Exists {
			out = append(out, Finding{Severity: Warning, Kind: KindRoleMissing, Object: "role " + r.Quoted,
				Message: fmt.Sprintf("role %s (roles.hard_delete) does not exist: no one deletes trashed rows for good through it", r.Quoted),
				Fix:     fmt.Sprintf("CREATE ROLE %s NOLOGIN; and GRANT it to those who may, or remove it from roles.hard_delete", r.Quoted)})
		}
	}
	return out
}
