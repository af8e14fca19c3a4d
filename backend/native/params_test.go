package native

import (
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"github.com/resc-dev/resc/ir"
)

// TestHugeChunk checks hugeChunk's promise: at least n zeroed, writable
// floats, and on Linux a whole number of huge pages from a huge-page
// boundary.
func TestHugeChunk(t *testing.T) {
	for _, n := range []int{1, 1000, 1<<19 - 1, 1 << 19, 3<<19 + 5} {
		s := hugeChunk(n)
		if len(s) < n {
			t.Fatalf("hugeChunk(%d): %d floats", n, len(s))
		}
		if i := slices.IndexFunc(s, func(v float32) bool { return v != 0 }); i >= 0 {
			t.Fatalf("hugeChunk(%d)[%d] = %v, want 0", n, i, s[i])
		}
		for i := range s {
			s[i] = float32(i)
		}
		if runtime.GOOS != "linux" {
			continue
		}
		if addr := uintptr(unsafe.Pointer(&s[0])); addr%(2<<20) != 0 || len(s)%(1<<19) != 0 {
			t.Fatalf("hugeChunk(%d): %d floats at %#x, want whole 2 MiB pages from a 2 MiB boundary", n, len(s), addr)
		}
	}
}

// bigParams is a step with two parameters, one under hugeParamMin.
type bigParams struct {
	step
	small, large []float32
}

func (s *bigParams) largeParams() []*[]float32 { return []*[]float32{&s.small, &s.large} }

// TestParamStoreAdopt checks that adopt moves exactly the large
// parameters, values intact, each on a cache line of its own, and
// reports their bytes (which Compile counts towards its collections).
func TestParamStoreAdopt(t *testing.T) {
	if !hugePagesAdvised {
		t.Skipf("huge pages are asked for on Linux only; on %s parameters stay put", runtime.GOOS)
	}
	fill := func(n int, seed float32) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = seed + float32(i%1000)
		}
		return v
	}
	var ps paramStore
	var prev []float32
	for i, n := range []int{hugeParamMin, hugeParamMin + 3, paramChunkMin + 1} {
		s := &bigParams{small: fill(hugeParamMin-1, 1), large: fill(n, float32(i))}
		small, large := s.small, s.large
		if moved := ps.adopt(s); moved != 4*int64(n) {
			t.Errorf("step %d: adopt reports %d bytes moved, want %d", i, moved, 4*n)
		}
		if unsafe.SliceData(s.small) != unsafe.SliceData(small) {
			t.Errorf("step %d: the small parameter moved", i)
		}
		if unsafe.SliceData(s.large) == unsafe.SliceData(large) {
			t.Errorf("step %d: the large parameter stayed", i)
		}
		if !slices.Equal(s.large, large) || cap(s.large) != n {
			t.Errorf("step %d: moved %d floats (cap %d), want the %d values as they were", i, len(s.large), cap(s.large), n)
		}
		if addr := uintptr(unsafe.Pointer(unsafe.SliceData(s.large))); addr%64 != 0 {
			t.Errorf("step %d: parameter at %#x, not on a cache line", i, addr)
		}
		if prev != nil && i == 1 {
			// The second fits the first's chunk: it follows it.
			gap := uintptr(unsafe.Pointer(unsafe.SliceData(s.large))) - uintptr(unsafe.Pointer(unsafe.SliceData(prev)))
			if gap != uintptr(len(prev)+15)&^15*4 {
				t.Errorf("step 1 starts %d bytes after step 0's %d floats", gap, len(prev))
			}
		}
		prev = s.large
	}
}

// TestHugeParamsKeepOutputs runs resnet18, whose late layers' weights
// are megabytes each, with its large parameters moved and where its
// steps put them: the outputs must be bit for bit the same, and the
// move must have happened.
func TestHugeParamsKeepOutputs(t *testing.T) {
	g := build(t, "resnet18", nil)
	if err := ir.Optimize(g, ir.MaxLevel); err != nil {
		t.Fatal(err)
	}
	w := testWeights(g, 3)
	x := randomInput(g, 2, 5)
	var outs [2][]float32
	for i, off := range []bool{true, false} {
		p, err := Compile(g, w, Options{Threads: 2, smallPages: off})
		if err != nil {
			t.Fatal(err)
		}
		large, onBoundary := 0, 0
		for _, s := range p.steps {
			if h, ok := s.(paramHolder); ok {
				for _, v := range h.largeParams() {
					if len(*v) >= hugeParamMin {
						large++
						if uintptr(unsafe.Pointer(unsafe.SliceData(*v)))%(2<<20) == 0 {
							onBoundary++
						}
					}
				}
			}
		}
		if large == 0 {
			t.Fatal("resnet18 has no parameter large enough to move")
		}
		// A chunk's first parameter starts on its huge-page boundary.
		if !off && runtime.GOOS == "linux" && onBoundary == 0 {
			t.Fatalf("none of resnet18's %d large parameters starts a huge page: none moved", large)
		}
		outs[i] = make([]float32, 2*p.outElems)
		p.Run(x, 2, outs[i])
	}
	if !slices.Equal(outs[0], outs[1]) {
		t.Fatal("outputs differ with the large parameters on huge pages")
	}
}
