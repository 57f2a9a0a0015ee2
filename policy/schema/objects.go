package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Object is one server-side object that migrate installs and check verifies.
type Object struct {
	Kind    string   // "function", "trigger", "role", "grant", "column", "sequence", "index", ...
	Table   string   // quoted schema.table it belongs to, "" for database-wide objects
	Name    string   // how a DBA names it: `softdelete.f(text[])` (the identity signature), `softdelete_guard on public.contacts`, `role softdelete_purger`
	Purpose string   // one or two lines: why it exists (the migration step's comment, check's message)
	Create  []string // idempotent DDL that creates or replaces it (each statement ends with ';')
	Drop    []string // DDL that removes it; Plan runs it before Create when a stale one cannot be replaced in place (empty: Create replaces it)

	// Present is for kinds that carry no version comment (roles, grants,
	// columns, sequences, indexes): the generator says whether the catalog
	// already has it. Functions and triggers ignore it: the registry
	// compares their fingerprint with the installed comment.
	Present bool

	// Gate marks the guard's triggers: the proxy serves a table once they
	// are in place, so a migration in several transactions installs them
	// after everything else (batch.go).
	Gate bool

	source string // a function's body as prosrc keeps it (functionObject): a body changed by hand is stale

	// stampOf is the managed table whose catalog stamp the object's
	// version comment carries (stamp.go), "" for none; stamp is the
	// digest its catalog gives now, stampFn the function that writes it.
	stampOf, stamp, stampFn string
}

// A generator returns the objects one concern wants in the catalog's
// database, in the order their DDL must run (a function before the
// triggers that call it).
type generator func(c *Catalog) []Object

// generators are the concerns, in the order their objects are planned.
var generators = []generator{schemaObjects, keyObjects, guardObjects, privilegeObjects, lockObjects, purgeAtObjects, auditObjects, fkObjects}

// schemaObjects is schema softdelete, which holds the functions of every
// concern (it belongs to softdelete-proxy: migrate drops functions there
// that no generator wants). Every role may look functions up in it (a
// trigger function calling another by name runs as the session's role);
// only its owner may create in it.
func schemaObjects(c *Catalog) []Object {
	s := c.Q(ownSchema)
	return []Object{
		{Kind: "schema", Name: s, Present: c.OwnSchema, Purpose: "the schema of the functions softdelete-proxy installs",
			Create: []string{"CREATE SCHEMA IF NOT EXISTS " + s + ";"}},
		{Kind: "grant", Name: "USAGE ON SCHEMA " + s + " TO PUBLIC", Present: c.OwnSchemaUsage,
			Purpose: "the guard's functions call each other by name, as whichever role the session runs as",
			Create:  []string{"GRANT USAGE ON SCHEMA " + s + " TO PUBLIC;"}},
	}
}

// Installed is an object migrate owns as Inspect found it: a function in
// schema softdelete, or a trigger named softdelete_* that calls one of them
// or carries the version comment (clones on partitions are left out: they
// follow their parent).
type Installed struct {
	Kind        string // "function" or "trigger"
	Table       string // quoted schema.table of a trigger, "" for a function
	Name        string // as Object.Name
	Fingerprint string // from COMMENT 'softdelete-proxy <fingerprint>', "" without one
	Stamp       string // the catalog digest of the comment's stamp (stamp.go), "" without one
	Source      string // a function's prosrc
	Disabled    bool   // a trigger that does not fire in ordinary sessions (tgenabled D or R)
}

// versionPrefix starts the comment of every function and trigger migrate
// creates.
const versionPrefix = "softdelete-proxy "

// versioned reports whether objects of kind carry a version comment.
func versioned(kind string) bool { return kind == "function" || kind == "trigger" }

// Fingerprint is a short hash of the object's Create DDL: any change of the
// generated code, the policy's roles or a foreign key changes it.
func (o Object) Fingerprint() string {
	sum := sha256.Sum256([]byte(strings.Join(o.Create, "\n")))
	return hex.EncodeToString(sum[:6])
}

