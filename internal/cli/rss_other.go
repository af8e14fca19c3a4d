//go:build !unix

package cli

import "os"

// peakRSSKiB is unknown here: bench --memory says so.
func peakRSSKiB(*os.ProcessState) int64 { return 0 }

func selfPeakRSSKiB() int64 { return 0 }
