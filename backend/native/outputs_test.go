package native

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// TestSeveralOutputs runs graphs with several outputs: one read later by
// other nodes (an elementwise one that would otherwise write over it), two
// outputs naming one node, an output that is a Slice and one that is a
// view, at batch 1 and 3 on one thread and two, against each output
// computed as the only output of its own graph.
func TestSeveralOutputs(t *testing.T) {
	const c, h, w = 5, 6, 7
	b, x := newGraph(t, "multi", c, h, w)
	pre := b.scaleShift("pre", "pre", ir.ActNone, x)
	post := b.node(ir.OpRelu, "post", ir.Attrs{}, pre)
	conv := b.conv("conv", convGeom{m: 8, k: 3, s: 1, p: 1, g: 1}, ir.Attrs{Bias: true}, post, nil)
	slice := b.node(ir.OpSlice, "slice", ir.Attrs{Begin: 2, End: 5}, conv)
	flat := b.node(ir.OpFlatten, "flat", ir.Attrs{}, b.node(ir.OpGlobalAvgPool, "gap", ir.Attrs{}, conv))
	g := b.g
	g.Outputs = []ir.Output{{Name: "pre", Node: pre}, {Name: "post", Node: post}, {Name: "again", Node: post},
		{Name: "slice", Node: slice}, {Name: "pooled", Node: flat}}
	if err := g.Verify(); err != nil {
		t.Fatal(err)
	}
	ws := fusedWeights(g, 3)

	// Each output alone: the same graph with that one output.
	alone := func(o ir.Output) *ir.Graph {
		one := *g
		one.Outputs = []ir.Output{{Name: o.Name, Node: o.Node}}
		return &one
	}
	for _, batch := range []int{1, 3} {
		xs := randomInput(g, batch, 9)
		for _, threads := range []int{1, 2} {
			p, err := Compile(g, ws, Options{Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			outs := p.Outputs()
			if len(outs) != 5 || outs[3].Name != "slice" || fmt.Sprint(outs[3].Shape) != "[3 6 7]" || outs[4].Elems != 8 {
				t.Fatalf("Outputs() = %+v", outs)
			}
			got := make([][]float32, len(outs))
			for i, o := range outs {
				got[i] = make([]float32, batch*o.Elems)
			}
			if err := p.RunOutputs(xs, batch, got); err != nil {
				t.Fatal(err)
			}
			for i, o := range g.Outputs {
				want := runModel(t, alone(o), ws, Options{Threads: 1, reference: true}, xs, batch)
				if d := maxDiff(got[i], want); d > 1e-5*max(1, maxAbs(want)) {
					t.Errorf("batch %d, %d threads: output %s differs by %g", batch, threads, o.Name, d)
				}
			}
			if !slices.Equal(got[1], got[2]) {
				t.Errorf("two outputs of one node differ")
			}
			// pre is read by post, which would write over it were it not
			// an output.
			for i, v := range got[0] {
				if max(v, 0) != got[1][i] {
					t.Fatalf("post[%d] = %v is not relu(pre) = relu(%v)", i, got[1][i], v)
				}
			}
		}
	}
}

// TestSeveralOutputsErrors: Run refuses a Program with several outputs,
// naming them; RunOutputs checks the number and sizes of its slices.
func TestSeveralOutputsErrors(t *testing.T) {
	b, x := newGraph(t, "two", 2, 3, 3)
	r := b.node(ir.OpRelu, "r", ir.Attrs{}, x)
	s := b.node(ir.OpSigmoid, "s", ir.Attrs{}, x)
	b.g.Outputs = []ir.Output{{Name: "features", Node: r}, {Name: "gates", Node: s}}
	p, err := Compile(b.g, weights.Set{}, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	in := make([]float32, 18)
	err = p.Run(in, 1, make([]float32, 18))
	if err == nil || !strings.Contains(err.Error(), "2 outputs (features, gates)") || !strings.Contains(err.Error(), "RunOutputs") {
		t.Errorf("Run with two outputs: %v", err)
	}
	if err := p.RunOutputs(in, 1, [][]float32{make([]float32, 18)}); err == nil || !strings.Contains(err.Error(), "1 output slices for 2 outputs") {
		t.Errorf("one slice for two outputs: %v", err)
	}
	if err := p.RunOutputs(in, 1, [][]float32{make([]float32, 18), make([]float32, 17)}); err == nil || !strings.Contains(err.Error(), "output gates has room for 17") {
		t.Errorf("a short slice: %v", err)
	}
	out := [][]float32{make([]float32, 18), make([]float32, 18)}
	in[0] = -1
	if err := p.RunOutputs(in, 1, out); err != nil {
		t.Fatal(err)
	}
	if out[0][0] != 0 || math.Abs(float64(out[1][0])-0.26894142) > 1e-7 {
		t.Errorf("relu(-1) = %v, sigmoid(-1) = %v", out[0][0], out[1][0])
	}
	// Running allocates nothing once warm, with several outputs too.
	if n := testing.AllocsPerRun(5, func() { _ = p.RunOutputs(in, 1, out) }); n != 0 {
		t.Errorf("RunOutputs allocates %v times per run", n)
	}
}
