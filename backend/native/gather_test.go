package native

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGatherStride2 runs each instruction set's stride-2 gather against
// the Go loop for every length up to 70 (whole blocks, tails, and lengths
// where the last block would run past src), from sources exactly
// 2n−1 values long, inside NaN guard bands.
func TestGatherStride2(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for n := range 71 {
			src := randomSlice(r, max(0, 2*n-1))
			dst, all := guarded(n)
			gatherStride2(dst, src)
			checkGuards(t, active.name, all, n)
			for i := range n {
				if math.Float32bits(dst[i]) != math.Float32bits(src[2*i]) {
					t.Fatalf("n=%d: dst[%d] = %v, want %v", n, i, dst[i], src[2*i])
				}
			}
		}
	})
}
