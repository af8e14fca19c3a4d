package native

import (
	"github.com/resc-dev/resc/internal/testenv"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// build elaborates stdlib model name with args.
func build(t testing.TB, name string, args map[string]string) *ir.Graph {
	return testenv.Build(t, name, args)
}

// testWeights are the reference initialisation with non-trivial batch
// norms and biases (testenv.StatsWeights).
func testWeights(g *ir.Graph, seed uint64) weights.Set { return testenv.StatsWeights(g, seed) }

// randomInput is batch images of N(0, 1) values in g's input shape.
func randomInput(g *ir.Graph, batch int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, batch*int(g.Input.Shape.Elems()))
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func randomSlice(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

var (
	maxAbs  = testenv.MaxAbs
	maxDiff = testenv.MaxDiff
)

// run compiles g with opts and runs it on x.
func runModel(t testing.TB, g *ir.Graph, w weights.Source, opts Options, x []float32, batch int) []float32 {
	t.Helper()
	p, err := Compile(g, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Outputs) > 1 {
		// Every output, one after the other (the FPN backbone's five).
		outs := make([][]float32, len(g.Outputs))
		for i, o := range g.Outputs {
			outs[i] = make([]float32, batch*int(o.Node.Shape.Elems()))
		}
		if err := p.RunOutputs(x, batch, outs); err != nil {
			t.Fatal(err)
		}
		return slices.Concat(outs...)
	}
	out := make([]float32, batch*int(g.Outputs[0].Node.Shape.Elems()))
	if err := p.Run(x, batch, out); err != nil {
		t.Fatal(err)
	}
	return out
}
