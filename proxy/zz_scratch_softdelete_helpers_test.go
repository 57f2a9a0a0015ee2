package proxy

import (
	"testing"
	"time"
)

func TestZZScratch(t *testing.T) {
	tw := newTwin(t)
	for i := 0; i < 3; i++ {
		s := time.Now()
		tw.reset(t)
		t.Logf("reset %v", time.Since(s))
		s = time.Now()
		c := connectMode(t, tw.ref, protoModes[0])
		t.Logf("connect direct %v", time.Since(s))
		s = time.Now()
		c2 := connectMode(t, tw.proxied, protoModes[0])
		t.Logf("connect proxy %v", time.Since(s))
		s = time.Now()
		tw.checkTrash(t)
		t.Logf("check %v", time.Since(s))
		c.Close(testCtx(t))
		c2.Close(testCtx(t))
	}
}
