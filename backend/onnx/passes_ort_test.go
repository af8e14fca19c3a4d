package onnx

import (
	"fmt"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/ir/irtest"
)

// TestRandomGraphsInOnnxruntime exports random networks (irtest.Random) as
// written and after -O2 and runs both in onnxruntime: the outputs must
// agree, and every export must load.
func TestRandomGraphsInOnnxruntime(t *testing.T) {
	for seed := range uint64(testenv.Count(100)) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
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
