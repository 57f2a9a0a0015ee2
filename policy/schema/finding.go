package schema

import "sort"

// Severity says whether a finding blocks adopting the policy.
type Severity string

// Severities: errors make check exit 1; warnings explain what soft delete
// changes and leave the exit status 0.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding kinds, stable strings for scripts (the JSON "kind").
const (
	KindTableMissing      = "table_missing"
	KindNotATable         = "not_a_table"
	KindColumnMissing     = "column_missing"
	KindColumnType        = "column_type"
	KindColumnNotNull     = "column_not_null"
	KindAuditTableMissing = "audit_table_missing"
	KindAuditColumns      = "audit_columns"
	KindColumnDefault     = "column_default"
	KindUnique            = "unique"
	KindUniqueWithColumn  = "unique_includes_column"
	KindFKParent          = "foreign_key_to_table"
	KindFKChild           = "foreign_key_from_table"
	KindTriggerDelete     = "delete_trigger"
	KindTriggerUpdate     = "update_trigger"
	KindView              = "view"
	KindMaterializedView  = "materialized_view"
	KindFunctionReads     = "function_reads"
	KindFunctionDeletes   = "function_deletes"
	KindPurgeIndex        = "purge_index"
	KindUnmanagedParent   = "unmanaged_parent"  // a managed table descends from a table outside the policy
	KindChildPolicy       = "child_policy"      // a policy table descends from another with another column
	KindRowSecurity       = "row_security"      // row-level security the rewrite cannot apply exactly
	KindPartitionMove     = "partition_move"    // a partition key update is a DELETE the guard refuses
	KindForeignPartition  = "foreign_partition" // a foreign table under a managed one
	KindTableOwner        = "table_owner"       // who owns managed tables can turn the guard off
	KindSuperuserLogin    = "superuser_login"   // superusers can turn the guard off
	KindRoleMissing       = "role_missing"      // a roles.hard_delete role does not exist
	KindObjectMissing     = "object_missing"    // an object migrate installs is not there
	KindObjectStale       = "object_stale"      // it is there, but from another policy or version
	KindObjectUnexpected  = "object_unexpected" // migrate installed it, and nothing wants it now
)

// kindOrder is the order findings of one table and severity are listed in.
var kindOrder = []string{
	KindTableMissing, KindNotATable, KindColumnMissing, KindColumnType, KindColumnNotNull,
	KindAuditTableMissing, KindAuditColumns, KindColumnDefault, KindUnique, KindUniqueWithColumn,
	KindFKParent, KindFKChild, KindTriggerDelete, KindTriggerUpdate, KindView, KindMaterializedView,
	KindFunctionReads, KindFunctionDeletes, KindPurgeIndex,
	KindUnmanagedParent, KindChildPolicy, KindRowSecurity, KindForeignPartition,
	KindObjectMissing, KindObjectStale, KindObjectUnexpected,
	KindTableOwner, KindSuperuserLogin, KindRoleMissing,
}

// Finding is one thing check found about a managed table (or the audit
// table).
type Finding struct {
	Severity Severity `json:"severity"`
	Table    string   `json:"table"`            // schema.table as SQL
	Kind     string   `json:"kind"`             // one of the Kind constants
	Object   string   `json:"object,omitempty"` // the column, index, key, trigger, view or function concerned
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"` // DDL when there is one, else advice
}

// Report is the result of Check.
type Report struct {
	Database string   `json:"database"`
	Tables   []string `json:"tables"` // the managed tables checked, in policy order
	// Children lists, by managed table, the partitions and inheritance
	// children (at any depth) managed with it: guarded, filtered and purged
	// as it is.
	Children map[string][]string `json:"children,omitempty"`
	Errors   int                 `json:"errors"`
	Warnings int                 `json:"warnings"`
	Findings []Finding           `json:"findings"`
}

// HasErrors reports whether any finding is an error.
func (r *Report) HasErrors() bool { return r.Errors > 0 }

// sortFindings orders findings by table (in policy order, the audit table
// last), errors first, then by kind and object.
func sortFindings(fs []Finding, tableOrder map[string]int) {
	kindRank := map[string]int{}
	for i, k := range kindOrder {
		kindRank[k] = i
	}
	rank := func(t string) int {
		if r, ok := tableOrder[t]; ok {
			return r
		}
		return len(tableOrder)
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case rank(a.Table) != rank(b.Table):
			return rank(a.Table) < rank(b.Table)
		case a.Severity != b.Severity:
			return a.Severity == Error
		case kindRank[a.Kind] != kindRank[b.Kind]:
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		return a.Object < b.Object
	})
}
