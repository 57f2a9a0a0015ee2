package schema

import "github.com/softdelete-proxy/softdelete-proxy/policy"

// Catalog is what Inspect read from one database: the facts about each
// managed table that Check and Plan need, with every name already quoted by
// the server's quote_ident so that generated DDL reads as a DBA would write
// it.
type Catalog struct {
	Database       string
	ServerVersion  int // server_version_num, e.g. 150004
	LockCapacity   int // the server's shared lock table, in locks (batch.go)
	Tables         []*TableInfo
	Functions      []Function  // SQL and PL/pgSQL functions outside the system schemas
	Audit          *AuditInfo  // nil when audit.table is not set
	OwnSchema      bool        // schema softdelete exists
	OwnSchemaUsage bool        // and PUBLIC has USAGE on it
	Installed      []Installed // the objects migrate owns (objects_inspect.go)
	Roles          Roles       // roles.purge and roles.hard_delete
	SuperLogins    []string    // quoted superuser roles that can log in
	EvictedTable   bool        // softdelete.evicted exists (keys.go)
	EvictedIndex   bool        // and its index on (table_name, at), for the purger
	FKeys          []FKey      // foreign keys with a managed table on either side (fk_inspect.go)
	OperationSeq   bool        // the sequence of delete operations exists

	quoted    map[string]string    // identifier -> quote_ident(identifier)
	installed map[string]Installed // Installed by objectKey, built on first use (keys.go)
	// softColumns maps each managed relation to its soft-delete column,
	// built on first use (keys.go)
	softColumns map[string]string
	named       map[string]bool // policyTables, built on first use (guard.go)
}

// Q quotes one identifier as quote_ident did on the server.
func (c *Catalog) Q(id string) string {
	if q, ok := c.quoted[id]; ok {
		return q
	}
	return quoteAlways(id)
}

// QN quotes schema.name.
func (c *Catalog) QN(schema, name string) string { return c.Q(schema) + "." + c.Q(name) }

// TableInfo is one managed table as found in the catalog.
type TableInfo struct {
	policy.Table
	Quoted   string // schema.name as SQL
	OID      uint32
	Kind     string // pg_class.relkind: "r", "p", "v"…; "" when the table does not exist
	Columns  map[string]Column
	Indexes  []Index
	Incoming []ForeignKey // foreign keys that reference this table
	Outgoing []ForeignKey // foreign keys of this table to others
	Triggers []Trigger
	Views    []View // views and materialized views that read this table

	Owner       string // quoted role that owns the table
	Security    RowSecurity
	Grants      []Grantee  // its ACL's roles, and the purge role
	KeyRefs     []KeyRef   // foreign keys that reference its keys (keys_inspect.go)
	Descendants []Relative // partitions and inheritance children at any depth, parents first
	Ancestors   []Relative // the tables it is a partition or child of, at any depth

	// CatalogDigest digests its keys and foreign keys as migrate's stamp
	// does (stamp.go).
	CatalogDigest string
}

// Exists reports whether a relation of that name was found.
func (t *TableInfo) Exists() bool { return t.Kind != "" }

// IsTable reports whether the relation is a table (plain or partitioned).
func (t *TableInfo) IsTable() bool { return t.Kind == "r" || t.Kind == "p" }

// Column is one column of a managed table.
type Column struct {
	Name     string
	Num      int16
	Type     string // format_type, e.g. "timestamp with time zone"
	BaseType uint32 // type OID, domains resolved to their base type
	Category string // pg_type.typcategory of the base type ("S" string, "D" date/time…)
	NotNull  bool
	Default  string // pg_get_expr of the default, "" for none
}

// Index is one index of a managed table.
type Index struct {
	Name         string // quoted
	Def          string // pg_get_indexdef
	Predicate    string // pg_get_expr(indpred), "" for none
	Unique       bool
	Primary      bool
	FirstCol     string // name of the first key column, "" for an expression
	Columns      string // the key as written in Def, e.g. "(email)"
	Constraint   string // quoted name of the UNIQUE constraint it backs, "" if none
	Deferrable   bool
	ReferencedBy []string // "constraint on schema.table" of foreign keys that need it
	ConType      string   // pg_constraint.contype of the constraint it backs: "p", "u", "x"; "" for none
	Deferred     bool     // INITIALLY DEFERRED
	ConDef       string   // pg_get_constraintdef of that constraint
	KeyColumns   []string // the key's columns, quoted; "" for an expression
}

// ForeignKey is one foreign key constraint.
type ForeignKey struct {
	Name     string // quoted
	Child    string // quoted schema.table holding the constraint
	Parent   string // quoted schema.table referenced
	OnDelete string // "NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"
	Def      string // pg_get_constraintdef
	// ChildManaged and ParentManaged say whether each side is in the policy.
	ChildManaged, ParentManaged bool
}

// Trigger is one user trigger of a managed table.
type Trigger struct {
	Name     string // quoted
	Def      string // pg_get_triggerdef
	Type     int16  // pg_trigger.tgtype bits
	Columns  []int16
	Function string // quoted schema.name of the trigger function
}

// Trigger type bits of pg_trigger.tgtype (PostgreSQL's trigger.h).
const (
	triggerRow      = 1 << 0
	triggerBefore   = 1 << 1
	triggerInsert   = 1 << 2
	triggerDelete   = 1 << 3
	triggerUpdate   = 1 << 4
	triggerTruncate = 1 << 5
	triggerInstead  = 1 << 6
)

// View is a view or materialized view that reads a managed table.
type View struct {
	Name         string // quoted schema.name
	Materialized bool
	Def          string // pg_get_viewdef
}

// Function is a user function whose source can be searched.
type Function struct {
	Name     string // quoted schema.name(args)
	Language string // sql or plpgsql
	Source   string
}

// AuditInfo is the audit table named by audit.table.
type AuditInfo struct {
	Name    string // as configured
	Quoted  string
	Exists  bool
	Columns map[string]string // name -> format_type
}
