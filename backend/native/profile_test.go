package native

import (
	"testing"

	"github.com/resc-dev/resc/ir"
)

// TestRunProfiled: a profiled run computes what Run does, and its profile
// names every step's node once, counts the model's MACs and the runs, and
// times every step.
func TestRunProfiled(t *testing.T) {
	g := build(t, "cifar_resnet20", nil)
	if err := ir.Optimize(g, ir.MaxLevel); err != nil {
		t.Fatal(err)
	}
	w := testWeights(g, 1)
	x := randomInput(g, 2, 1)
	p, err := Compile(g, w, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := runModel(t, g, w, Options{Threads: 2}, x, 2)
	prof := p.Profile()
	got := make([]float32, len(want))
	for range 3 {
		if err := p.RunProfiled(x, 2, [][]float32{got}, prof); err != nil {
			t.Fatal(err)
		}
	}
	if d := maxDiff(got, want); d != 0 {
		t.Fatalf("profiled outputs differ from Run's by %g", d)
	}
	var macs int64
	seen := map[string]bool{}
	for _, s := range prof {
		if s.Runs != 3 || s.Time <= 0 || s.Node == "" || s.Op == "" || seen[s.Node] {
			t.Fatalf("step %+v: want a distinct node timed over 3 runs", s)
		}
		seen[s.Node] = true
		macs += s.MACs
	}
	if total := g.Stats().MACs; macs != total {
		t.Errorf("the steps count %d MACs, the graph %d", macs, total)
	}
	if err := p.RunProfiled(x, 2, [][]float32{got}, prof[1:]); err == nil {
		t.Error("a profile of the wrong length was accepted")
	}
}
