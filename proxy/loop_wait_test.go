//go:build linux

package proxy

import (
	"runtime"
	"testing"
	"time"

	"go.uber.org/zap"
)

func TestWaiterHoldsPOnlyWhenSafe(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	cases := []struct {
		loops   int
		godebug string
		want    bool
	}{
		{1, "", true},
		{3, "madvdontneed=1", true},
		{4, "", false}, // the loops would hold every P
		{5, "", false},
		{1, "asyncpreemptoff=1", false}, // nothing could stop a waiting loop
		{1, "gctrace=1,asyncpreemptoff=1", false},
		{1, "asyncpreemptoff=0", true},
	}
	for _, c := range cases {
		if got := newWaiter(c.loops, c.godebug).holdP(); got != c.want {
			t.Errorf("loops %d, GODEBUG %q: holdP = %v, want %v", c.loops, c.godebug, got, c.want)
		}
	}
}

// A loop that waits holding its P must not keep the runtime from stopping
// the world, nor other goroutines from running: with the loop idle in
// epoll_pwait, garbage collections complete, goroutines run and timers
// fire, and a closure posted afterwards still runs on the loop.
func TestIdleLoopLetsTheRuntimeRun(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	w := newWaiter(1, "")
	if !w.holdP() {
		t.Fatal("with GOMAXPROCS 2 and one loop the waiter should hold its P")
	}
	l, err := newLoop(zap.NewNop(), w)
	if err != nil {
		t.Fatal(err)
	}
	defer l.stop()
	ran := make(chan struct{})
	if !l.post(func() { close(ran) }) {
		t.Fatal("post refused")
	}
	<-ran // the loop has started and gone back to waiting

	done := make(chan struct{})
	go func() {
		for i := 0; i < 20; i++ {
			runtime.GC()
			<-time.After(time.Millisecond)
			ch := make(chan int)
			go func() { ch <- i }()
			<-ch
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		// (No stack dump: it would need the world stopped, which is what failed.)
		t.Fatal("garbage collections and goroutines stalled behind the idle loop")
	}
	again := make(chan struct{})
	l.post(func() { close(again) })
	select {
	case <-again:
	case <-time.After(30 * time.Second):
		t.Fatal("the loop stopped running posted closures")
	}
}
