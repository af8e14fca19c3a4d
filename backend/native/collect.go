package native

import (
	"runtime"
	"runtime/debug"
)

// collectEvery is how many bytes of parameters Compile fetches between
// garbage collections.
//
// Compile asks the source for each parameter's values, packs or copies
// them and drops them, so that what it fetches becomes garbage as fast as
// the Program's own copy grows. Left to itself the collector lets the heap
// grow to twice what is live before it collects (GOGC=100): resnet50, 97
// MiB of packed weights, peaked at about 210 MiB of resident memory while
// it compiled and 270 at its first Run of 8 images, whose arena came on
// top of the garbage. Collecting every 16 MiB, and returning the free
// pages at the end, brings both to about 170 (resc bench --memory). The
// collections cost little, the packed weights holding no pointers to
// scan: no difference in Compile's CPU time showed through the noise.
const collectEvery = 16 << 20

// collect counts n bytes of parameters fetched and collects the garbage
// when collectEvery have been since the last time.
func (c *builder) collect(n int64) {
	c.fetched += n
	c.fetchedAll += n
	if c.fetched >= collectEvery {
		runtime.GC()
		c.fetched = 0
	}
}

// release collects what compiling left and returns its pages to the
// operating system, so that the first Run's arena is not added on top of
// them. Small Programs skip it: there is little to return, and the tests
// compile thousands of them.
func (c *builder) release() {
	if c.fetchedAll >= collectEvery {
		debug.FreeOSMemory()
	}
}
