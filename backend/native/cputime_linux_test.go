package native

import (
	"syscall"
	"time"
)

// threadCPUTime is the CPU time the calling OS thread has used (lock the
// goroutine to it): on a shared machine it measures a single-threaded
// kernel far more steadily than the wall clock.
func threadCPUTime() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
