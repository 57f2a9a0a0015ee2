package rewrite

import "strings"

// This file is the contract between rewrite/ and its callers (proxy/, policy/).
// Change it only together with every caller.

// Visibility selects which rows of managed tables a session sees.
type Visibility uint8

const (
	// VisibilityActive is the default: trashed rows are invisible, DELETE soft-deletes.
	VisibilityActive Visibility = iota
	// VisibilityDeleted is the trash view: reads see only trashed rows, DELETE deletes forever
	// (allowed only when Session.CanHardDelete), UPDATE … SET deleted_at = NULL restores.
	VisibilityDeleted
	// VisibilityAll: reads see every row; DELETE still soft-deletes.
	VisibilityAll
)

// TruncateMode is what TRUNCATE of a managed table does.
type TruncateMode uint8

const (
	TruncateDeny TruncateMode = iota // refuse with SQLSTATE 0A000
	TruncateSoft                     // UPDATE every live row SET deleted_at = now()
	TruncateHard                     // pass TRUNCATE through
)

// Table is one managed table of the policy. Schema and Name are the exact
// catalog names (already case-folded as PostgreSQL stores them).
type Table struct {
	Schema          string
	Name            string
	Column          string // timestamptz column, NULL = live (e.g. "deleted_at")
	DeletedByColumn string // optional text column filled with the actor on delete
	ReasonColumn    string // optional text column filled with the reason on delete
	// CreatedColumn is an optional timestamptz of the row's creation:
	// under softdelete.as_of, rows created after that moment are hidden.
	CreatedColumn string
	OnTruncate    TruncateMode
	// Refusal, when set, makes every statement naming the table fail with
	// SQLSTATE 0A000 and this message: a table the proxy cannot follow,
	// such as an unmanaged parent whose partitions or children are managed
	// (its reads would show their trashed rows).
	Refusal string
}

// Policy is the immutable set of managed tables. Build it with NewPolicy; a
// policy reload builds a new one with a new Version, which is part of every
// cache key.
type Policy struct {
	Version uint64
	Tables  []Table
	// HardDeleteRoles names the roles that may delete forever, for the
	// refusal message (membership itself is Session.CanHardDelete).
	HardDeleteRoles []string
	// byName indexes Tables by schema and name; built by NewPolicy.
	byName map[qualifiedName]*Table
	// names is the set of bare table names (for the pre-check scanner).
	names map[string]struct{}
	// nameLens has bit n set when some name is n bytes long (a cheap filter).
	nameLens uint64
	// nonASCII: some schema, table or column name is not ASCII.
	nonASCII bool
}

type qualifiedName struct{ schema, name string }

// NewPolicy indexes tables. version must change whenever the tables change.
func NewPolicy(version uint64, tables []Table) *Policy {
	p := &Policy{
		Version: version,
		Tables:  append([]Table(nil), tables...),
		byName:  make(map[qualifiedName]*Table, len(tables)),
		names:   make(map[string]struct{}, len(tables)),
	}
	for i := range p.Tables {
		t := &p.Tables[i]
		p.byName[qualifiedName{t.Schema, t.Name}] = t
		p.names[t.Name] = struct{}{}
		p.nameLens |= 1 << (len(t.Name) & 63)
		for _, n := range []string{t.Schema, t.Name, t.Column, t.DeletedByColumn, t.ReasonColumn} {
			p.nonASCII = p.nonASCII || !isASCII(n)
		}
	}
	return p
}

// Lookup returns the managed table schema.name, or nil.
func (p *Policy) Lookup(schema, name string) *Table {
	if p == nil {
		return nil
	}
	return p.byName[qualifiedName{schema, name}]
}

// ShadowList formats (schema, name) pairs for Session.Shadows.
func ShadowList(pairs [][2]string) string {
	var b strings.Builder
	for _, p := range pairs {
		b.WriteString(p[0])
		b.WriteByte(0)
		b.WriteString(p[1])
		b.WriteByte(1)
	}
	return b.String()
}

// shadowed reports whether schema.name is listed in shadows.
func shadowed(shadows, schema, name string) bool {
	for len(shadows) > 0 {
		end := strings.IndexByte(shadows, 1)
		if end < 0 {
			return false
		}
		entry := shadows[:end]
		shadows = shadows[end+1:]
		if s, n, ok := strings.Cut(entry, "\x00"); ok && s == schema && n == name {
			return true
		}
	}
	return false
}

// Session is the per-connection state a rewrite depends on. The proxy owns
// and updates it (from SET statements, startup options, transaction ends).
type Session struct {
	// SearchPath is the raw search_path value, e.g. `"$user", public`.
	SearchPath string
	// User is current_user (it follows SET ROLE and SET SESSION
	// AUTHORIZATION), used for "$user" in SearchPath as PostgreSQL does.
	User       string
	Visibility Visibility
	// AsOf is softdelete.as_of set (not empty): reads see the rows that
	// were live at that moment (the server reads the value itself), and
	// writes to managed tables are refused with 25006.
	AsOf          bool
	CanHardDelete bool // role is in roles.hard_delete
	// Shadows lists relations that are not managed but share a bare name
	// with a managed table, as ShadowList formats them. Resolution of an
	// unqualified name through search_path stops at them, as PostgreSQL's
	// does, so `t` in a schema ahead of the managed one is that relation
	// (and is written qualified with its schema). The session's own
	// temporary relations are listed under the schema "pg_temp".
	Shadows string
	// NonStandardStrings is standard_conforming_strings = off: backslashes
	// escape in plain '…' literals. The zero value is the default, on.
	NonStandardStrings bool
	// ClientEncoding is the server-reported client_encoding ("" = UTF8).
	// In encodings whose multibyte characters may contain ASCII bytes
	// (SJIS, BIG5, GBK, UHC, GB18030, JOHAB) the text is lexed as the
	// server will see it after conversion.
	ClientEncoding string
}

