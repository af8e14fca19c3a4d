package native

import (
	"testing"

	"github.com/resc-dev/resc/ir"
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
