package proxy

import (
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// testPolicy is a fixed policy for rewriting tests; roles name the roles
// the proxy treats as bypass and hard_delete.
type testPolicy struct {
	Tables     []rewrite.Table
	Bypass     []string
	HardDelete []string
}

// rewritingFor returns a Rewriting over a fixed policy (version 1) with its
// own Rewriter, for startProxy(t, Config{Rewriting: …}).
func rewritingFor(t testing.TB, tp testPolicy) *Rewriting {
	t.Helper()
	for i := range tp.Tables {
		if tp.Tables[i].Column == "" {
			tp.Tables[i].Column = "deleted_at"
		}
		if tp.Tables[i].Schema == "" {
			tp.Tables[i].Schema = "public"
		}
	}
	rp := rewrite.NewPolicy(1, tp.Tables)
	rp.HardDeleteRoles = tp.HardDelete
	p := &Policy{Rewrite: rp, Bypass: tp.Bypass, HardDelete: tp.HardDelete}
	r := rewrite.New(rewrite.Options{})
	return &Rewriting{Rewriter: r, Policy: func() *Policy { return p }, Metrics: NewRewriteMetrics(nil, r)}
}
