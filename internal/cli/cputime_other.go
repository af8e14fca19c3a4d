//go:build !unix

package cli

import "time"

// processCPUTime is unknown here; bench prints "-" for it.
func processCPUTime() time.Duration { return 0 }
