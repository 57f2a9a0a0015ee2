//go:build linux

package proxy

import (
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// How a loop waits for events.
//
// A blocking system call made the ordinary way (unix.EpollWait) tells the Go
// scheduler the thread is leaving: after 20 µs sysmon takes the thread's P
// away, hands it to another thread, and wakes again and again to do so; on
// return the thread must win a P back. At a few thousand round trips a
// second that bookkeeping cost more CPU than the relaying (20 µs per
// transaction at 2,000/s, bench/cpu.py). So a loop waits with a raw system
// call, keeping its P, as long as that is safe:
//
//   - other goroutines still have a P: the loops hold fewer Ps than
//     GOMAXPROCS (checked at every wait, since GOMAXPROCS can change);
//   - the runtime can still stop the loop: a garbage collection or any
//     stop-the-world preempts a running goroutine with a signal, which ends
//     epoll_pwait with EINTR; the loop then yields (runtime.Gosched) before
//     it waits again. With GODEBUG=asyncpreemptoff=1 no signal would come,
//     so then the loop always waits the ordinary way.
type waiter struct {
	loops       int  // loops running, each holding a P while it waits
	preemptible bool // the runtime preempts with signals
}

func newWaiter(loops int, godebug string) waiter {
	return waiter{loops: loops, preemptible: !strings.Contains(godebug, "asyncpreemptoff=1")}
}

// holdP says whether a wait may keep its P.
func (w waiter) holdP() bool {
	return w.preemptible && runtime.GOMAXPROCS(0) > w.loops
}

// wait blocks until an event arrives on epfd.
func (w waiter) wait(epfd int, events []unix.EpollEvent) (int, error) {
	if !w.holdP() {
		return unix.EpollWait(epfd, events, -1)
	}
	forever := -1
	r, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), uintptr(forever), 0, 0)
	if errno != 0 {
		if errno == unix.EINTR {
			runtime.Gosched() // let a stop-the-world or a preemption have the P
		}
		return 0, errno
	}
	return int(r), nil
}
