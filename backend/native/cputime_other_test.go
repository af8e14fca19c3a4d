//go:build !linux

package native

import "time"

// threadCPUTime is unknown here: the benchmarks report wall-clock rates
// only.
func threadCPUTime() time.Duration { return 0 }

// processCPUTime is unknown here too.
func processCPUTime() time.Duration { return 0 }