// commentSQL is the COMMENT statement that records the object's version.
func (o Object) commentSQL() string {
	target := "FUNCTION " + o.Name
	if o.Kind == "trigger" {
		target = "TRIGGER " + o.triggerName() + " ON " + o.Table
	}
	return "COMMENT ON " + target + " IS " + quoteLiteral(versionPrefix+o.Fingerprint()) + ";"
}

// triggerName is the quoted name of a trigger object, without its table.
func (o Object) triggerName() string { return strings.TrimSuffix(o.Name, " on "+o.Table) }

// createSQL is the DDL Plan runs for the object, its version comment last.
func (o Object) createSQL() []string {
	if !versioned(o.Kind) {
		return o.Create
	}
	return append(append([]string(nil), o.Create...), o.versionSQL())
}

// versionSQL records the object's version: its comment, with the stamp
// of its table when it carries one.
func (o Object) versionSQL() string {
	if o.stampOf != "" {
		return o.stampSQL()
	}
	return o.commentSQL()
}

// objectKey identifies an object across generators and the catalog.
func objectKey(kind, name string) string { return kind + " " + name }

// Object states.
const (
	stateCurrent    = "current"
	stateMissing    = "missing"
	stateStale      = "stale"
	stateUnexpected = "unexpected"
)

// objectStatus is one object with what the catalog says of it.
type objectStatus struct {
	Object
	State    string
	Why      string // what makes it stale, or the fingerprint of an unexpected one
	Disabled bool   // a stale trigger that is disabled
	// Restamp: only the catalog stamp is out of date; writing it again
	// (after the objects of the new catalog) brings the object up to date.
	Restamp bool
}

// expectedObjects runs every generator.
func (c *Catalog) expectedObjects() []Object {
	var out []Object
	for _, g := range generators {
		out = append(out, g(c)...)
	}
	return out
}

// objectStates compares the expected objects with the installed ones: the
// expected in generator order, then the unexpected in catalog order.
func (c *Catalog) objectStates() []objectStatus {
	installed := map[string]Installed{}
	for _, in := range c.Installed {
		installed[objectKey(in.Kind, in.Name)] = in
	}
	var out []objectStatus
	seen := map[string]bool{}
	for _, o := range c.expectedObjects() {
		key := objectKey(o.Kind, o.Name)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, compareObject(o, installed))
	}
	for _, in := range c.Installed {
		if !seen[objectKey(in.Kind, in.Name)] {
			out = append(out, objectStatus{Object: unexpectedObject(in), State: stateUnexpected, Why: versionLabel(in.Fingerprint)})
		}
	}
	return out
}

// compareObject says whether the catalog has o as it should be.
func compareObject(o Object, installed map[string]Installed) objectStatus {
	st := objectStatus{Object: o, State: stateCurrent}
	in, ok := installed[objectKey(o.Kind, o.Name)]
	switch {
	case !versioned(o.Kind):
		if !o.Present {
			st.State = stateMissing
		}
	case !ok:
		st.State = stateMissing
	case in.Fingerprint != o.Fingerprint():
		st.State, st.Why = stateStale, "installed version "+versionLabel(in.Fingerprint)+", this policy needs "+o.Fingerprint()
	case o.source != "" && in.Source != o.source:
		st.State, st.Why = stateStale, "its body was changed by hand"
	case in.Disabled:
		st.State, st.Why, st.Disabled = stateStale, "it is disabled (ALTER TABLE … DISABLE TRIGGER)", true
	case o.stampOf != "" && in.Stamp != o.stamp:
		st.State, st.Why, st.Restamp = stateStale, "the keys or foreign keys of "+o.stampOf+" changed since migrate last ran", true
	}
	return st
}

// unexpectedObject describes an installed object no generator wants, with
// the DDL that drops it.
func unexpectedObject(in Installed) Object {
	o := Object{Kind: in.Kind, Table: in.Table, Name: in.Name,
		Purpose: "installed by an earlier migrate and no longer wanted by the policy"}
	if in.Kind == "trigger" {
		o.Drop = []string{"DROP TRIGGER IF EXISTS " + o.triggerName() + " ON " + in.Table + ";"}
	} else {
		o.Drop = []string{"DROP FUNCTION IF EXISTS " + in.Name + ";"}
	}
	return o
}

