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

// TestMaxInto runs each instruction set's elementwise max against Go's
// max for every length up to 40, on values that include NaNs, infinities
// and zeros of both signs, inside NaN guard bands.
func TestMaxInto(t *testing.T) {
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 1, -1}
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for n := range 41 {
			src, d0 := randomSlice(r, n), randomSlice(r, n)
			for i := range n {
				if r.IntN(3) == 0 {
					src[i] = special[r.IntN(len(special))]
				}
				if r.IntN(3) == 0 {
					d0[i] = special[r.IntN(len(special))]
				}
			}
			dst, all := guarded(n)
			copy(dst, d0)
			maxInto(dst, src)
			checkGuards(t, active.name, all, n)
			for i := range n {
				want := max(d0[i], src[i])
				if math.Float32bits(dst[i]) != math.Float32bits(want) && !(want != want && dst[i] != dst[i]) {
					t.Fatalf("n=%d: max(%v, %v) = %v, want %v", n, d0[i], src[i], dst[i], want)
				}
			}
		}
	})
}

// TestPoolsMatchReference runs the max and average pools of each
// instruction set against poolRef on random windows (strides 1 to 3, rows
// long enough for several vector blocks and their tails, ResNet's stem
// pool and ResNeSt's 3×3/2 and 2×2/2 average pools among them): both
// sum or compare in the reference's order, so every output must be the
// reference's, bit for bit, with NaNs, signed zeros and infinities in a
// third of the inputs (any NaN matches a NaN; a NaN sends the AVX-512
// stem pool kernel's rows back to the exact path).
func TestPoolsMatchReference(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		for i := range 600 {
			isMax, countPad := i%2 == 0, r.IntN(2) == 0
			g := window{C: 1 + r.IntN(3), H: 1 + r.IntN(40), W: 1 + r.IntN(70), KH: 1 + r.IntN(4), KW: 1 + r.IntN(4),
				SH: 1 + r.IntN(3), SW: 1 + r.IntN(3), DH: 1, DW: 1, G: 1}
			switch i {
			case 0:
				g = window{C: 2, H: 112, W: 112, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}
			case 1:
				g = window{C: 2, H: 56, W: 56, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}
			case 3:
				g = window{C: 2, H: 28, W: 28, KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1, G: 1}
			case 5, 7:
				// Keras's ResNet V2 shortcut subsamples, at an even and
				// an odd size.
				g = window{C: 2, H: 14 + i%3, W: 14 + i%3, KH: 1, KW: 1, SH: 2, SW: 2, DH: 1, DW: 1, G: 1}
			default:
				g.PT, g.PL = r.IntN(g.KH), r.IntN(g.KW)
				g.PB, g.PR = r.IntN(g.KH), r.IntN(g.KW)
			}
			g.M = g.C
			g.OH = (g.H+g.PT+g.PB-g.DH*(g.KH-1)-1)/g.SH + 1
			g.OW = (g.W+g.PL+g.PR-g.DW*(g.KW-1)-1)/g.SW + 1
			if g.OH < 1 || g.OW < 1 {
				continue
			}
			x := randomSlice(r, g.C*g.H*g.W)
			if i%3 == 2 {
				// Values where max semantics differ: NaN wins, +0 beats −0.
				specials := []float32{float32(math.NaN()), float32(math.Copysign(0, -1)), 0, float32(math.Inf(-1)), float32(math.Inf(1))}
				for range 1 + len(x)/50 {
					x[r.IntN(len(x))] = specials[r.IntN(len(specials))]
				}
			}
			got, want := make([]float32, g.C*g.OH*g.OW), make([]float32, g.C*g.OH*g.OW)
			plane, oplane := g.H*g.W, g.OH*g.OW
			scratch := make([]float32, poolScratch(&g))
			for c := range g.C {
				poolPlane(&g, isMax, countPad, x[c*plane:(c+1)*plane], got[c*oplane:(c+1)*oplane], scratch)
			}
			poolRef(&g, isMax, countPad, x, want)
			for j := range want {
				// A NaN is any NaN: the kernels may combine its bits with others'.
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) && !(got[j] != got[j] && want[j] != want[j]) {
					t.Fatalf("%+v max %v count-pad %v: output %d is %v, want %v", g, isMax, countPad, j, got[j], want[j])
				}
			}
		}
	})
}

// TestGather2Span runs each instruction set's gather2Span on random row
// widths up to 130 (chunks of 16 and tails), padding columns on either
// side, spans starting anywhere in a row and ending anywhere in a later
// one, stride-2 rows apart: every value in place, the padding zero,
// nothing written past the span.
func TestGather2Span(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		for range 400 {
			ow := 1 + r.IntN(130)
			lo := min(ow, r.IntN(3))
			hi := max(lo, ow-r.IntN(3))
			if r.IntN(10) == 0 {
				hi = lo // rows of padding only
			}
			x0 := r.IntN(ow)
			n := 1 + r.IntN(4*ow)
			rows := (x0 + n + ow - 1) / ow
			stride := 2*ow + r.IntN(7)
			src := randomSlice(r, (rows-1)*stride+2*max(0, hi-1-lo)+1)
			dst, all := guarded(n)
			gather2Span(dst, src, x0, ow, lo, hi, stride)
			checkGuards(t, active.name, all, n)
			for i := range n {
				row, j := (x0+i)/ow, (x0+i)%ow
				want := float32(0)
				if j >= lo && j < hi {
					want = src[row*stride+2*(j-lo)]
				}
				if got := dst[i]; got != want {
					t.Fatalf("ow=%d [%d,%d) from %d, %d values: value %d (row %d column %d) is %v, want %v",
						ow, lo, hi, x0, n, i, row, j, got, want)
				}
			}
		}
	})
}
