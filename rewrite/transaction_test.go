package rewrite

import (
	"reflect"
	"testing"
)

// TestTransactionOps: every transaction statement is parsed (even with no
// managed table in it) and described, so the proxy follows what it does to
// the session's settings: ABORT and ROLLBACK AND CHAIN undo them, COMMIT
// AND CHAIN keeps them in a transaction that goes on.
func TestTransactionOps(t *testing.T) {
	r := New(Options{CacheBytes: -1})
	for sql, want := range map[string]*TransactionOp{
		"BEGIN":                          {Kind: TxBegin},
		"start transaction read only":    {Kind: TxBegin},
		"COMMIT":                         {Kind: TxCommit},
		"end":                            {Kind: TxCommit},
		"COMMIT AND CHAIN":               {Kind: TxCommit, Chain: true},
		"ROLLBACK":                       {Kind: TxRollback},
		"abort":                          {Kind: TxRollback},
		"ROLLBACK AND CHAIN":             {Kind: TxRollback, Chain: true},
		"PREPARE TRANSACTION 'x'":        {Kind: TxPrepare},
		"COMMIT PREPARED 'x'":            {Kind: TxCommitPrepared},
		"ROLLBACK PREPARED 'x'":          {Kind: TxRollbackPrepared},
		"SAVEPOINT a":                    nil,
		"ROLLBACK TO SAVEPOINT a":        nil,
		"/* c */ Commit And No Chain; ;": {Kind: TxCommit},
	} {
		for _, p := range []*Policy{NewPolicy(0, nil), testPolicy()} {
			res, err := r.Rewrite(sql, p, &Session{SearchPath: "public"})
			if err != nil || len(res.Stmts) == 0 {
				t.Errorf("%s: %v, %d statements", sql, err, len(res.Stmts))
				continue
			}
			st := res.Stmts[0]
			if st.Kind != "transaction" || !reflect.DeepEqual(st.Transaction, want) {
				t.Errorf("%s: kind %q, Transaction %+v, want %+v", sql, st.Kind, st.Transaction, want)
			}
		}
	}
}
