package native

import (
	"math/rand/v2"
	"testing"
)

// TestTapKernels compares each instruction set's tap micro-kernel with
// tapKernelRef: offsets in any order (a tap table's rows are planes and
// shifts), acc on and off, and NaN guards around the tile.
func TestTapKernels(t *testing.T) {
	withISA(t, func(t *testing.T) {
		if active.tapGemm.f == nil {
			t.Skipf("%s has no tap kernel: grouped convolutions use convStep", active.name)
		}
		for _, k := range []tapKernel{active.tapGemm, active.tapNarrow} {
			if k.f != nil {
				checkTapKernel(t, k)
			}
		}
	})
}

func checkTapKernel(t *testing.T, k tapKernel) {
	mr, nr := k.mr, k.nr
	r := rand.New(rand.NewPCG(5, 6))
	for _, kc := range []int{0, 1, 2, 9, 36, 100, 256} {
		for _, acc := range []bool{false, true} {
			bLen := 500 + r.IntN(300)
			b := randomSlice(r, bLen+nr)
			offs := make([]int32, kc)
			for i := range offs {
				offs[i] = int32(r.IntN(bLen))
			}
			a := randomSlice(r, kc*mr)
			ldc := nr + r.IntN(20)
			c, all := guarded(mr * ldc)
			for i := range c {
				if i%ldc < nr {
					c[i] = float32(r.NormFloat64())
				}
			}
			want := append([]float32(nil), c...)
			tapKernelRef(mr, nr, kc, a, b, offs, want, ldc, acc)
			var a0 *float32
			if kc > 0 {
				a0 = &a[0]
			}
			var o0 *int32
			if kc > 0 {
				o0 = &offs[0]
			}
			k.f(kc, a0, &b[0], o0, &c[0], ldc, acc)
			checkGuards(t, k.name, all, mr*ldc)
			for i := range c {
				if i%ldc >= nr {
					if c[i] == c[i] { // NaN columns outside the tile stay NaN
						t.Fatalf("kc %d: column %d outside the tile written", kc, i%ldc)
					}
					continue
				}
				if !closeTo(c[i], want[i], float32(kc)*4+4) {
					t.Fatalf("%s: kc %d acc %v: c[%d] = %v, want %v", k.name, kc, acc, i, c[i], want[i])
				}
			}
		}
	}
}

// TestTapConvMatchesReference runs grouped stride-1 convolutions, which
// the builder gives to tapConvStep where the instruction set has a tap
// kernel, against convRef: ResNeXt's and RegNet's groups, output channels
// per group that are not a multiple of the tile, k-blocked reductions,
// dilations, uneven and missing padding, maps narrower than the tile and
// row blocks that do not divide the map.
func TestTapConvMatchesReference(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		shapes := []window{
			{C: 128, H: 12, W: 12, M: 128, KH: 3, KW: 3, PT: 1, PL: 1, PB: 1, PR: 1, G: 32},
			{C: 64, H: 9, W: 9, M: 64, KH: 3, KW: 3, PT: 1, PL: 1, PB: 1, PR: 1, G: 8},
			{C: 96, H: 11, W: 7, M: 96, KH: 3, KW: 3, PT: 1, PL: 1, PB: 1, PR: 1, G: 2},
			{C: 36, H: 5, W: 40, M: 60, KH: 3, KW: 3, PT: 1, PL: 1, PB: 1, PR: 1, G: 3},
			{C: 300, H: 4, W: 5, M: 20, KH: 3, KW: 3, PT: 1, PL: 1, PB: 1, PR: 1, G: 2}, // k-blocks
			{C: 16, H: 13, W: 13, M: 16, KH: 3, KW: 3, DH: 2, DW: 2, PT: 2, PL: 2, PB: 2, PR: 2, G: 4},
			{C: 12, H: 6, W: 9, M: 18, KH: 2, KW: 3, PT: 0, PL: 2, PB: 1, PR: 0, G: 3},
			{C: 8, H: 7, W: 3, M: 8, KH: 3, KW: 3, G: 2}, // no padding
			{C: 8, H: 1, W: 1, M: 8, KH: 1, KW: 1, G: 2},
			{C: 10, H: 30, W: 70, M: 10, KH: 1, KW: 3, PL: 1, PR: 1, G: 5},
		}
		for _, g := range shapes {
			g.SH, g.SW = 1, 1
			g.DH, g.DW = max(g.DH, 1), max(g.DW, 1)
			g.OH = (g.H+g.PT+g.PB-g.DH*(g.KH-1)-1)/g.SH + 1
			g.OW = (g.W+g.PL+g.PR-g.DW*(g.KW-1)-1)/g.SW + 1
			if active.tapGemm.f != nil {
				s, _ := convStepFor(g, &tensor{elems: g.C * g.H * g.W}, &tensor{elems: g.M * g.OH * g.OW},
					make([]float32, g.M*g.C/g.G*g.KH*g.KW), epilogue{}, 1, false, false)
				if _, ok := s.(*tapConvStep); !ok {
					t.Fatalf("%+v: the builder chose %T, want *tapConvStep", g, s)
				}
			}
			for _, threads := range []int{1, 3} {
				checkConvBatch(t, r, g, threads, 2, true)
			}
		}
	})
}
