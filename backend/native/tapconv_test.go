package native

import (
	"math/rand/v2"
	"testing"

	"github.com/resc-dev/resc/ir"
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

// TestTapConvMatchesReference runs tapConvStep, whatever the builder would
// choose, against convRef: ResNeXt's and
// RegNet's groups, output channels per group that are not a multiple of
// the tile, reductions in several chunks, dilations, uneven and missing
// padding, strides in one direction only, maps narrower than the tile.
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
			// Stride 2, through the phase planes, grouped or not.
			{C: 64, H: 14, W: 14, M: 64, KH: 3, KW: 3, SH: 2, SW: 2, PT: 1, PL: 1, PB: 1, PR: 1, G: 8},
			{C: 40, H: 15, W: 9, M: 24, KH: 3, KW: 3, SH: 2, SW: 2, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
			{C: 300, H: 6, W: 7, M: 20, KH: 3, KW: 3, SH: 2, SW: 2, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}, // chunks
			{C: 48, H: 14, W: 14, M: 96, KH: 1, KW: 1, SH: 2, SW: 2, G: 1},
			{C: 3, H: 33, W: 31, M: 16, KH: 7, KW: 7, SH: 2, SW: 2, PT: 3, PL: 3, PB: 3, PR: 3, G: 1},
			{C: 12, H: 9, W: 10, M: 12, KH: 3, KW: 2, SH: 2, SW: 1, DH: 2, PT: 2, PL: 0, PB: 1, PR: 1, G: 2},
			{C: 8, H: 8, W: 11, M: 8, KH: 1, KW: 3, SH: 1, SW: 2, PL: 1, PR: 1, G: 1},
		}
		for _, g := range shapes {
			g.SH, g.SW = max(g.SH, 1), max(g.SW, 1)
			g.DH, g.DW = max(g.DH, 1), max(g.DW, 1)
			g.OH = (g.H+g.PT+g.PB-g.DH*(g.KH-1)-1)/g.SH + 1
			g.OW = (g.W+g.PL+g.PR-g.DW*(g.KW-1)-1)/g.SW + 1
			if active.tapGemm.f == nil {
				continue
			}
			for _, threads := range []int{1, 3} {
				checkTapConv(t, r, g, threads, 2)
			}
		}
	})
}

// checkTapConv runs g through tapConvStep on batch images, with a bias, a
// residual and a relu, against convRef.
func checkTapConv(t *testing.T, r *rand.Rand, g window, threads, batch int) {
	t.Helper()
	inLen, outLen := g.C*g.H*g.W, g.M*g.OH*g.OW
	x := randomSlice(r, batch*inLen)
	w := randomSlice(r, g.M*g.C/g.G*g.KH*g.KW)
	bias := randomSlice(r, g.M)
	in := &tensor{shape: []int{-1, g.C, g.H, g.W}, elems: inLen}
	out := &tensor{shape: []int{-1, g.M, g.OH, g.OW}, elems: outLen}
	s := newTapConvStep(g, in, out, w, epilogue{bias: bias, act: ir.ActRelu}, threads)
	got := runStep(t, r, s, in, out, x, outLen, batch, s.scratch())
	scale := float32(g.C/g.G*g.KH*g.KW) * 4
	for i := 0; i < batch; i++ {
		want := make([]float32, outLen)
		convRef(&g, w, x[i*inLen:(i+1)*inLen], want)
		for j := range want {
			want[j] = max(want[j]+bias[j/(g.OH*g.OW)], 0)
			if v := got[i*outLen+j]; !closeTo(v, want[j], scale) {
				t.Fatalf("%+v batch %d threads %d: output %d of image %d is %v, want %v", g, batch, threads, j, i, v, want[j])
			}
		}
	}
}
