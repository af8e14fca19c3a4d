package native

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRowKernels runs each instruction set's row kernels on random
// lengths (vector blocks and tails): scaleRow bit for bit the product
// rounded and then the sum, with and without the addend, in place over
// its source or its addend too, never writing past the row; addRow bit
// for bit, in place too; sum within float64 rounding of the exact sum.
func TestRowKernels(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(51, 52))
		for range 300 {
			n := r.IntN(200)
			src, add := randomSlice(r, n), randomSlice(r, n)
			k := float32(r.NormFloat64())
			want := make([]float32, n)
			withAdd := r.IntN(2) == 0
			for i, v := range src {
				want[i] = v * k
				if withAdd {
					want[i] = float32(v*k) + add[i]
				}
			}
			dst := make([]float32, n+1)
			dst[n] = nan
			var a []float32
			if withAdd {
				a = add
			}
			switch r.IntN(3) {
			case 0:
				scaleRow(dst[:n], src, k, a)
			case 1: // in place over the source
				copy(dst, src)
				scaleRow(dst[:n], dst[:n], k, a)
			default: // in place over the addend
				if withAdd {
					copy(dst, add)
					a = dst[:n]
				}
				scaleRow(dst[:n], src, k, a)
			}
			for i, w := range want {
				if math.Float32bits(dst[i]) != math.Float32bits(w) {
					t.Fatalf("scaleRow, %d values, add %v: value %d is %v, want %v", n, withAdd, i, dst[i], w)
				}
			}
			if !math.IsNaN(float64(dst[n])) {
				t.Fatalf("scaleRow, %d values: wrote past the row", n)
			}

			sum2 := make([]float32, n+1)
			sum2[n] = nan
			switch r.IntN(3) {
			case 0:
				addRow(sum2[:n], src, add)
			case 1:
				copy(sum2, src)
				addRow(sum2[:n], sum2[:n], add)
			default:
				copy(sum2, add)
				addRow(sum2[:n], src, sum2[:n])
			}
			for i, v := range src {
				if w := v + add[i]; math.Float32bits(sum2[i]) != math.Float32bits(w) {
					t.Fatalf("addRow, %d values: value %d is %v, want %v", n, i, sum2[i], w)
				}
			}
			if !math.IsNaN(float64(sum2[n])) {
				t.Fatalf("addRow, %d values: wrote past the row", n)
			}

			var exact, mag float64
			for _, v := range src {
				exact += float64(v)
				mag += math.Abs(float64(v))
			}
			if got := sum(src); math.Abs(got-exact) > 1e-12*mag {
				t.Fatalf("sum of %d values is %v, want %v", n, got, exact)
			}
		}
	})
}
