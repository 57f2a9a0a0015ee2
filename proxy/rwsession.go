package proxy

import (
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// refusedSentinel replaces the text of a refused statement. The server
// answers it with a syntax error (so the transaction fails exactly as with
// a real error, in order with everything else in flight) and the server
// loop swaps that error for the refusal.
const refusedSentinel = "softdelete_proxy_refused_statement"

// rwSession is the rewrite state of one session. The client loop rewrites
// statements and queues what their responses must look like (units); the
// server loop applies the queue to CommandComplete, ErrorResponse and
// ReadyForQuery.
type rwSession struct {
	cfg           *Rewriting
	log           *zap.Logger
	user          string
	canHardDelete bool   // member of a roles.hard_delete role at session start
	shadows       string // unmanaged relations named like managed ones (rewrite.Session.Shadows)

	// Client loop only.
	prepared map[string]*prepared // protocol-level statements by name ("" = unnamed)
	portals  map[string]*plan
	sqlPrep  map[string]*prepared // SQL-level PREPARE names

	mu       sync.Mutex
	units    []*unit   // one per expected ReadyForQuery, oldest first
	settings *settings // server-confirmed values of tracked settings
}

// plan is the wire-level effect of one rewritten statement.
type plan struct {
	serverTag, clientTag string
	set                  *rewrite.SetEffect
	sp                   *rewrite.SavepointOp
}

// unit is the work between two ReadyForQuery: one Query, or the extended
// messages up to a Sync.
type unit struct {
	plans    []*plan // one per CommandComplete expected (nil entries pass)
	next     int
	tracked  bool // false: a Query that was not parsed; its completions map nothing
	closed   bool // the Query or Sync that ends it has been sent
	refusals []*rewrite.Error
	failed   bool // an ErrorResponse was seen
	// rolledBack: a ROLLBACK tag was seen; back in idle it was a real one.
	rolledBack bool
}

func newRWSession(cfg *Rewriting, log *zap.Logger, user string, canHardDelete bool, startup map[string]string) *rwSession {
	return &rwSession{
		cfg:           cfg,
		log:           log,
		user:          user,
		canHardDelete: canHardDelete,
		prepared:      map[string]*prepared{},
		portals:       map[string]*plan{},
		sqlPrep:       map[string]*prepared{},
		settings:      newSettings(startup),
	}
}

// rewriteSession builds the rewrite input from the current settings.
func (rw *rwSession) rewriteSession() *rewrite.Session {
	rw.mu.Lock()
	path, _ := rw.settings.get(settingSearchPath)
	vis, _ := rw.settings.get(settingVisibility)
	rw.mu.Unlock()
	v, _ := parseVisibility(vis)
	return &rewrite.Session{SearchPath: path, User: rw.user, Visibility: v, CanHardDelete: rw.canHardDelete, Shadows: rw.shadows}
}

// rewrite runs the engine on one statement text. It also returns how the
// statement stands to later search_path changes.
func (rw *rwSession) rewrite(sql string) (rewrite.Result, prepared, error) {
	p := rw.cfg.Policy()
	rs := rw.rewriteSession()
	start := time.Now()
	res, err := rw.cfg.Rewriter.Rewrite(sql, p.Rewrite, rs)
	rw.cfg.Metrics.observe(&res, err, time.Since(start))
	return res, prepared{touches: res.Touches, path: rs.SearchPath}, err
}

// planOf turns a rewritten statement into what the wire needs, resolving
// SQL-level PREPARE/EXECUTE/DEALLOCATE names.
func (rw *rwSession) planOf(st *rewrite.Stmt, info prepared) *plan {
	switch {
	case st.PrepareName != "":
		info.pl = &plan{serverTag: st.ServerTag, clientTag: st.ClientTag}
		rw.sqlPrep[st.PrepareName] = &info
		return nil
	case st.ExecuteName != "":
		if pr := rw.sqlPrep[st.ExecuteName]; pr != nil {
			return pr.pl
		}
		return nil
	case st.DeallocateAll: // DEALLOCATE ALL, or DISCARD ALL (which also resets: Set below)
		clear(rw.sqlPrep)
	case st.DeallocateName != "":
		delete(rw.sqlPrep, st.DeallocateName)
		return nil
	}
	if st.ClientTag == "" && st.Set == nil && st.Savepoint == nil {
		return nil
	}
	return &plan{serverTag: st.ServerTag, clientTag: st.ClientTag, set: st.Set, sp: st.Savepoint}
}

// onQuery rewrites a simple Query and queues its unit. It returns the
// message to send upstream.
func (rw *rwSession) onQuery(q *pgproto3.Query) pgproto3.FrontendMessage {
	res, info, err := rw.rewrite(q.String)
	if err == nil {
		err = rw.checkQuery(&res, info)
	}
	u := &unit{closed: true}
	if err != nil {
		u.refusals = append(u.refusals, rw.refused(err, q.String))
		rw.push(u)
		return &pgproto3.Query{String: refusedSentinel}
	}
	if len(res.Stmts) > 0 {
		u.tracked = true
		u.plans = make([]*plan, len(res.Stmts))
		for i := range res.Stmts {
			u.plans[i] = rw.planOf(&res.Stmts[i], info)
		}
	}
	rw.push(u)
	if !res.Changed {
		return q
	}
	rw.logRewrite(q.String, res.SQL)
	return &pgproto3.Query{String: res.SQL}
}

// onParse rewrites the text of a Parse and remembers the statement's plan.
func (rw *rwSession) onParse(m *pgproto3.Parse) pgproto3.FrontendMessage {
	res, info, err := rw.rewrite(m.Query)
	if err == nil {
		err = rw.checkQuery(&res, info)
	}
	if err != nil {
		delete(rw.prepared, m.Name)
		u := rw.openUnit()
		rw.mu.Lock()
		u.refusals = append(u.refusals, rw.refused(err, m.Query))
		rw.mu.Unlock()
		return &pgproto3.Parse{Name: m.Name, Query: refusedSentinel}
	}
	if len(res.Stmts) == 1 {
		info.pl = rw.planOf(&res.Stmts[0], info)
	}
	rw.prepared[m.Name] = &info
	if !res.Changed {
		return m
	}
	rw.logRewrite(m.Query, res.SQL)
	return &pgproto3.Parse{Name: m.Name, Query: res.SQL, ParameterOIDs: m.ParameterOIDs}
}

// onBind binds a portal to its statement's plan; a statement gone stale by
// a search_path change is refused (the Bind names a statement that does not
// exist, and the server's error is swapped for the refusal).
func (rw *rwSession) onBind(m *pgproto3.Bind) pgproto3.FrontendMessage {
	pr := rw.prepared[m.PreparedStatement]
	if rw.stale(pr) {
		u := rw.openUnit()
		rw.mu.Lock()
		u.refusals = append(u.refusals, rw.refused(staleError(m.PreparedStatement, pr.path, rw.settings.mustGet(settingSearchPath)), ""))
		rw.mu.Unlock()
		delete(rw.portals, m.DestinationPortal)
		return &pgproto3.Bind{DestinationPortal: m.DestinationPortal, PreparedStatement: refusedSentinel}
	}
	if pr == nil {
		delete(rw.portals, m.DestinationPortal)
	} else {
		rw.portals[m.DestinationPortal] = pr.pl
	}
	return m
}

func (rw *rwSession) onClose(m *pgproto3.Close) {
	if m.ObjectType == 'S' {
		delete(rw.prepared, m.Name)
	} else {
		delete(rw.portals, m.Name)
	}
}

func (rw *rwSession) onExecute(m *pgproto3.Execute) {
	u := rw.openUnit()
	pl := rw.portals[m.Portal]
	rw.mu.Lock()
	u.tracked = true
	u.plans = append(u.plans, pl)
	rw.mu.Unlock()
}

// onSync closes the open unit (or queues an empty one).
func (rw *rwSession) onSync() {
	u := rw.openUnit()
	rw.mu.Lock()
	u.closed = true
	rw.mu.Unlock()
}

// onFunctionCall queues the unit of a FunctionCall.
func (rw *rwSession) onFunctionCall() { rw.push(&unit{closed: true}) }

// openUnit returns the extended-protocol unit being built, queuing a new
// one if the last is closed.
func (rw *rwSession) openUnit() *unit {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if n := len(rw.units); n > 0 && !rw.units[n-1].closed {
		return rw.units[n-1]
	}
	u := &unit{}
	rw.units = append(rw.units, u)
	return u
}

func (rw *rwSession) push(u *unit) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	// A Query after unsynced extended messages ends their unit too: the
	// server answers both with one ReadyForQuery.
	if n := len(rw.units); n > 0 && !rw.units[n-1].closed {
		last := rw.units[n-1]
		last.closed = true
		if len(u.plans) > 0 || len(u.refusals) > 0 {
			last.plans = append(last.plans, u.plans...)
			last.refusals = append(last.refusals, u.refusals...)
			last.tracked = last.tracked || u.tracked
		}
		return
	}
	rw.units = append(rw.units, u)
}