// Result is what the proxy applies to the wire. When Changed is false, SQL is
// the input string itself (byte-for-byte) and the proxy forwards the original
// message untouched.
type Result struct {
	SQL      string
	Changed  bool
	Stmts    []Stmt // one per top-level statement, in order
	CacheHit bool   // served from the rewrite or template cache
	// Touches is Policy.MayTouch of the text: it names a managed table
	// (maybe). The proxy keeps it for prepared statements.
	Touches bool
}

// Stmt describes one top-level statement of the input.
type Stmt struct {
	// Kind is a lower-case label for metrics: select, insert, update, delete,
	// merge, copy, truncate, lock, set, show, prepare, execute, explain,
	// transaction, other …
	Kind string
	// Rewritten is true when this statement's text was changed.
	Rewritten bool
	// ServerTag is the first word of the command tag the server will send for
	// the statement as rewritten (e.g. "UPDATE"); ClientTag is the word the
	// client must see instead (e.g. "DELETE"). Both empty when no mapping.
	// For TRUNCATE soft, ClientTag is "TRUNCATE TABLE" and the row count is dropped.
	ServerTag string
	ClientTag string
	// Set is non-nil when the statement is SET/RESET of a setting the proxy tracks
	// (search_path, softdelete.visibility, …).
	Set *SetEffect
	// PrepareName is set for SQL-level PREPARE name AS …: the proxy remembers
	// ServerTag/ClientTag of the inner statement under that name.
	PrepareName string
	// ExecuteName is set for SQL-level EXECUTE name: the proxy applies the
	// mapping remembered for that name.
	ExecuteName string
	// DeallocateName is set for DEALLOCATE name ("" with DeallocateAll for ALL).
	DeallocateName string
	DeallocateAll  bool
	// ShowName is the lower-cased setting of a SHOW statement, so that the
	// proxy can answer SHOW softdelete.visibility itself when it must.
	ShowName string
	// Savepoint is set for SAVEPOINT, RELEASE and ROLLBACK TO.
	Savepoint *SavepointOp
	// Transaction is set for the other transaction statements (BEGIN,
	// START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, PREPARE TRANSACTION,
	// COMMIT/ROLLBACK PREPARED), so the proxy knows exactly when tracked
	// settings are kept or undone.
	Transaction *TransactionOp
	// Unsure is set when the statement may change a tracked setting in a way
	// its text does not tell: set_config of a tracked (or computed) name
	// anywhere but the plain SELECT set_config(const, const, const) form
	// that Set describes. The proxy re-learns its settings afterwards.
	// For PREPARE it describes the prepared statement (which runs at
	// EXECUTE), like ServerTag and ClientTag.
	Unsure bool
	// CatalogChange is set when the statement may create, drop, rename or
	// move a relation or schema, or change partitions or inheritance: the
	// proxy re-learns the relations named like managed tables afterwards.
	CatalogChange bool
	// Schema is set for a statement that changes the schema and reads or
	// writes no row of a table and calls no function or operator: CREATE
	// TABLE (not AS), CREATE and DROP INDEX, ALTER TABLE (but ALTER COLUMN
	// TYPE), DROP, RENAME, COMMENT, CREATE and ALTER SEQUENCE, with no
	// expression but constants. The proxy lets these through for a table
	// whose guard is not yet installed.
	Schema bool
}

// TransactionKind is the kind of a TransactionOp.
type TransactionKind uint8

const (
	TxBegin            TransactionKind = iota + 1 // BEGIN, START TRANSACTION
	TxCommit                                      // COMMIT, END
	TxRollback                                    // ROLLBACK, ABORT
	TxPrepare                                     // PREPARE TRANSACTION
	TxCommitPrepared                              // COMMIT PREPARED
	TxRollbackPrepared                            // ROLLBACK PREPARED
)

// TransactionOp is a transaction statement other than the savepoint ones.
type TransactionOp struct {
	Kind  TransactionKind
	Chain bool // AND CHAIN: a new transaction starts at once
}

// SavepointKind is the kind of a SavepointOp.
type SavepointKind uint8

const (
	SavepointDefine     SavepointKind = iota + 1 // SAVEPOINT name
	SavepointRelease                             // RELEASE [SAVEPOINT] name
	SavepointRollbackTo                          // ROLLBACK TO [SAVEPOINT] name
)

// SavepointOp is a savepoint statement; the proxy follows it to undo SETs
// made after a savepoint that is rolled back to.
type SavepointOp struct {
	Kind SavepointKind
	Name string // as PostgreSQL stores it (folded unless quoted)
}

// SetEffect is a SET/RESET seen in a statement. The proxy applies it once the
// server has accepted the statement, with PostgreSQL's transaction semantics.
type SetEffect struct {
	Name  string // lower-cased setting name, e.g. "search_path", "softdelete.visibility"; "" with ResetAll
	Value string // new value as PostgreSQL would store it; "" for RESET
	Local bool   // SET LOCAL
	Reset bool   // RESET name / SET name TO DEFAULT
	// ResetAll is RESET ALL.
	ResetAll bool
}

// Error is a refusal or a failure to rewrite. The proxy sends it to the
// client as an ErrorResponse with Code as SQLSTATE.
type Error struct {
	Code    string // SQLSTATE, e.g. "42601", "0A000", "42501"
	Message string
	Detail  string
	Hint    string
	// Position is the 1-based character position in the statement, 0 if none.
	Position int
}

func (e *Error) Error() string { return e.Message }
