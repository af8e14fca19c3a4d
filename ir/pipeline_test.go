package ir_test

import (
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
)

// TestPipelineOnEveryModel runs every level on every stdlib model with the
// verifier after each pass, then runs -O2 again: the second run must
// change nothing (idempotence), and each level must leave no more nodes
// than the one below.
func TestPipelineOnEveryModel(t *testing.T) {
	for _, name := range testenv.Models(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			prev := -1
			for level := 0; level <= ir.MaxLevel; level++ {
				g := testenv.Build(t, name, nil)
				if err := ir.RunPipeline(g, ir.Options{Level: level, VerifyEach: true}); err != nil {
					t.Fatal(err)
				}
				if prev >= 0 && len(g.Nodes) > prev {
					t.Errorf("-O%d left %d nodes, more than -O%d's %d", level, len(g.Nodes), level-1, prev)
				}
				prev = len(g.Nodes)
				if level < ir.MaxLevel {
					continue
				}
				once := dump(g)
				var timings []ir.Timing
				if err := ir.RunPipeline(g, ir.Options{Level: level, VerifyEach: true, Timings: &timings}); err != nil {
					t.Fatal(err)
				}
				for _, tm := range timings {
					if tm.Rewrites != 0 {
						t.Errorf("second run: %s made %d rewrites", tm.Pass, tm.Rewrites)
					}
				}
				if dump(g) != once {
					t.Error("a second -O2 run changed the graph")
				}
				for _, n := range g.Nodes {
					if n.Op == ir.OpBatchNorm {
						t.Errorf("-O2 left batch norm %s", n.Name)
					}
				}
			}
		})
	}
}