// logRewrite logs a rewrite at debug level (checked first: this is the
// hot path).
func (rw *rwSession) logRewrite(from, to string) {
	if ce := rw.log.Check(zap.DebugLevel, "statement rewritten"); ce != nil {
		ce.Write(zap.String("statement", from), zap.String("rewritten", to))
	}
}

// refused logs a refusal (with the start of the statement) and returns it
// as the error the client will get.
func (rw *rwSession) refused(err error, sql string) *rewrite.Error {
	e := asRewriteError(err)
	const maxLogged = 300
	if len(sql) > maxLogged {
		sql = sql[:maxLogged] + "…"
	}
	rw.log.Info("statement refused", zap.String("sqlstate", e.Code), zap.String("reason", e.Message), zap.String("statement", sql))
	return e
}

func asRewriteError(err error) *rewrite.Error {
	if e, ok := err.(*rewrite.Error); ok {
		return e
	}
	return &rewrite.Error{Code: "XX000", Message: "softdelete-proxy could not rewrite the statement: " + err.Error(),
		Hint: "The statement was not sent to the server. Report this with the statement text."}
}

// onFrontend is the client loop's hook: it returns the message to send
// upstream in place of msg.
func (rw *rwSession) onFrontend(msg pgproto3.FrontendMessage) pgproto3.FrontendMessage {
	switch m := msg.(type) {
	case *pgproto3.Query:
		return rw.onQuery(m)
	case *pgproto3.Parse:
		return rw.onParse(m)
	case *pgproto3.Bind:
		return rw.onBind(m)
	case *pgproto3.Execute:
		rw.onExecute(m)
	case *pgproto3.Close:
		rw.onClose(m)
	case *pgproto3.Sync:
		rw.onSync()
	case *pgproto3.FunctionCall:
		rw.onFunctionCall()
	}
	return msg
}
