package native

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkActivations times each activation over 64K values in place, as
// an activation step or an epilogue's second pass applies it, and, as the
// reference measured in the same run, ir.Act.Apply a value at a time
// (actRef: float64 math.Exp and math.Erf for the transcendental ones, as
// the steps ran them before transcend.go; float32 min and max for the
// others, about what the Go loops ran).
func BenchmarkActivations(b *testing.B) {
	x := randomSlice(rand.New(rand.NewPCG(1, 2)), 1<<16)
	for _, act := range allActs[1:] {
		for _, ref := range []bool{false, true} {
			name := act.String()
			if ref {
				name += "/ref"
			}
			b.Run(name, func(b *testing.B) {
				v := append([]float32(nil), x...)
				b.SetBytes(4 << 16)
				for b.Loop() {
					if ref {
						actRef(v, x, act, 0.1)
					} else {
						copy(v, x)
						activate(v, v, act, 0.1)
					}
				}
			})
		}
	}
}
