//go:build unix

package cli

import (
	"os"
	"runtime"
	"strconv"
	"strings"
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

// selfPeakRSSKiB is this process's peak resident memory so far, in KiB:
// on Linux its memory's high-water mark (VmHWM), elsewhere its rusage.
// Linux's rusage is no good for a child of resc: Go starts a child sharing
// its parent's memory until the exec (vfork), and the exec counts that
// memory's peak into the child's ru_maxrss, so a child would never
// report less than its parent's peak.
func selfPeakRSSKiB() int64 {
	if kib := vmHWMKiB(); kib > 0 {
		return kib
	}
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

// vmHWMKiB is the VmHWM line of /proc/self/status, or 0 where there is
// none.
func vmHWMKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kib
		}
	}
	return 0
}
