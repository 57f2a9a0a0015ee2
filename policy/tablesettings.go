package policy

import (
	"slices"
	"sort"
	"strings"
)

// tableSettingKeys are the keys of TableSettings (defaults and each table), in
// the order they are checked.
var tableSettingKeys = []string{"column", "deleted_by_column", "reason_column", "hold_column", "retention", "on_truncate",
	"on_key_conflict", "lock_column", "created_column", "purge_at_column"}

// optionalColumn reports whether key names a column that may be "" (none).
// In a table, an explicit "" for one of these overrides defaults.
func optionalColumn(key string) bool {
	return key == "deleted_by_column" || key == "reason_column" || key == "hold_column" ||
		key == "lock_column" || key == "created_column" || key == "purge_at_column"
}

func (s *TableSettings) field(key string) *string {
	switch key {
	case "column":
		return &s.Column
	case "deleted_by_column":
		return &s.DeletedByColumn
	case "reason_column":
		return &s.ReasonColumn
	case "hold_column":
		return &s.HoldColumn
	case "retention":
		return &s.Retention
	case "on_truncate":
		return &s.OnTruncate
	case "on_key_conflict":
		return &s.OnKeyConflict
	case "lock_column":
		return &s.LockColumn
	case "created_column":
		return &s.CreatedColumn
	case "purge_at_column":
		return &s.PurgeAtColumn
	}
	panic("policy: unknown setting " + key)
}

// merged returns the settings of table key with defaults applied: a field
// inherits unless it is set, or is an optional column explicitly set to "".
func (c *Config) merged(key string) TableSettings {
	out, own := c.Defaults, c.Tables[key]
	for _, k := range tableSettingKeys {
		v := *own.field(k)
		if v != "" || (optionalColumn(k) && c.explicit("tables."+key+"."+k)) {
			*out.field(k) = v
		}
	}
	return out
}

func (c *Config) explicit(path string) bool {
	_, ok := c.pos[path]
	return ok
}

// tableKeys returns the keys of c.Tables in file order (by line, then
// name: a Config built in code is sorted by name).
func (c *Config) tableKeys() []string {
	keys := make([]string, 0, len(c.Tables))
	for k := range c.Tables {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		li, lj := c.pos["tables."+keys[i]], c.pos["tables."+keys[j]]
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// checkTableSetting checks one field of defaults (path "defaults") or of a table
// (path "tables.<name>"). required: "" is an error (always in defaults,
// when written explicitly in a table).
func checkTableSetting(p *problems, path, key, v string, required bool) {
	label := describe(path) + ": " + key
	if strings.HasPrefix(path, "defaults") {
		label = path + "." + key
	}
	at := []string{path + "." + key, path}
	switch {
	case v == "" && required && !optionalColumn(key):
		p.add(at, "%s: must not be empty", label)
	case v == "":
	case key == "retention":
		if _, err := ParseRetention(v); err != nil {
			p.add(at, "%s: %v", label, err)
		}
	case key == "on_truncate":
		if !slices.Contains([]string{"deny", "soft", "hard"}, v) {
			p.add(at, "%s: %q is not one of deny, soft, hard", label, v)
		}
	case key == "on_key_conflict":
		if !slices.Contains([]string{"evict", "refuse"}, v) {
			p.add(at, "%s: %q is not one of evict, refuse", label, v)
		}
	default:
		if _, err := ParseIdent(v); err != nil {
			p.add(at, "%s: %v", label, err)
		}
	}
}

// checkDistinct reports two roles given to the same column of a table.
func checkDistinct(p *problems, path string, s TableSettings) {
	seen := map[string]string{}
	for _, k := range tableSettingKeys[:4] {
		id, err := ParseIdent(*s.field(k))
		if err != nil || id == "" {
			continue
		}
		if prev, ok := seen[id]; ok {
			p.add([]string{path + "." + k, path}, "%s: %s and %s are both %q", describe(path), prev, k, id)
			continue
		}
		seen[id] = k
	}
}
