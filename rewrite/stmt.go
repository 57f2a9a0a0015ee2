package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// topLevel rewrites one top-level statement and describes it.
func (w *walker) topLevel(n *pg.Node) Stmt {
	before := len(w.edits)
	st := w.describe(n)
	st.Rewritten = len(w.edits) > before
	return st
}

// describe dispatches on the statement kind.
func (w *walker) describe(n *pg.Node) Stmt {
	switch v := n.GetNode().(type) {
	case *pg.Node_SelectStmt:
		w.selectStmt(v.SelectStmt)
		return Stmt{Kind: "select", Set: setConfigEffect(v.SelectStmt)}
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
		inner := w.describe(v.PrepareStmt.Query)
		return Stmt{Kind: "prepare", PrepareName: v.PrepareStmt.Name, ServerTag: inner.ServerTag, ClientTag: inner.ClientTag}
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
		return Stmt{Kind: "set", Set: setEffect(v.VariableSetStmt)}
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

// transactionOp reports BEGIN, COMMIT, ROLLBACK (with AND CHAIN) and the
// two-phase statements; nil for the savepoint ones.
func transactionOp(t *pg.TransactionStmt) *TransactionOp {
	var op TransactionKind
	switch t.GetKind() {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
		op = TxBegin
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
		op = TxCommit
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		op = TxRollback
	case pg.TransactionStmtKind_TRANS_STMT_PREPARE:
		op = TxPrepare
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED:
		op = TxCommitPrepared
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_PREPARED:
		op = TxRollbackPrepared
	default:
		return nil
	}
	return &TransactionOp{Kind: op, Chain: t.GetChain()}
}

// savepointOp reports SAVEPOINT, RELEASE and ROLLBACK TO, whose effect on
// tracked settings the proxy follows; nil for other transaction statements.
func savepointOp(t *pg.TransactionStmt) *SavepointOp {
	var op SavepointKind
	switch t.GetKind() {
	case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		op = SavepointDefine
	case pg.TransactionStmtKind_TRANS_STMT_RELEASE:
		op = SavepointRelease
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		op = SavepointRollbackTo
	default:
		return nil
	}
	return &SavepointOp{Kind: op, Name: t.GetSavepointName()}
}
