package tracker

import "github.com/softdelete-proxy/softdelete-proxy/rewrite"

// statement is a prepared statement as the proxy rewrote it. Parse and SQL
// PREPARE share one namespace on the server (a Bind may name a statement
// PREPAREd in SQL and EXECUTE one made by Parse); "" is the unnamed one.
type statement struct {
	text       string          // as the client sent it
	sent       string          // as the server received it
	completion *completion     // how its statement completes; nil when it holds none or several
	touches    bool            // its text names a managed table (maybe)
	session    rewrite.Session // the rewrite input it was made with
	version    uint64          // the policy version it was rewritten under
}

// definitions are the server's statements and portals: confirmed ones, and
// the latest request in flight that (re)defines or closes each name.
type definitions struct {
	stmts          map[string]*statement
	portals        map[string]*statement // by portal name: the statement bound
	pendingStmts   map[string]*request
	pendingPortals map[string]*request
}

func newDefinitions() definitions {
	return definitions{stmts: map[string]*statement{}, portals: map[string]*statement{},
		pendingStmts: map[string]*request{}, pendingPortals: map[string]*request{}}
}

// statement returns what name will mean when the server reads a frame of
// batch u: the latest definition sent before, if it is in u (an earlier
// batch's may still fail: then wait is that batch), else the confirmed one.
func (d *definitions) statement(name string, u *batch) (st *statement, wait *batch) {
	if r := d.pendingStmts[name]; r != nil {
		if r.batch != u {
			return nil, r.batch
		}
		return r.stmt, nil
	}
	return d.stmts[name], nil
}

// portal is statement for portals: the statement a portal runs.
func (d *definitions) portal(name string, u *batch) (st *statement, wait *batch) {
	if r := d.pendingPortals[name]; r != nil {
		if r.batch != u {
			return nil, r.batch
		}
		return r.stmt, nil
	}
	return d.portals[name], nil
}

// sent records a Parse, Bind or Close on its way to the server.
func (d *definitions) sent(r *request) {
	switch {
	case r.kind == reqParse || r.kind == reqClose && r.target == 'S':
		d.pendingStmts[r.name] = r
	case r.kind == reqBind || r.kind == reqClose && r.target == 'P':
		d.pendingPortals[r.name] = r
	}
}

// confirmed applies r, which the server completed.
func (d *definitions) confirmed(r *request) {
	switch {
	case r.kind == reqParse:
		d.stmts[r.name] = r.stmt
	case r.kind == reqClose && r.target == 'S':
		delete(d.stmts, r.name)
	case r.kind == reqBind:
		d.portals[r.name] = r.stmt
	case r.kind == reqClose && r.target == 'P':
		delete(d.portals, r.name)
	}
	d.settled(r)
}

// failed forgets r, which the server skipped: the name keeps its confirmed
// meaning.
func (d *definitions) failed(r *request) { d.settled(r) }

// errored forgets r, which the server read and refused. A failed Parse of
// the unnamed statement has dropped the old one first (exec_parse_message).
func (d *definitions) errored(r *request) {
	if r.kind == reqParse && r.name == "" {
		delete(d.stmts, "")
	}
	d.settled(r)
}

func (d *definitions) settled(r *request) {
	switch r.kind {
	case reqParse, reqClose, reqBind:
	default:
		return
	}
	pending := d.pendingStmts
	if r.kind == reqBind || r.kind == reqClose && r.target == 'P' {
		pending = d.pendingPortals
	}
	if pending[r.name] == r {
		delete(pending, r.name)
	}
}

// prepared applies a SQL PREPARE the server completed.
func (d *definitions) prepared(name string, st *statement) { d.stmts[name] = st }

// deallocated applies DEALLOCATE name, or DEALLOCATE ALL ("" with all),
// which also drops statements made by Parse (but not the unnamed one).
func (d *definitions) deallocated(name string, all bool) {
	if !all {
		delete(d.stmts, name)
		return
	}
	for n := range d.stmts {
		if n != "" {
			delete(d.stmts, n)
		}
	}
}

// transactionEnded drops the portals: they live until the transaction ends.
func (d *definitions) transactionEnded() { clear(d.portals) }