// planObjects adds the steps that bring the registry's objects up to date:
// every missing or stale object created or replaced in generator order,
// then unexpected triggers dropped, then unexpected functions (once no
// trigger of ours calls them). Migration.ordered puts the drops after the
// guard's triggers (batch.go).
func planObjects(m *Migration, c *Catalog) {
	states := c.objectStates()
	for _, st := range states {
		switch st.State {
		case stateMissing:
			m.addObject(st, st.Purpose, st.createSQL())
		case stateStale:
			if st.Restamp {
				m.addObject(st, st.Purpose+"\n(stamps it again: "+st.Why+")", []string{st.versionSQL()})
				continue
			}
			sql := append(append([]string(nil), st.Drop...), st.createSQL()...)
			if st.Disabled {
				sql = append(sql, "ALTER TABLE "+st.Table+" ENABLE TRIGGER "+st.triggerName()+";")
			}
			m.addObject(st, st.Purpose+"\n(replaces it: "+st.Why+")", sql)
		}
	}
	for _, st := range states {
		if st.State == stateUnexpected && st.Kind == "trigger" {
			m.addObject(st, st.Kind+" "+st.Name+": "+st.Purpose, st.Drop)
		}
	}
	for _, st := range states {
		if st.State == stateUnexpected && st.Kind != "trigger" {
			m.addObject(st, st.Kind+" "+st.Name+": "+st.Purpose, st.Drop)
		}
	}
}

func versionLabel(fp string) string {
	if fp == "" {
		return "without a version comment"
	}
	return fp
}

// checkObjects reports every expected object that is missing or stale and
// every owned object that should not be there.
func (c *Catalog) checkObjects() []Finding {
	var out []Finding
	for _, st := range c.objectStates() {
		f := Finding{Severity: Error, Table: st.Table, Object: st.Kind + " " + st.Name,
			Fix: "softdelete-proxy migrate --apply"}
		switch st.State {
		case stateMissing:
			f.Kind = KindObjectMissing
			f.Message = st.Kind + " " + st.Name + " is missing: " + st.Purpose
		case stateStale:
			f.Kind = KindObjectStale
			f.Message = st.Kind + " " + st.Name + " is stale (" + st.Why + "): " + st.Purpose
		case stateUnexpected:
			f.Kind = KindObjectUnexpected
			f.Message = st.Kind + " " + st.Name + " should not be there: " + st.Purpose
			f.Fix = "softdelete-proxy migrate --apply drops it: " + strings.Join(st.Drop, " ")
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// ownsTrigger reports whether tr is one of the triggers migrate installs
// (named softdelete_*, calling a function of schema softdelete), which
// check does not report as the table's own.
func (c *Catalog) ownsTrigger(tr Trigger) bool {
	return strings.HasPrefix(unquoted(tr.Name), ownPrefix) && strings.HasPrefix(tr.Function, c.Q(ownSchema)+".")
}

// functionObject is a function of schema softdelete, created or replaced
// with CREATE OR REPLACE FUNCTION softdelete.<name>(<args>) <header> AS
// $$<body>$$. args are the argument types as
// pg_get_function_identity_arguments spells them (e.g. "text[]"), so that
// Name matches what Inspect reads.
func (c *Catalog) functionObject(name, args, purpose, header, body string) Object {
	fn := c.QN(ownSchema, name) + "(" + args + ")"
	return Object{Kind: "function", Name: fn, Purpose: purpose, source: body,
		Create: []string{"CREATE OR REPLACE FUNCTION " + fn + " " + header + " AS " + dollarQuote(body) + ";"}}
}

// returnFunctionObject is a SQL function of schema softdelete with an
// SQL-standard body, CREATE OR REPLACE FUNCTION softdelete.<name>(<args>)
// <header> RETURN <expr>: bound to its functions and operators when
// created (no search_path can redirect them) and inlinable by the planner.
func (c *Catalog) returnFunctionObject(name, args, purpose, header, expr string) Object {
	fn := c.QN(ownSchema, name) + "(" + args + ")"
	return Object{Kind: "function", Name: fn, Purpose: purpose,
		Create: []string{"CREATE OR REPLACE FUNCTION " + fn + " " + header + "\nRETURN " + expr + ";"}}
}
