package policy

import "github.com/softdelete-proxy/softdelete-proxy/rewrite"

// Resolve validates c and fills Managed from Tables and Defaults. Load and
// Parse do this; call it on a Config built in code.
func (c *Config) Resolve() error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.Managed = c.resolveTables()
	return nil
}

// resolveTables returns the managed tables in file order with defaults
// applied. c must be valid.
func (c *Config) resolveTables() []Table {
	out := make([]Table, 0, len(c.Tables))
	for _, key := range c.tableKeys() {
		if IsPattern(key) {
			continue // resolved against a catalog: WithMatches
		}
		name, _ := ParseTableName(key)
		t := c.tableFromSettings(key)
		t.Schema, t.Name = name.Schema, name.Name
		out = append(out, t)
	}
	return out
}

// tableFromSettings is the Table of key's settings with defaults applied,
// without its name.
func (c *Config) tableFromSettings(key string) Table {
	s := c.merged(key)
	ret, _ := ParseRetention(s.Retention)
	return Table{
		Column:          ident(s.Column),
		DeletedByColumn: ident(s.DeletedByColumn),
		ReasonColumn:    ident(s.ReasonColumn),
		HoldColumn:      ident(s.HoldColumn),
		Retention:       ret,
		OnTruncate:      s.OnTruncate,
		OnKeyConflict:   s.OnKeyConflict,
		LockColumn:      ident(s.LockColumn),
		CreatedColumn:   ident(s.CreatedColumn),
		PurgeAtColumn:   ident(s.PurgeAtColumn),
		Databases:       c.databasesOf(key),
		Line:            c.pos["tables."+key],
	}
}

func ident(s string) string {
	id, _ := ParseIdent(s)
	return id
}

// QualifiedName returns the table's schema and name.
func (t Table) QualifiedName() TableName { return TableName{Schema: t.Schema, Name: t.Name} }

// Forever reports whether the table's trashed rows are never purged.
func (t Table) Forever() bool { return t.Retention == 0 }

// AuditTable returns the parsed audit.table, and false when none is set.
func (c *Config) AuditTable() (TableName, bool) {
	if c.Audit.Table == "" {
		return TableName{}, false
	}
	n, err := ParseTableName(c.Audit.Table)
	return n, err == nil
}

// RewritePolicy builds the rewriter's policy from Managed.
func (c *Config) RewritePolicy(version uint64) *rewrite.Policy {
	tables := make([]rewrite.Table, len(c.Managed))
	for i, t := range c.Managed {
		tables[i] = rewrite.Table{
			Schema:          t.Schema,
			Name:            t.Name,
			Column:          t.Column,
			DeletedByColumn: t.DeletedByColumn,
			ReasonColumn:    t.ReasonColumn,
			CreatedColumn:   t.CreatedColumn,
			OnTruncate:      truncateMode(t.OnTruncate),
		}
	}
	p := rewrite.NewPolicy(version, tables)
	p.HardDeleteRoles = append([]string(nil), c.Roles.HardDelete...)
	return p
}

func truncateMode(s string) rewrite.TruncateMode {
	switch s {
	case "soft":
		return rewrite.TruncateSoft
	case "hard":
		return rewrite.TruncateHard
	}
	return rewrite.TruncateDeny
}
