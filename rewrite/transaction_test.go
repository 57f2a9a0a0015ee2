package rewrite

import "testing"

// Every transaction statement is parsed (however it is spelled, wherever it
// is in the text) and described, so the proxy knows exactly when tracked
// settings are kept or undone; the cache serves the cheap ones again.
func TestTransactionStatements(t *testing.T) {
	cases := []struct {
		sql   string
		kind  TransactionKind
		chain bool
	}{
		{"BEGIN", TxBegin, false},
		{"begin work", TxBegin, false},
		{"BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY", TxBegin, false},
		{"START TRANSACTION", TxBegin, false},
		{"/* c */ start transaction read write", TxBegin, false},
		{"COMMIT", TxCommit, false},
		{"commit and chain", TxCommit, true},
		{"COMMIT AND NO CHAIN", TxCommit, false},
		{"END", TxCommit, false},
		{"end transaction and chain", TxCommit, true},
		{"ROLLBACK", TxRollback, false},
		{"ROLLBACK AND CHAIN", TxRollback, true},
		{"ABORT", TxRollback, false},
		{"abort work and chain", TxRollback, true},
		{"PREPARE TRANSACTION 'gid1'", TxPrepare, false},
		{"COMMIT PREPARED 'gid1'", TxCommitPrepared, false},
		{"ROLLBACK PREPARED 'gid1'", TxRollbackPrepared, false},
		{"-- comment\nCommit", TxCommit, false},
	}
	p := testPolicy()
	r := New(Options{})
	for round := 0; round < 2; round++ {
		for _, tc := range cases {
			res, err := r.Rewrite(tc.sql, p, &Session{})
			if err != nil {
				t.Fatalf("%s: %v", tc.sql, err)
			}
			if res.Changed || len(res.Stmts) != 1 || res.Stmts[0].Transaction == nil {
				t.Errorf("%s: %+v: not described", tc.sql, res)
				continue
			}
			st := res.Stmts[0]
			if op := st.Transaction; op.Kind != tc.kind || op.Chain != tc.chain || st.Savepoint != nil || st.Kind != "transaction" {
				t.Errorf("%s: %+v, want kind %d chain %v", tc.sql, *op, tc.kind, tc.chain)
			}
			if round == 1 && !res.CacheHit {
				t.Errorf("%s: not served from the cache the second time", tc.sql)
			}
		}
	}
}

// Transaction statements inside a string of several are each described,
// and savepoint statements are not taken for them.
func TestTransactionStatementsInAString(t *testing.T) {
	res, err := New(Options{}).Rewrite("SELECT 1; COMMIT; SAVEPOINT a; ROLLBACK TO a; BEGIN; RELEASE a; END", testPolicy(), &Session{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "commit", "sp", "sp", "begin", "sp", "commit"}
	if len(res.Stmts) != len(want) {
		t.Fatalf("%d statements", len(res.Stmts))
	}
	for i, st := range res.Stmts {
		got := ""
		switch {
		case st.Transaction != nil && st.Savepoint != nil:
			got = "both"
		case st.Savepoint != nil:
			got = "sp"
		case st.Transaction != nil:
			got = txKindNames[st.Transaction.Kind]
		}
		if got != want[i] {
			t.Errorf("statement %d: %s, want %s", i, got, want[i])
		}
	}
}
