package schema

import "fmt"

// Type OIDs of the columns the policy names.
const (
	oidBool        = 16
	oidTimestamp   = 1114
	oidTimestamptz = 1184
)

// columnRole is one column the policy expects on a table.
type columnRole struct {
	key  string // config key, for messages
	name string // column name, raw
	ddl  string // type for ADD COLUMN
}

// columnRoles lists the columns t's policy names, the soft-delete column
// first.
func columnRoles(t *TableInfo) []columnRole {
	roles := []columnRole{{"column", t.Column, "timestamptz"}} // key "column": the soft-delete column
	if t.DeletedByColumn != "" {
		roles = append(roles, columnRole{"deleted_by_column", t.DeletedByColumn, "text"})
	}
	if t.ReasonColumn != "" {
		roles = append(roles, columnRole{"reason_column", t.ReasonColumn, "text"})
	}
	if t.HoldColumn != "" {
		roles = append(roles, columnRole{"hold_column", t.HoldColumn, "boolean NOT NULL DEFAULT false"})
	}
	return append(roles, trashColumnRoles(t)...)
}

func (k *checker) columns() {
	for _, role := range columnRoles(k.t) {
		q := k.c.Q(role.name)
		col, ok := k.t.Columns[role.name]
		if !ok {
			k.add(Error, KindColumnMissing, q, addColumnDDL(k.t.Quoted, q, role.ddl)+"   -- or run softdelete-proxy migrate",
				"column %s (%s) does not exist", q, roleLabel(role.key))
			continue
		}
		k.columnType(role, q, col)
	}
	if col, ok := k.t.Columns[k.t.Column]; ok {
		k.softDeleteColumn(col)
	}
}

func addColumnDDL(table, col, typ string) string {
	return fmt.Sprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s;", table, col, typ)
}

func (k *checker) columnType(role columnRole, q string, col Column) {
	switch {
	case role.key == "column" && col.BaseType == oidTimestamp:
		k.add(Error, KindColumnType, q,
			fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE timestamptz USING %s AT TIME ZONE 'UTC';"+
				"   -- use the zone the values were written in; rewrites the table under an ACCESS EXCLUSIVE lock", k.t.Quoted, q, q),
			"column %s is timestamp without time zone; it must be timestamptz: now() and retention arithmetic would shift with the session's TimeZone", q)
	case role.key == "column" && col.BaseType != oidTimestamptz:
		k.add(Error, KindColumnType, q, "use a timestamptz column (NULL = live row)",
			"column %s is %s; the soft-delete column must be timestamptz", q, col.Type)
	case (role.key == "deleted_by_column" || role.key == "reason_column") && col.Category != "S":
		k.add(Error, KindColumnType, q, "use a text column",
			"column %s (%s) is %s; it must be text (or varchar)", q, role.key, col.Type)
	case role.key == "hold_column" && col.BaseType != oidBool:
		k.add(Error, KindColumnType, q, "use a boolean column",
			"column %s (hold_column) is %s; it must be boolean", q, col.Type)
	default:
		k.trashColumnType(role, q, col)
	}
}

// softDeleteColumn checks what would make every row trashed.
func (k *checker) softDeleteColumn(col Column) {
	q := k.c.Q(col.Name)
	if col.NotNull {
		k.add(Error, KindColumnNotNull, q, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL;", k.t.Quoted, q),
			"column %s is NOT NULL, but NULL is what marks a live row", q)
	}
	if col.Default != "" {
		k.add(Warning, KindColumnDefault, q, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", k.t.Quoted, q),
			"column %s has DEFAULT %s: rows inserted without it are born in the trash", q, col.Default)
	}
}

// roleLabel names the part a column plays, for messages.
func roleLabel(key string) string {
	if key == "column" {
		return "the soft-delete column"
	}
	return key
}
