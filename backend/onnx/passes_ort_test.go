package onnx

import (
	"fmt"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/ir/irtest"
)

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
			w := testenv.StatsWeights(g0, 3)
			x, shape := randomInput(g0, 2, 5)
			want, _, err := session(t, g0, w, Options{}).Run(x, shape)
			if err != nil {
				t.Fatal(err)
			}
			bound := 1e-4*testenv.MaxAbs(want) + 1e-6
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
				if d := testenv.MaxDiff(got, want); d > bound {
					t.Fatalf("after %s: outputs differ by %g (bound %g)", p.Name, d, bound)
				}
			}
		})
	}
}

// TestRandomGraphsInOnnxruntime exports random networks (irtest.Random) as
// written and after -O2 and runs both in onnxruntime: the outputs must
// agree, and every export must load.
func TestRandomGraphsInOnnxruntime(t *testing.T) {
	for seed := range uint64(100) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			g0 := irtest.Random(seed)
			w := testenv.StatsWeights(g0, seed)
			x, shape := randomInput(g0, 2, seed)
			want, _, err := session(t, g0, w, Options{}).Run(x, shape)
			if err != nil {
				t.Fatal(err)
			}
			g := irtest.Random(seed)
			if err := ir.Optimize(g, ir.MaxLevel); err != nil {
				t.Fatal(err)
			}
			got, _, err := session(t, g, w, Options{}).Run(x, shape)
			if err != nil {
				t.Fatalf("-O2: %v", err)
			}
			if d, bound := testenv.MaxDiff(got, want), 1e-4*testenv.MaxAbs(want)+1e-5; d > bound {
				t.Fatalf("-O2 changes the outputs by %g (bound %g)", d, bound)
			}
		})
	}
}
