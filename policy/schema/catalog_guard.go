package schema

// The facts of the catalog the guard, the purge role and the privilege
// checks need (Inspect fills them: inspect_guard.go).

// Role is a role the policy names.
type Role struct {
	Name   string // as in the policy
	Quoted string // quote_ident
	Exists bool
}

// Roles are the policy's roles as found in the cluster, and what the
// purge role may do.
type Roles struct {
	Purge      Role
	HardDelete []Role
	// PurgeUsage maps the schemas of the managed tables and of the audit
	// table (raw) to whether the purge role has USAGE on them.
	PurgeUsage map[string]bool
	// PurgeAudit says whether the purge role may INSERT into the audit table.
	PurgeAudit bool
	// PurgeEvicted says whether the purge role may SELECT and DELETE the
	// records of softdelete.evicted (the purger deletes them after
	// retention).
	PurgeEvicted bool
}

// Relative is a partition or inheritance child (at any depth) of a managed
// table, or a parent of one.
type Relative struct {
	Quoted    string // schema.name as SQL
	Schema    string // raw
	Name      string // raw
	OID       uint32
	Kind      string   // pg_class.relkind
	Partition bool     // relispartition: row triggers are cloned from its parent
	Parent    string   // quoted direct parent of a descendant ("" for an ancestor)
	Parents   []string // every direct parent of a descendant (inheritance allows several)
	Owner     string   // quoted role that owns it
	// Clones are the row triggers cloned from a parent's softdelete_*
	// trigger, by quoted name: true when enabled.
	Clones   map[string]bool
	Security RowSecurity
	Grants   []Grantee
}

// RowSecurity is the row-level security of one table.
type RowSecurity struct {
	Enabled  bool // relrowsecurity
	Policies []RLSPolicy
}

// RLSPolicy is one row-level security policy (pg_policy).
type RLSPolicy struct {
	Name      string // quoted
	Command   string // polcmd: "*" all, "r" select, "a" insert, "w" update, "d" delete
	Using     string // pg_get_expr(polqual), "" for none
	WithCheck string // pg_get_expr(polwithcheck), "" for none
}

// Grantee is one role in a table's ACL (or the purge role) with the
// privileges soft delete needs, as has_*_privilege answers them.
type Grantee struct {
	Role       string          // quoted role, or PUBLIC
	Owner      bool            // owns the table
	Deletes    bool            // DELETE granted on the table itself (its ACL)
	SelectsAny bool            // SELECT on the table or on some column
	Selects    bool            // SELECT on the table
	DeletesEff bool            // has_table_privilege DELETE (grants through roles included)
	Update     map[string]bool // policy column (raw) -> UPDATE on it
	SelectCol  map[string]bool // policy column (raw) -> SELECT on it
}
