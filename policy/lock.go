package policy

// Type OIDs a lock_column may have (pg_type.oid of its base type).
const (
	lockBool        = 16
	lockDate        = 1082
	lockTimestamp   = 1114
	lockTimestamptz = 1184
)

// LockedExpr is the SQL condition "the row is locked" over col, the
// quoted lock column (e.g. OLD."locked_until"), by the column's base type:
// a boolean is locked when true, a "locked until" timestamptz, timestamp
// or date while it is still ahead (by the transaction's clock), a "locked
// by" string (category "S") while it is not empty. ok is false for any
// other type (check reports it).
func LockedExpr(col string, baseType uint32, category string) (expr string, ok bool) {
	switch {
	case baseType == lockBool:
		return col + " IS TRUE", true
	case baseType == lockTimestamptz:
		return col + " > pg_catalog.now()", true
	case baseType == lockTimestamp:
		return col + " > LOCALTIMESTAMP", true
	case baseType == lockDate:
		return col + " >= CURRENT_DATE", true
	case category == "S":
		return "pg_catalog.length(" + col + ") > 0", true
	}
	return "", false
}
