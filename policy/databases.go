package policy

import "slices"

// A table entry (named or pattern) may be scoped to some databases with
// databases: [app, billing], or defaults may scope every entry that does
// not say; no databases: every database. ForDatabase is the policy as one
// database sees it.

// databasesOf is the databases table key is scoped to: its own list, else
// defaults'; nil for all.
func (c *Config) databasesOf(key string) []string {
	if own := c.Tables[key].Databases; len(own) > 0 {
		return slices.Clone(own)
	}
	return slices.Clone(c.Defaults.Databases)
}

// InDatabase reports whether t is managed in database db.
func (t Table) InDatabase(db string) bool {
	return len(t.Databases) == 0 || slices.Contains(t.Databases, db)
}

// Scoped reports whether any entry is scoped to some databases.
func (c *Config) Scoped() bool {
	if len(c.Defaults.Databases) > 0 {
		return true
	}
	for _, s := range c.Tables {
		if len(s.Databases) > 0 {
			return true
		}
	}
	return false
}

// ForDatabase returns c as database db sees it: only the entries (named
// tables and patterns) scoped to it. c itself when nothing is scoped.
func (c *Config) ForDatabase(db string) *Config {
	if !c.Scoped() {
		return c
	}
	out := *c
	out.Tables = map[string]TableSettings{}
	for key, s := range c.Tables {
		dbs := c.databasesOf(key)
		if len(dbs) == 0 || slices.Contains(dbs, db) {
			out.Tables[key] = s
		}
	}
	out.Managed = out.resolveTables()
	return &out
}

// checkDatabases reports empty database names in a databases list.
func checkDatabases(p *problems, path string, dbs []string) {
	for i, d := range dbs {
		if d == "" {
			p.add([]string{path + ".databases", path}, "%s: databases[%d]: empty database name", describe(path), i)
		}
	}
}
