package native

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPUTime is the CPU time the calling OS thread has used (lock the
// goroutine to it), to the nanosecond: on a shared machine it measures a
// single-threaded kernel, or a whole single-threaded run, far more
// steadily than the wall clock.
func threadCPUTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// processCPUTime is the CPU time all of the process's threads have used:
// a multi-threaded run's work, the helpers' spinning at barriers
// included.
func processCPUTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
