package native

import (
	"math"
	"math/rand/v2"
	"resc/internal/testenv"
	"testing"

	"resc/internal/weights"
	"resc/ir"
)

// build elaborates stdlib model name with args.
func build(t testing.TB, name string, args map[string]string) *ir.Graph {
	return testenv.Build(t, name, args)
}

// testWeights are the reference initialisation with non-trivial batch
// norms and biases: γ in [0.05, 0.15) (small, so that the residual sum stays
// finite through cifar_resnet1202's 600 blocks), β and the running mean
// N(0, 0.1²), the running variance in [0.5, 1.5), every bias N(0, 0.1²).
func testWeights(g *ir.Graph, seed uint64) weights.Set {
	w := weights.Init(g, seed)
	r := rand.New(rand.NewPCG(seed, 2))
	for _, n := range g.Nodes {
		for _, p := range n.Params {
			v := w[p.Name]
			for i := range v {
				switch p.Role {
				case ir.RoleGamma:
					v[i] = float32(0.05 + 0.1*r.Float64())
				case ir.RoleBeta, ir.RoleMean, ir.RoleBias:
					v[i] = float32(0.1 * r.NormFloat64())
				case ir.RoleVar:
					v[i] = float32(0.5 + r.Float64())
				}
			}
		}
	}
	return w
}

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

// maxAbs is max |v|.
func maxAbs(v []float32) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

// maxDiff is max |a−b|, +Inf where either is NaN or the lengths differ.
func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		m = math.Max(m, d)
	}
	return m
}

// run compiles g with opts and runs it on x.
func runModel(t testing.TB, g *ir.Graph, w weights.Source, opts Options, x []float32, batch int) []float32 {
	t.Helper()
	p, err := Compile(g, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, batch*int(g.Output.Shape.Elems()))
	if err := p.Run(x, batch, out); err != nil {
		t.Fatal(err)
	}
	return out
}
