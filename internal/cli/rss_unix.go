//go:build unix

package cli

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSSKiB is the peak resident memory of an exited child, in KiB, or 0
// where it is not known.
func peakRSSKiB(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return maxrssKiB(ru.Maxrss)
}

// selfPeakRSSKiB is this process's peak resident memory so far, in KiB.
func selfPeakRSSKiB() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return maxrssKiB(ru.Maxrss)
}

// maxrssKiB converts ru_maxrss to KiB: Linux and the BSDs count KiB,
// macOS bytes.
func maxrssKiB(v int64) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return v / 1024
	}
	return v
}
