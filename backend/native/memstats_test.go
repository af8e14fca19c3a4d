package native

import (
	"runtime"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// TestMemoryStats: a Program's own accounting holds every weight once
// (packing pads the strips, so at least the parameters' bytes and not
// twice them), an arena that fits the largest activation, and scratch.
func TestMemoryStats(t *testing.T) {
	g := build(t, "cifar_resnet20", nil)
	p, err := Compile(g, testWeights(g, 1), Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	m := p.MemoryStats()
	var convWeights, largest int64
	for _, n := range g.Nodes {
		largest = max(largest, n.Shape.Elems())
		for _, prm := range n.Params {
			if n.Op == ir.OpConv && prm.Role == ir.RoleWeight {
				convWeights += prm.Size()
			}
		}
	}
	total := g.Stats().Total
	if m.Weights < 4*convWeights || m.Weights > 2*4*total {
		t.Errorf("weights %d bytes; the convolutions have %d bytes, all parameters %d", m.Weights, 4*convWeights, 4*total)
	}
	if m.ArenaPerImage < 4*largest {
		t.Errorf("arena %d bytes per image; the largest activation is %d", m.ArenaPerImage, 4*largest)
	}
	if m.ScratchPerWorker <= 0 || m.Threads != 2 {
		t.Errorf("scratch %d bytes per worker, %d threads; want some, 2", m.ScratchPerWorker, m.Threads)
	}
	if got, want := m.Run(8), 8*m.ArenaPerImage+2*m.ScratchPerWorker; got != want {
		t.Errorf("Run(8) = %d, want %d", got, want)
	}
	t.Logf("cifar_resnet20: %d parameters; weights %d B, arena %d B per image, scratch %d B per worker", total, m.Weights, m.ArenaPerImage, m.ScratchPerWorker)
}

// TestCompileCollects: compiling a model with more weights than
// collectEvery collects the garbage of its fetched parameters as it goes
// (a collection per collectEvery bytes, at least), and returns the free
// pages to the system at the end, so that a first Run's arena does not
// come on top of them.
func TestCompileCollects(t *testing.T) {
	g := build(t, "resnet18", nil)
	w := weights.Stream(g, 1) // as resc streams its initial weights: each fetched slice is garbage once packed
	var fetched int64
	for _, p := range g.SourceParams() {
		fetched += 4 * p.Size()
	}
	if fetched < 2*collectEvery {
		t.Fatalf("resnet18 has %d bytes of parameters; the test wants more than %d", fetched, 2*collectEvery)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p, err := Compile(g, w, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n, want := after.NumGC-before.NumGC, uint32(fetched/collectEvery); n < want {
		t.Errorf("%d collections while compiling %d bytes of parameters; want at least %d", n, fetched, want)
	}
	// Without the release about collectEvery stays (14 MB), with it 0.1 MB.
	if kept := after.HeapIdle - after.HeapReleased; kept > collectEvery/4 {
		t.Errorf("compiling left %d bytes of free heap with the process; want them returned to the system", kept)
	}
	runtime.KeepAlive(p)
}
