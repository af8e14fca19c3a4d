package native

import (
	"syscall"
	"testing"
	"unsafe"
)

// TestRowKernelsStayInBounds runs the gather, max and dot kernels of each
// instruction set on slices that end where an unmapped page begins: a
// kernel that reads one float past its slice (a vector block run past the
// end) crashes the test rather than reading a neighbour's memory.
func TestRowKernelsStayInBounds(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	floats := unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), page/4)
	// tail is the last n floats before the unmapped page.
	tail := func(n int) []float32 { return floats[len(floats)-n:] }
	withISA(t, func(t *testing.T) {
		for n := 1; n <= 70; n++ {
			src := tail(2*n - 1)
			for i := range src {
				src[i] = float32(i)
			}
			dst := make([]float32, n)
			gatherStride2(dst, src)
			if dst[n-1] != float32(2*n-2) {
				t.Fatalf("n=%d: gathered %v last, want %d", n, dst[n-1], 2*n-2)
			}
			d := make([]float32, n)
			maxInto(d, tail(n))
			x := tail(n)
			w := make([]float32, 4*n)
			out := make([]float32, 4)
			fcRows(w, nil, x, out, 0, 4)
			// And the weights at the page's end.
			fcRows(tail(4*n), nil, make([]float32, n), out, 0, 4)
		}
	})
}
