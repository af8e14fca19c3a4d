package native

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/ir/irtest"
	"github.com/resc-dev/resc/weights"
)

// foldWeights fills every source parameter of g with values that make
// each fold visible: batch norms away from the identity, biases non-zero.
func foldWeights(g *ir.Graph, seed uint64) weights.Set {
	r := rand.New(rand.NewPCG(seed, 3))
	w := weights.Set{}
	for _, p := range g.SourceParams() {
		v := make([]float32, p.Size())
		for i := range v {
			switch p.Role {
			case ir.RoleGamma:
				v[i] = float32(0.5 + r.Float64())
			case ir.RoleVar:
				v[i] = float32(0.5 + r.Float64())
			case ir.RoleWeight:
				v[i] = float32(r.NormFloat64() * 0.3)
			default:
				v[i] = float32(0.3 * r.NormFloat64())
			}
		}
		w[p.Name] = v
	}
	return w
}

// TestPassCasesNumerically runs each pass case natively before and after
// its pass: the outputs must agree.
func TestPassCasesNumerically(t *testing.T) {
	for _, c := range irtest.Cases {
		t.Run(c.Pass+"/"+c.Name, func(t *testing.T) {
			g0 := c.Build()
			w := foldWeights(g0, 1)
			x := randomInput(g0, 2, 2)
			want := runModel(t, g0, w, Options{}, x, 2)
			g := c.Build()
			for _, name := range append(c.Before, c.Pass) {
				p, _ := ir.LookupPass(name)
				if _, err := p.Apply(g); err != nil {
					t.Fatal(err)
				}
			}
			got := runModel(t, g, w, Options{}, x, 2)
			if d, bound := maxDiff(got, want), 1e-5*(1+maxAbs(want)); d > bound {
				t.Errorf("after %s: outputs differ by %g (bound %g)", c.Pass, d, bound)
			}
		})
	}
}

// TestPassesKeepModelOutputs runs every stdlib model natively as written
// and after the -O2 pipeline: the outputs must stay within 1e-4 of the
// graph as written, relative to the output's largest magnitude. Only when
// they do not does it replay the pipeline pass by pass, running the model
// after each pass that rewrote something, to name the pass that broke it:
// one run per model rather than one per pass keeps the check to a third of
// the time (every model, most of this package's test time).
func TestPassesKeepModelOutputs(t *testing.T) {
	for _, name := range testenv.RunModels(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := testenv.SmallArgs(t, name)
			g0 := build(t, name, args)
			testenv.ReserveParams(t, g0)
			w := testWeights(g0, 5)
			x := randomInput(g0, 2, 6)
			want := runModel(t, g0, w, Options{}, x, 2)
			bound := 1e-4*maxAbs(want) + 1e-6
			g := build(t, name, args)
			if err := ir.Optimize(g, ir.MaxLevel); err != nil {
				t.Fatal(err)
			}
			if len(g.Nodes) >= len(g0.Nodes) {
				t.Errorf("-O2 left %d of %d nodes", len(g.Nodes), len(g0.Nodes))
			}
			got := runModel(t, g, w, Options{}, x, 2)
			d := maxDiff(got, want)
			if d <= bound {
				return
			}
			t.Errorf("after -O2: outputs differ by %g (bound %g)", d, bound)
			g = build(t, name, args)
			for _, p := range ir.Passes {
				if n, err := p.Apply(g); err != nil {
					t.Fatal(err)
				} else if n == 0 {
					continue
				}
				got := runModel(t, g, w, Options{}, x, 2)
				if d := maxDiff(got, want); d > bound {
					t.Fatalf("the first pass after which they differ is %s (by %g)", p.Name, d)
				}
			}
		})
	}
}

// TestRandomGraphsNumerically runs random networks (irtest.Random) as
// written and after -O2: the passes must not change their outputs.
func TestRandomGraphsNumerically(t *testing.T) {
	for seed := range uint64(testenv.Count(300)) {
		g0 := irtest.Random(seed)
		w := foldWeights(g0, seed)
		x := randomInput(g0, 2, seed)
		want := runModel(t, g0, w, Options{}, x, 2)
		g := irtest.Random(seed)
		if err := ir.Optimize(g, ir.MaxLevel); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		got := runModel(t, g, w, Options{}, x, 2)
		if d, bound := maxDiff(got, want), 1e-4*maxAbs(want)+1e-5; d > bound {
			var b strings.Builder
			g.Dump(&b)
			t.Fatalf("seed %d: -O2 changes the outputs by %g (bound %g):\n%s", seed, d, bound, b.String())
		}
	}
}
