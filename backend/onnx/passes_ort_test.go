package onnx

import (
	"math"
	"math/rand/v2"
	"testing"

	"resc/compiler"
	"resc/internal/testenv"
	"resc/internal/weights"
	"resc/ir"
)

// statsWeights is the reference initialisation with batch norms away from
// the identity and non-zero biases, so that every fold changes values:
// γ in [0.05, 0.15) (small, to keep cifar_resnet1202 finite), β, the
// running mean and biases N(0, 0.1²), the running variance in [0.5, 1.5).
func statsWeights(g *ir.Graph, seed uint64) weights.Set {
	w := weights.Init(g, seed)
	r := rand.New(rand.NewPCG(seed, 2))
	for _, p := range g.SourceParams() {
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
	return w
}

// TestPassesKeepOutputsInOnnxruntime exports every stdlib model as
// written and again after each pass of -O2 that rewrote it, runs each
// export in onnxruntime, and requires the outputs to stay within 1e-4 of
// the model as written, relative to its largest output.
func TestPassesKeepOutputsInOnnxruntime(t *testing.T) {
	models, err := compiler.StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		t.Run(m.Name, func(t *testing.T) {
			args := testenv.SmallArgs(t, m.Name)
			g0 := build(t, m.Name, args)
			w := statsWeights(g0, 3)
			x, shape := randomInput(g0, 2, 5)
			want, _, err := session(t, g0, w, Options{}).Run(x, shape)
			if err != nil {
				t.Fatal(err)
			}
			bound := 1e-4*maxAbs(want) + 1e-6
			g := build(t, m.Name, args)
			for _, p := range ir.Passes {
				n, err := p.Apply(g)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					continue
				}
				got, _, err := session(t, g, w, Options{}).Run(x, shape)
				if err != nil {
					t.Fatalf("after %s: %v", p.Name, err)
				}
				if d := maxDiff(got, want); d > bound {
					t.Fatalf("after %s: outputs differ by %g (bound %g)", p.Name, d, bound)
				}
			}
		})
	}
}

func maxAbs(v []float32) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

// maxDiff is max |a−b|, +Inf for NaNs or different lengths.
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
