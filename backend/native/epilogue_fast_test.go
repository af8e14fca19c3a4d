package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"resc/ir"
)

// TestAffineFast checks the assembly epilogue against the formula on
// every tail length, with and without a residual and a relu, and that a
// NaN stays a NaN through the relu as it does unfused.
func TestAffineFast(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for n := 0; n < 40; n++ {
		for _, withRes := range []bool{false, true} {
			for _, relu := range []bool{false, true} {
				src, res := randomSlice(r, n), randomSlice(r, n)
				if n > 3 {
					src[n-2] = float32(math.NaN())
				}
				if !withRes {
					res = nil
				}
				b, sc, sh := float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
				dst := make([]float32, n)
				if !affineFast(dst, src, res, b, sc, sh, relu) {
					t.Skip("no assembly epilogue on this machine")
				}
				act := ir.ActNone
				if relu {
					act = ir.ActRelu
				}
				for i, v := range src {
					x := v + b
					if res != nil {
						x += res[i]
					}
					want := act.Apply(x*sc + sh)
					if got := dst[i]; got != want && !(math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
						t.Fatalf("n=%d res=%v relu=%v: dst[%d] = %v, want %v", n, withRes, relu, i, got, want)
					}
				}
			}
		}
	}
}
