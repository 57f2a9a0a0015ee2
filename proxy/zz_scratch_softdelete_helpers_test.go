package proxy

import (
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

func TestZZScratch(t *testing.T) {
	tw := newTwin(t)
	p := startProxy(t, Config{})
	tw.proxied = p.URL(t, tw.soft)
	pgtest.Exec(t, tw.ref, goneLog)
	tw.reset(t)
	pgtest.Exec(t, tw.ref, "DELETE FROM gone")
	t.Log(tw.difftest(t, 1, 200, protoModes[1]))
}
