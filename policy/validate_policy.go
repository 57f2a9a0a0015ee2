package policy

import "strconv"

// checkPolicy checks defaults, roles, tables and the audit table.
func (c *Config) checkPolicy(p *problems) {
	for _, k := range tableSettingKeys {
		checkTableSetting(p, "defaults", k, *c.Defaults.field(k), true)
	}
	checkDistinct(p, "defaults", c.Defaults)
	checkExclude(p, "defaults", "defaults.", c.Defaults.Exclude)
	checkDatabases(p, "defaults", c.Defaults.Databases)
	checkRoles(p, "roles.hard_delete", c.Roles.HardDelete)
	checkRoles(p, "roles.bypass", c.Roles.Bypass)
	if c.Roles.Purge == "" {
		p.add([]string{"roles.purge", "roles"}, "roles.purge: empty role name (leave the key out for %s)", DefaultPurgeRole)
	} else if len(c.Roles.Purge) > 63 {
		p.add([]string{"roles.purge", "roles"}, "roles.purge: %q is longer than 63 bytes, PostgreSQL's limit for a role name", c.Roles.Purge)
	}
	seen := map[TableName]string{}
	for _, key := range c.tableKeys() {
		path := "tables." + key
		checkDatabases(p, path, c.Tables[key].Databases)
		if IsPattern(key) {
			checkPattern(p, key, c.Tables[key])
		} else {
			checkNotPattern(p, key, c.Tables[key])
		}
		name, err := ParseTableName(key)
		if IsPattern(key) {
			// resolved against the catalog
		} else if err != nil {
			p.add([]string{path}, "table %s: %v", key, err)
		} else if first, dup := seen[name]; dup {
			p.add([]string{path}, "table %s listed twice (first as %s at line %d)", name, first, c.pos["tables."+first])
		} else {
			seen[name] = key
		}
		own := c.Tables[key]
		for _, k := range tableSettingKeys {
			checkTableSetting(p, path, k, *own.field(k), c.explicit(path+"."+k))
		}
		checkDistinct(p, path, c.merged(key))
	}
	if a, err := ParseTableName(c.Audit.Table); err == nil {
		if key, managed := seen[a]; managed {
			p.add([]string{"audit.table"}, "audit.table: %s is a managed table (listed as %s); the audit table must not be soft-deleted", a, key)
		}
	}
}

func checkRoles(p *problems, path string, roles []string) {
	for i, r := range roles {
		if r == "" {
			sub := path + "[" + strconv.Itoa(i) + "]"
			p.add([]string{sub, path}, "%s: empty role name", sub)
		}
	}
}
