package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// transactionOp reports BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK,
// ABORT (with AND CHAIN), PREPARE TRANSACTION and COMMIT/ROLLBACK
// PREPARED; nil for the savepoint statements, which savepointOp reports.
func transactionOp(t *pg.TransactionStmt) *TransactionOp {
	var k TransactionKind
	switch t.GetKind() {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
		k = TxBegin
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
		k = TxCommit
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		k = TxRollback
	case pg.TransactionStmtKind_TRANS_STMT_PREPARE:
		k = TxPrepare
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED:
		k = TxCommitPrepared
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_PREPARED:
		k = TxRollbackPrepared
	default:
		return nil
	}
	return &TransactionOp{Kind: k, Chain: t.GetChain()}
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
