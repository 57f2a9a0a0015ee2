package tracker

import (
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// A policy names tables; what it means in one database depends on that
// database's catalog: the partitions and inheritance children of a managed
// table are managed too, and the guard migrate installs may be missing or
// stale. The proxy asks each database once (a session of it runs the
// Resolver's queries as its own, right after authentication), keeps the
// answer for all its sessions, and asks again after ResolveTTL, a reload,
// or a catalog change seen through the proxy.

// Resolver says what a policy means in one database.
type Resolver interface {
	// Queries are run in order with the simple protocol; their rows are
	// handed to Resolve as text.
	Queries() []string
	// Resolve builds the policy of database db from the answers.
	Resolve(db string, answers [][][]string) (*Resolved, error)
}

// Resolved is a policy as it applies in one database.
type Resolved struct {
	Rewrite *rewrite.Policy // the managed tables there, partitions and children included
	// Unguarded describes the managed tables whose guard is missing or
	// stale ("public.contacts: trigger softdelete_guard missing").
	Unguarded []string
	// Require refuses statements on managed tables while Unguarded is
	// not empty.
	Require bool
	// Refused holds the tables Unguarded is about, with their partitions
	// and children: with Require, only statements that may name one of
	// them are refused. Nil refuses statements on every managed table.
	Refused *rewrite.Policy
}

// ResolveTTL is how long a database's resolved policy is kept.
const ResolveTTL = time.Minute

// Databases keeps the resolved policies of the databases seen, shared by
// the sessions of one proxy.
type Databases struct {
	mu  sync.Mutex
	m   map[dbKey]*dbEntry
	now func() time.Time
	log *zap.Logger
}

type dbKey struct {
	db     string
	policy *Policy // the base policy (a reload makes a new one)
}

type dbEntry struct {
	res     *Resolved
	at      time.Time
	stale   bool // a catalog change was seen through the proxy
	problem string
}

// NewDatabases returns an empty cache; log reports unguarded tables, once
// per resolution of each database.
func NewDatabases(log *zap.Logger) *Databases {
	if log == nil {
		log = zap.NewNop()
	}
	return &Databases{m: map[dbKey]*dbEntry{}, now: time.Now, log: log}
}

// lookup returns the resolution of db under base, and whether it must be
// asked again.
func (d *Databases) lookup(db string, base *Policy) (*Resolved, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.m[dbKey{db, base}]
	if e == nil {
		return nil, true
	}
	return e.res, e.stale || d.now().Sub(e.at) > ResolveTTL
}

// store keeps a resolution. The rewrite policy keeps its version when its
// tables did not change, so prepared statements are not checked again for
// nothing.
func (d *Databases) store(db string, base *Policy, res *Resolved) *Resolved {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := dbKey{db, base}
	if old := d.m[k]; old != nil && sameTables(old.res.Rewrite, res.Rewrite) {
		res.Rewrite = old.res.Rewrite
	}
	for key := range d.m { // forget the resolutions of older policies
		if key.db == db && key.policy != base {
			delete(d.m, key)
		}
	}
	problem := strings.Join(res.Unguarded, "; ")
	if problem != "" && (d.m[k] == nil || d.m[k].problem != problem) {
		d.log.Error("soft-delete tables without their guard: server-side code (DO blocks, functions, triggers, views) can hard-delete their rows; run softdelete-proxy migrate --apply",
			zap.String("database", db), zap.Strings("problems", res.Unguarded), zap.Bool("statements_refused", res.Require))
	}
	d.m[k] = &dbEntry{res: res, at: d.now(), problem: problem}
	return res
}

// invalidate marks db to be asked again (a catalog change).
func (d *Databases) invalidate(db string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, e := range d.m {
		if k.db == db {
			e.stale = true
		}
	}
}

func sameTables(a, b *rewrite.Policy) bool {
	if len(a.Tables) != len(b.Tables) {
		return false
	}
	for i := range a.Tables {
		if a.Tables[i] != b.Tables[i] {
			return false
		}
	}
	return true
}
