//go:build linux

package proxy

import (
	"errors"
	"os"
	"runtime"
	"sync"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// An event loop relays many sessions on one thread, as PgBouncer does: one
// epoll set (level-triggered), one read per readiness, the whole frames
// taken, one write per batch. Compared with two goroutines per session it
// saves, per round trip, the reads that only find the socket empty and the
// scheduler's hand-offs between threads. Sessions with TLS on a leg stay on
// the goroutine relay (crypto/tls wants a net.Conn); the proxy runs one
// loop per GOMAXPROCS and hands each plain session, once authenticated, to
// the next loop.
//
// Everything a loop session does runs on its loop's thread; other
// goroutines (shutdown) post closures to it (post), which it runs between
// events.

// loop is one event loop.
type loop struct {
	epfd, wakefd int
	log          *zap.Logger
	waiter       waiter

	mu      sync.Mutex
	posted  []func()
	stopped bool

	// Loop thread only.
	sides  map[int32]*loopSide
	events []unix.EpollEvent
	done   chan struct{}
}

func newLoop(log *zap.Logger, w waiter) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	l := &loop{epfd: epfd, wakefd: wakefd, log: log, waiter: w, sides: map[int32]*loopSide{},
		events: make([]unix.EpollEvent, 128), done: make(chan struct{})}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}); err != nil {
		l.closeFDs()
		return nil, err
	}
	go l.run()
	return l, nil
}

// run waits for events until stop.
func (l *loop) run() {
	runtime.LockOSThread()
	defer close(l.done)
	for {
		n, err := l.waiter.wait(l.epfd, l.events)
		if err != nil && !errors.Is(err, unix.EINTR) {
			l.log.Error("event loop stopped: epoll_wait failed", zap.Error(err))
			return
		}
		for i := 0; i < n; i++ {
			ev := l.events[i]
			if int(ev.Fd) == l.wakefd {
				if !l.runPosted() {
					return
				}
				continue
			}
			if s := l.sides[ev.Fd]; s != nil && !s.ls.closed {
				s.ls.ready(s, ev.Events)
			}
		}
	}
}

// post runs fn on the loop's thread, soon. It reports false when the loop
// has stopped (fn will not run).
func (l *loop) post(fn func()) bool {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false
	}
	l.posted = append(l.posted, fn)
	l.mu.Unlock()
	var one = [8]byte{1}
	_, _ = unix.Write(l.wakefd, one[:])
	return true
}

// runPosted runs the posted closures; false means the loop must stop.
func (l *loop) runPosted() bool {
	var buf [8]byte
	_, _ = unix.Read(l.wakefd, buf[:])
	l.mu.Lock()
	fns := l.posted
	l.posted = nil
	stopped := l.stopped
	l.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
	return !stopped
}

// stop ends the loop after the closures posted so far, and releases it.
func (l *loop) stop() {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return
	}
	l.stopped = true
	l.mu.Unlock()
	var one = [8]byte{1}
	_, _ = unix.Write(l.wakefd, one[:])
	<-l.done
	l.closeFDs()
}

func (l *loop) closeFDs() {
	unix.Close(l.epfd)
	unix.Close(l.wakefd)
}

// watch registers (or changes, or with 0 removes) a side's interest.
func (l *loop) watch(s *loopSide, events uint32) error {
	if events == s.events {
		return nil
	}
	ev := unix.EpollEvent{Events: events, Fd: int32(s.fd)}
	var err error
	switch {
	case s.events == 0:
		err = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, s.fd, &ev)
		l.sides[int32(s.fd)] = s
	case events == 0:
		err = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, s.fd, nil)
		delete(l.sides, int32(s.fd))
	default:
		err = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, s.fd, &ev)
	}
	if err == nil {
		s.events = events
	}
	return err
}

// loops are the server's event loops, started with the first session that
// goes to one and stopped at the end of Shutdown.
type loops struct {
	mu    sync.Mutex
	all   []*loop
	next  int
	off   bool // the loops could not start: every session uses goroutines
	count int
}

// pick returns the next loop, starting the loops the first time.
func (ls *loops) pick(log *zap.Logger) *loop {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.off || ls.count < 0 {
		return nil
	}
	if ls.all == nil {
		n := ls.count
		if n == 0 {
			n = max(1, runtime.GOMAXPROCS(0)/2)
		}
		w := newWaiter(n, os.Getenv("GODEBUG"))
		for i := 0; i < n; i++ {
			l, err := newLoop(log, w)
			if err != nil {
				log.Warn("event loop unavailable; sessions use a goroutine per direction", zap.Error(err))
				ls.off = true
				return nil
			}
			ls.all = append(ls.all, l)
		}
	}
	l := ls.all[ls.next%len(ls.all)]
	ls.next++
	return l
}

// stop stops every loop.
func (ls *loops) stop() {
	ls.mu.Lock()
	all := ls.all
	ls.all = nil
	ls.mu.Unlock()
	for _, l := range all {
		l.stop()
	}
}
