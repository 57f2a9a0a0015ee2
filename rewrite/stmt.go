package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// topLevel rewrites one top-level statement and describes it.
func (w *walker) topLevel(n *pg.Node) Stmt {
	before := len(w.edits)
	st := w.describe(n)
	w.flushQualified()
	st.Rewritten = len(w.edits) > before
	st.CatalogChange = catalogChange(n)
	st.Schema = schemaStatement(n)
	return st
}

// describe rewrites and describes one statement, and reports the calls of
// set_config in it whose effect its text does not tell (Stmt.Unsure).
func (w *walker) describe(n *pg.Node) Stmt {
	w.plainCall = nil
	st := w.describeKind(n)
	if w.setConfig && !st.Unsure {
		st.Unsure = setConfigUnsure(n, w.plainCall)
	}
	return st
}

// describeKind dispatches on the statement kind.
func (w *walker) describeKind(n *pg.Node) Stmt {
	switch v := n.GetNode().(type) {
	case *pg.Node_SelectStmt:
		w.selectStmt(v.SelectStmt)
		e, plain, unsure := setConfigEffect(v.SelectStmt)
		w.plainCall = plain
		return Stmt{Kind: "select", Set: e, Unsure: unsure}
	case *pg.Node_InsertStmt:
		w.insertStmt(v.InsertStmt)
		return Stmt{Kind: "insert"}
	case *pg.Node_UpdateStmt:
		w.updateStmt(v.UpdateStmt)
		return Stmt{Kind: "update"}
	case *pg.Node_DeleteStmt:
		if w.deleteStmt(v.DeleteStmt) {
			return Stmt{Kind: "delete", ServerTag: "UPDATE", ClientTag: "DELETE"}
		}
		return Stmt{Kind: "delete"}
	case *pg.Node_MergeStmt:
		w.mergeStmt(v.MergeStmt)
		return Stmt{Kind: "merge"}
	case *pg.Node_CopyStmt:
		w.copyStmt(v.CopyStmt)
		return Stmt{Kind: "copy"}
	case *pg.Node_TruncateStmt:
		if w.truncateStmt(v.TruncateStmt) {
			return Stmt{Kind: "truncate", ServerTag: "UPDATE", ClientTag: "TRUNCATE TABLE"}
		}
		return Stmt{Kind: "truncate"}
	case *pg.Node_PrepareStmt:
		// The prepared statement runs at EXECUTE: a tracked SET in it is
		// not applied now, but makes the statement Unsure, which the proxy
		// remembers with the tags.
		inner := w.describe(v.PrepareStmt.Query)
		unsure := inner.Unsure || inner.Set != nil && trackedSetting(inner.Set.Name)
		return Stmt{Kind: "prepare", PrepareName: v.PrepareStmt.Name, ServerTag: inner.ServerTag, ClientTag: inner.ClientTag, Unsure: unsure}
	}
	return w.describeOther(n)
}

// describeOther covers statements that wrap a query or only need tracking.
func (w *walker) describeOther(n *pg.Node) Stmt {
	switch v := n.GetNode().(type) {
	case *pg.Node_ExplainStmt:
		w.walk(v.ExplainStmt.Query)
		return Stmt{Kind: "explain"}
	case *pg.Node_CreateTableAsStmt:
		if v.CreateTableAsStmt.Objtype == pg.ObjectType_OBJECT_MATVIEW {
			return Stmt{Kind: "other"} // a view definition: reported by check, not rewritten
		}
		w.walk(v.CreateTableAsStmt.Query)
		return Stmt{Kind: "create_table_as"}
	case *pg.Node_DeclareCursorStmt:
		w.walk(v.DeclareCursorStmt.Query)
		return Stmt{Kind: "declare"}
	case *pg.Node_ExecuteStmt:
		return Stmt{Kind: "execute", ExecuteName: v.ExecuteStmt.Name}
	case *pg.Node_DeallocateStmt:
		return Stmt{Kind: "deallocate", DeallocateName: v.DeallocateStmt.Name, DeallocateAll: v.DeallocateStmt.Isall}
	case *pg.Node_VariableSetStmt:
		vs := v.VariableSetStmt
		// SET name FROM CURRENT keeps a value the text does not tell.
		unsure := vs.Kind == pg.VariableSetKind_VAR_SET_CURRENT && trackedSetting(vs.Name)
		return Stmt{Kind: "set", Set: setEffect(vs), Unsure: unsure}
	case *pg.Node_LockStmt:
		w.lockStmt(v.LockStmt)
		return Stmt{Kind: "lock"}
	case *pg.Node_VariableShowStmt:
		return Stmt{Kind: "show", ShowName: v.VariableShowStmt.Name}
	case *pg.Node_DiscardStmt:
		if v.DiscardStmt.Target == pg.DiscardMode_DISCARD_ALL {
			return Stmt{Kind: "discard", Set: &SetEffect{ResetAll: true, Reset: true}, DeallocateAll: true}
		}
		return Stmt{Kind: "discard"}
	case *pg.Node_TransactionStmt:
		return Stmt{Kind: "transaction", Savepoint: savepointOp(v.TransactionStmt), Transaction: transactionOp(v.TransactionStmt)}
	}
	return Stmt{Kind: "other"}
}
