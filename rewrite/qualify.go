package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// Names are bound as the proxy resolved them. An unqualified reference to a
// managed table's bare name is resolved through the session's search_path
// and shadows (walker.lookupPath) and then written schema-qualified with
// the schema it resolved to, so that the server reads exactly the relation
// the rewrite was made for, even if its own search_path or catalog has
// changed in ways the proxy did not see (a function's set_config, a
// temporary table created by server-side code). An unqualified
// `public.contacts` still answers to `contacts.col`, so no alias is added
// (one would clash with another schema's contacts in the same FROM list).

// pendingQual is a pending qualification: prefix ("schema.") goes before the
// name token at loc, unless an edit that rewrites the name took it.
type pendingQual struct {
	loc    int32
	prefix string
}

// resolve returns the managed table rv names (nil for any other relation)
// and records the qualification of an unqualified managed bare name. CTE
// references are the caller's business.
func (w *walker) resolve(rv *pg.RangeVar) *Table {
	if rv.Schemaname != "" {
		return w.refused(w.pol.Lookup(rv.Schemaname, rv.Relname), rv)
	}
	t, schema := w.lookupPath(rv.Relname)
	if schema != "" {
		w.qualify(rv.Location, schema)
	}
	return w.refused(t, rv)
}

// refused fails the rewrite when t is a table the policy refuses (see
// Table.Refusal) and returns nil then; else t.
func (w *walker) refused(t *Table, rv *pg.RangeVar) *Table {
	if t == nil || t.Refusal == "" {
		return t
	}
	if w.err == nil {
		w.fail(codeNotSupp, "%s", t.Refusal)
		w.err.Hint = "Add " + tableName(t) + " to the policy's tables too (softdelete-proxy check reports this layout)."
		w.err.Position = w.position(rv.Location)
	}
	return nil
}

// lookupPath resolves an unqualified managed bare name as PostgreSQL
// would with the session's search_path: the first schema that holds a
// managed table or a shadow of that name. schema is "" when neither is
// found (or name is no managed table's bare name): the name stays as
// written.
func (w *walker) lookupPath(name string) (t *Table, schema string) {
	if w.pol == nil {
		return nil, ""
	}
	if _, ok := w.pol.names[name]; !ok {
		return nil, ""
	}
	for _, s := range w.path {
		if t := w.pol.Lookup(s, name); t != nil {
			return t, s
		}
		if shadowed(w.shadows, s, name) {
			return nil, s
		}
	}
	return nil, ""
}

func (w *walker) qualify(loc int32, schema string) {
	for _, q := range w.quals {
		if q.loc == loc {
			return
		}
	}
	w.quals = append(w.quals, pendingQual{loc: loc, prefix: quoteIdent(schema) + "."})
}

// takeQualifier removes and returns the pending qualification of the name
// at loc, for an edit that writes the name itself.
func (w *walker) takeQualifier(loc int32) (string, bool) {
	for i, q := range w.quals {
		if q.loc == loc {
			w.quals = append(w.quals[:i], w.quals[i+1:]...)
			return q.prefix, true
		}
	}
	return "", false
}

// nameText is the text of tokens s.first..s.nameEnd (ONLY, the name, *)
// with the pending qualification of rv's name put in.
func (w *walker) nameText(s relSpan, rv *pg.RangeVar) string {
	text := w.text(s.first, s.nameEnd)
	p, ok := w.takeQualifier(rv.Location)
	if !ok {
		return text
	}
	at := w.toks[s.name].start - w.toks[s.first].start
	return text[:at] + p + text[at:]
}

// qualifiedName is rv's name as written, or qualified when pending.
func (w *walker) qualifiedName(rv *pg.RangeVar) string {
	if p, ok := w.takeQualifier(rv.Location); ok {
		return p + quoteIdent(rv.Relname)
	}
	return qualifier(&pg.RangeVar{Schemaname: rv.Schemaname, Relname: rv.Relname, Catalogname: rv.Catalogname})
}

// flushQualified inserts the pending qualifications before their names.
func (w *walker) flushQualified() {
	for _, q := range w.quals {
		if w.err != nil {
			break
		}
		i := tokAt(w.toks, q.loc)
		if i < 0 || !isNameTok(w.toks[i]) {
			w.internal("table name not found in the text")
			break
		}
		w.insert(w.toks[i].start, q.prefix)
	}
	w.quals = w.quals[:0]
}

// lockStmt binds the names of LOCK [TABLE] … as resolved.
func (w *walker) lockStmt(l *pg.LockStmt) {
	for _, n := range l.Relations {
		if rv := n.GetRangeVar(); rv != nil {
			w.target(rv)
		}
	}
}
