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
// grow to twice what is live before it collects (GOGC=100): a Program of
// 100 MB of weights peaked at 200 MB while it compiled, more than its whole
// first Run needs besides. Collecting every few tens of MB keeps the
// garbage to about that much; the collections cost little, the packed
// weights holding no pointers to scan.
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
