package native

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
)

// The fast kernels against their references on random shapes, odd sizes
// and edges included, with NaN guard bands around every output to catch
// writes out of bounds.

const guard = 37 // floats of NaN before and after each buffer

var nan = float32(math.NaN())

// guarded returns a buffer of n values inside NaN guard bands, and the
// whole allocation for checkGuards.
func guarded(n int) (buf, all []float32) {
	all = make([]float32, n+2*guard)
	for i := range all {
		all[i] = nan
	}
	return all[guard : guard+n], all
}

func checkGuards(t *testing.T, what string, all []float32, n int) {
	t.Helper()
	for i := 0; i < guard; i++ {
		if !math.IsNaN(float64(all[i])) || !math.IsNaN(float64(all[guard+n+i])) {
			t.Fatalf("%s: a write out of bounds, %d values %s the buffer", what, guard-i, map[bool]string{true: "before", false: "after"}[!math.IsNaN(float64(all[i]))])
		}
	}
}

// closeTo reports whether got matches want to within float32 rounding of a
// sum of terms whose magnitudes add up to scale.
func closeTo(got, want, scale float32) bool {
	return math.Abs(float64(got-want)) <= 1e-5*float64(scale)+1e-6
}

func TestMicroKernels(t *testing.T) {
	withISA(t, func(t *testing.T) {
		// The kernel, and its half-width twin where the set has one.
		kernels := []microKernel{active.gemm}
		if h := active.gemm.half; h != nil {
			kernels = append(kernels, microKernel{name: active.gemm.name + " half", mr: active.gemm.mr, nr: active.gemm.nr / 2, f: h})
		}
		for _, k := range kernels {
			checkMicroKernel(t, k)
		}
	})
}

// checkMicroKernel checks the tile k.mr×k.nr of k.f against kernelRef:
// reduction lengths from 1 to past a k-block, strides of B and C, acc on
// and off, with NaN guard bands around C and between its rows.
func checkMicroKernel(t *testing.T, k microKernel) {
	t.Helper()
	mr, nr := k.mr, k.nr
	r := rand.New(rand.NewPCG(1, 2))
	for _, kc := range []int{1, 2, 3, 7, 16, 100, 256, 301} {
		for _, acc := range []bool{false, true} {
			tt := randomTile(r, mr, nr, kc)
			a, b, c, all, want, ldb, ldc := tt.a, tt.b, tt.c, tt.all, tt.want, tt.ldb, tt.ldc
			kernelRef(mr, nr, kc, a, b, want, ldb, ldc, acc)
			k.f(kc, a, b, c, ldb, ldc, acc)
			checkGuards(t, k.name, all, mr*ldc)
			for i := range c {
				if i%ldc >= nr {
					if !math.IsNaN(float64(c[i])) {
						t.Fatalf("%s kc=%d: wrote outside the tile at row %d column %d", k.name, kc, i/ldc, i%ldc)
					}
					continue
				}
				if !closeTo(c[i], want[i], float32(kc)*4) {
					t.Fatalf("%s kc=%d acc=%v: c[%d][%d] = %v, want %v", k.name, kc, acc, i/ldc, i%ldc, c[i], want[i])
				}
			}
		}
	}
}

// A testTile is a micro-kernel's random operands: A (kc·mr values), B
// (rows ldb apart), and C (rows ldc apart, random in the tile's nr
// columns, NaN past them and in guard bands, all being the whole
// allocation), with want a copy of C.
type testTile struct {
	a, b, c, all, want []float32
	ldb, ldc           int
}

func randomTile(r *rand.Rand, mr, nr, kc int) testTile {
	t := testTile{ldb: nr + r.IntN(3)*nr, ldc: nr + r.IntN(20)}
	t.a = randomSlice(r, kc*mr)
	t.b = randomSlice(r, (kc-1)*t.ldb+nr)
	t.c, t.all = guarded(mr * t.ldc)
	t.want = make([]float32, mr*t.ldc)
	for i := range t.c {
		if i%t.ldc < nr {
			t.c[i] = float32(r.NormFloat64())
			t.want[i] = t.c[i]
		}
	}
	return t
}

// randomWindow is a random conv geometry: odd sizes, strides, dilations,
// asymmetric padding, groups.
func randomWindow(r *rand.Rand, conv bool) window {
	for {
		g := window{
			H: 1 + r.IntN(19), W: 1 + r.IntN(23),
			KH: 1 + r.IntN(4), KW: 1 + r.IntN(4), SH: 1 + r.IntN(3), SW: 1 + r.IntN(3),
			DH: 1 + r.IntN(2), DW: 1 + r.IntN(2),
			PT: r.IntN(3), PL: r.IntN(3), PB: r.IntN(3), PR: r.IntN(3), G: 1,
		}
		switch r.IntN(4) {
		case 0:
			g.KH, g.KW, g.SH, g.SW, g.PT, g.PL, g.PB, g.PR = 1, 1, 1, 1, 0, 0, 0, 0 // pointwise
		case 1:
			// "Same" padding at stride 1, any split of it.
			g.SH, g.SW = 1, 1
			g.PT = r.IntN((g.KH-1)*g.DH + 1)
			g.PB = (g.KH-1)*g.DH - g.PT
			g.PL = r.IntN((g.KW-1)*g.DW + 1)
			g.PR = (g.KW-1)*g.DW - g.PL
		}
		if conv {
			switch r.IntN(4) {
			case 0:
				g.G = 1 + r.IntN(4)
			case 1:
				g.G = 2 + r.IntN(6) // depthwise, maybe with a multiplier
				g.C, g.M = g.G, g.G*(1+r.IntN(2))
			}
			if g.C == 0 {
				g.C = g.G * (1 + r.IntN(9))
				g.M = g.G * (1 + r.IntN(15))
			}
		} else {
			g.C = 1 + r.IntN(5)
			g.M = g.C
			// Pools pad less than their kernel, as PyTorch requires.
			g.PT, g.PB = min(g.PT, (g.KH-1)*g.DH), min(g.PB, (g.KH-1)*g.DH)
			g.PL, g.PR = min(g.PL, (g.KW-1)*g.DW), min(g.PR, (g.KW-1)*g.DW)
		}
		spanH := g.H + g.PT + g.PB - g.DH*(g.KH-1) - 1
		spanW := g.W + g.PL + g.PR - g.DW*(g.KW-1) - 1
		if spanH < 0 || spanW < 0 {
			continue
		}
		g.OH, g.OW = spanH/g.SH+1, spanW/g.SW+1
		return g
	}
}

// runStep runs a step on batch images of in, with its output inside guard
// bands, taking the tasks in a random order as the workers might. extra
// are the values of further program inputs (a residual's, at offset -2).
func runStep(t *testing.T, r *rand.Rand, s step, in, out *tensor, x []float32, outLen, batch int, scratch int, extra ...[]float32) []float32 {
	t.Helper()
	// The arena holds the output, after guard NaNs: image b's arena is at
	// b·outLen, the output at guard in it; the input is the program
	// input.
	lead := guard
	all := make([]float32, lead+batch*outLen+guard)
	for i := range all {
		all[i] = nan
	}
	in.off, out.off = -1, lead
	c := &execCtx{batch: batch, perImg: outLen, arena: all, inputs: append([][]float32{x}, extra...), scratch: [][]float32{make([]float32, scratch), make([]float32, scratch)}}
	n := s.tasks(c)
	for i, task := range r.Perm(n) {
		s.run(c, i%2, task)
	}
	for i, v := range all {
		if (i < lead || i >= lead+batch*outLen) && !math.IsNaN(float64(v)) {
			t.Fatalf("%T: a write out of bounds at %d of the guard bands", s, i-lead)
		}
	}
	return all[lead : lead+batch*outLen]
}

func TestConvMatchesReference(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for i := range testenv.Count(300) {
			g := randomWindow(r, true)
			if i%25 == 0 { // a k-blocked reduction and channel blocks
				g.C, g.M, g.G = 300+r.IntN(200), 6+r.IntN(60), 1
			}
			threads := 1 + r.IntN(4)
			checkConv(t, r, g, threads, r.IntN(2) == 0)
		}
		// The shapes of the stdlib's layers, at small sizes.
		for _, g := range []window{
			{C: 3, H: 33, W: 31, M: 8, KH: 7, KW: 7, SH: 2, SW: 2, DH: 1, DW: 1, PT: 3, PL: 3, PB: 3, PR: 3, G: 1},
			{C: 64, H: 9, W: 9, M: 64, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 32},
			{C: 96, H: 7, W: 7, M: 200, KH: 1, KW: 1, SH: 2, SW: 2, DH: 1, DW: 1, G: 1},
			{C: 520, H: 3, W: 3, M: 13, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
			// Outputs at least tapsMaxOW wide, which packIm2col gathers
			// segment by segment (stride 2: gatherStride2's blocks and
			// tails), and a grouped stride-2 one through the tap table.
			{C: 3, H: 20, W: 64, M: 8, KH: 7, KW: 7, SH: 2, SW: 2, DH: 1, DW: 1, PT: 3, PL: 3, PB: 3, PR: 3, G: 1},
			{C: 16, H: 9, W: 45, M: 20, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
			{C: 24, H: 5, W: 50, M: 40, KH: 1, KW: 1, SH: 2, SW: 2, DH: 1, DW: 1, G: 1},
			{C: 64, H: 14, W: 14, M: 64, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 8},
			// Stride-2 outputs from span2MinOW to tapsMaxOW wide, whose
			// rows gather2Span packs: odd and even sizes, padding
			// on one side only, and a 1×1.
			{C: 40, H: 28, W: 28, M: 64, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
			{C: 24, H: 19, W: 17, M: 40, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 0, PR: 0, G: 1},
			{C: 36, H: 16, W: 16, M: 48, KH: 1, KW: 1, SH: 2, SW: 2, DH: 1, DW: 1, G: 1},
			{C: 48, H: 14, W: 14, M: 40, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
			{C: 40, H: 13, W: 13, M: 64, KH: 1, KW: 1, SH: 2, SW: 2, DH: 1, DW: 1, G: 1},
			{C: 24, H: 10, W: 11, M: 40, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
			// A kernel wider and taller than packSpan2's stack arrays.
			{C: 2, H: 30, W: 31, M: 8, KH: 13, KW: 13, SH: 2, SW: 2, DH: 1, DW: 1, PT: 6, PL: 6, PB: 6, PR: 6, G: 1},
			{C: 8, H: 23, W: 38, M: 33, KH: 5, KW: 5, SH: 2, SW: 2, DH: 1, DW: 1, PT: 0, PL: 2, PB: 2, PR: 0, G: 1},
		} {
			g.OH = (g.H+g.PT+g.PB-g.DH*(g.KH-1)-1)/g.SH + 1
			g.OW = (g.W+g.PL+g.PR-g.DW*(g.KW-1)-1)/g.SW + 1
			checkConv(t, r, g, 2, true)
		}
	})
}

func checkConv(t *testing.T, r *rand.Rand, g window, threads int, bias bool) {
	t.Helper()
	checkConvBatch(t, r, g, threads, 1+r.IntN(2), bias)
}

// checkConvBatch runs the step the builder picks for g on batch images
// against convRef, with a bias when asked.
func checkConvBatch(t *testing.T, r *rand.Rand, g window, threads, batch int, bias bool) {
	t.Helper()
	inLen, outLen := g.C*g.H*g.W, g.M*g.OH*g.OW
	x := randomSlice(r, batch*inLen)
	w := randomSlice(r, g.M*g.C/g.G*g.KH*g.KW)
	var b []float32
	if bias {
		b = randomSlice(r, g.M)
	}
	in := &tensor{shape: []int{-1, g.C, g.H, g.W}, elems: inLen}
	out := &tensor{shape: []int{-1, g.M, g.OH, g.OW}, elems: outLen}
	s, scratch := convStepFor(g, in, out, w, epilogue{bias: b}, threads, false, winoNever, false)
	got := runStep(t, r, s, in, out, x, outLen, batch, scratch)
	want := make([]float32, batch*outLen)
	for i := 0; i < batch; i++ {
		o := want[i*outLen : (i+1)*outLen]
		convRef(&g, w, x[i*inLen:(i+1)*inLen], o)
		if b != nil {
			for j := range o {
				o[j] += b[j/(g.OH*g.OW)]
			}
		}
	}
	scale := float32(g.C/g.G*g.KH*g.KW) * 4
	for i := range want {
		if !closeTo(got[i], want[i], scale) {
			t.Fatalf("%+v batch %d threads %d: output %d is %v, want %v", g, batch, threads, i, got[i], want[i])
		}
	}
}

func TestPoolMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 400; i++ {
		g := randomWindow(r, false)
		if i%8 == 0 {
			// Enough channels that a task takes a block of several.
			g.C = 100 + r.IntN(300)
			g.M = g.C
		}
		isMax, countPad := r.IntN(2) == 0, r.IntN(2) == 0
		if r.IntN(3) == 0 { // ceil mode: one more window where it starts inside
			if (g.OH)*g.SH < g.H+g.PT {
				g.OH++
			}
			if (g.OW)*g.SW < g.W+g.PL {
				g.OW++
			}
		}
		batch := 1
		inLen, outLen := g.C*g.H*g.W, g.C*g.OH*g.OW
		x := randomSlice(r, inLen)
		in := &tensor{shape: []int{-1, g.C, g.H, g.W}, elems: inLen}
		out := &tensor{shape: []int{-1, g.C, g.OH, g.OW}, elems: outLen}
		s := &poolStep{win: g, in: in, out: out, isMax: isMax, countPad: countPad}
		got := runStep(t, r, s, in, out, x, outLen, batch, s.scratch())
		want := make([]float32, outLen)
		poolRef(&g, isMax, countPad, x, want)
		for i := range want {
			if !closeTo(got[i], want[i], float32(g.KH*g.KW)) && !(math.IsInf(float64(got[i]), -1) && got[i] == want[i]) {
				t.Fatalf("%+v max=%v countPad=%v: output %d is %v, want %v", g, isMax, countPad, i, got[i], want[i])
			}
		}
	}
}

func TestFullyConnectedMatchesReference(t *testing.T) {
	withISA(t, testFullyConnected)
}

func testFullyConnected(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 50; i++ {
		k, m := 1+r.IntN(300), 1+r.IntN(70)
		batch := []int{1, 37}[r.IntN(2)]
		x := randomSlice(r, batch*k)
		w := randomSlice(r, m*k)
		var bias []float32
		if r.IntN(2) == 0 {
			bias = randomSlice(r, m)
		}
		in := &tensor{shape: []int{-1, k}, elems: k}
		out := &tensor{shape: []int{-1, m}, elems: m}
		threads := 1 + r.IntN(3)
		s := &fcStep{x: in, out: out, w: w, bias: bias, k: k, m: m, blocks: split(m, 4*threads, 16)}
		got := runStep(t, r, s, in, out, x, m, batch, 0)
		want := make([]float32, m)
		for b := 0; b < batch; b++ {
			fcRef(w, bias, x[b*k:(b+1)*k], want)
			for j := range want {
				if !closeTo(got[b*m+j], want[j], float32(k)*4) {
					t.Fatalf("k=%d m=%d: image %d output %d is %v, want %v", k, m, b, j, got[b*m+j], want[j])
				}
			}
		}
	}
}

// TestChooseBlocksCovers checks that every split covers the GEMM.
func TestChooseBlocksCovers(t *testing.T) {
	for _, c := range []struct{ ms, ns, k, g, threads int }{
		{11, 196, 576, 1, 2}, {86, 4, 4608, 1, 2}, {342, 4, 512, 1, 2}, {1, 196, 36, 32, 2}, {1, 1, 1, 1, 1}, {5, 3, 20, 1, 16},
	} {
		mk := &active.gemm
		pm, pn := chooseBlocks(mk, c.ms, c.ns, c.k, c.g, c.threads, 3, c.ns*mk.nr-1)
		if pm < 1 || pm > c.ms || pn < 1 || pn > min(c.ns, max(1, ncMax/mk.nr)) {
			t.Errorf("%+v: blocks of %d×%d strips", c, pm, pn)
		}
	}
}

// TestMakespan checks the schedule chooseBlocks times against a plain
// simulation: the tasks in order, each to the worker free first.
func TestMakespan(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 500 {
		ms, ns := 1+r.IntN(20), 1+r.IntN(20)
		pm, pn, groups, threads := 1+r.IntN(ms), 1+r.IntN(ns), 1+r.IntN(3), 1+r.IntN(9)
		cost := func(rows, cols int, first bool) float64 {
			c := float64(rows*cols) + float64(rows)*0.37
			if !first {
				c += 0.5
			}
			return c
		}
		want := make([]float64, threads)
		for range groups {
			for m := 0; m < ms; m += pm {
				for n := 0; n < ns; n += pn {
					i := 0
					for j := range want {
						if want[j] < want[i] {
							i = j
						}
					}
					want[i] += cost(min(pm, ms-m), min(pn, ns-n), n == 0)
				}
			}
		}
		if got := makespan(make([]float64, threads), ms, ns, pm, pn, groups, cost); math.Abs(got-slices.Max(want)) > 1e-9 {
			t.Fatalf("%d×%d strips in %d×%d blocks, %d groups, %d threads: makespan %v, want %v",
				ms, ns, pm, pn, groups, threads, got, slices.Max(want))
		}
	}
	// Two halves of the rows on two workers end together; four quarters
	// of equal cost end after two of them.
	unit := func(rows, cols int, first bool) float64 { return float64(rows * cols) }
	if got := makespan(make([]float64, 2), 8, 14, 4, 14, 1, unit); got != 56 {
		t.Errorf("2×1 blocks of 8×14 strips on 2 workers: %v, want 56", got)
	}
}

// TestPackIm2col packs random column ranges (starting and ending
// anywhere in an output row, a single column, whole rows) of random k-row
// ranges of random windows, every stride, with each instruction set, and
// compares them with the im2col matrix computed by the definition.
func TestPackIm2col(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(41, 42))
		for range 300 {
			g := randomWindow(r, false)
			g.G = 1
			g.C = 1 + r.IntN(4)
			g.OH = (g.H+g.PT+g.PB-g.DH*(g.KH-1)-1)/g.SH + 1
			g.OW = (g.W+g.PL+g.PR-g.DW*(g.KW-1)-1)/g.SW + 1
			if g.OH <= 0 || g.OW <= 0 {
				continue
			}
			in := randomSlice(r, g.C*g.H*g.W)
			k, n := g.C*g.KH*g.KW, g.OH*g.OW
			k0 := r.IntN(k)
			kc := 1 + r.IntN(k-k0)
			n0 := r.IntN(n)
			ncols := 1 + r.IntN(n-n0)
			ldb := ncols + r.IntN(3)
			dst, all := guarded((kc-1)*ldb + ncols)
			packIm2col(dst, ldb, in, &g, k0, kc, n0, ncols)
			checkGuards(t, active.name, all, (kc-1)*ldb+ncols)
			for i := range kc {
				row := k0 + i
				c, ky, kx := row/(g.KH*g.KW), row/g.KW%g.KH, row%g.KW
				for j := range ncols {
					oy, ox := (n0+j)/g.OW, (n0+j)%g.OW
					iy, ix := oy*g.SH-g.PT+ky*g.DH, ox*g.SW-g.PL+kx*g.DW
					want := float32(0)
					if iy >= 0 && iy < g.H && ix >= 0 && ix < g.W {
						want = in[(c*g.H+iy)*g.W+ix]
					}
					if got := dst[i*ldb+j]; got != want {
						t.Fatalf("%+v rows [%d,%d) columns [%d,%d): row %d column %d is %v, want %v",
							g, k0, k0+kc, n0, n0+ncols, row, n0+j, got, want)
					}
				}
			}
		}
	})
}

// TestResidualKernels checks each instruction set's residual kernel
// (microKernel.res, kernelAVX512Res) against kernelRef and the epilogue's
// arithmetic: C holds the residual and takes ((Σ + bias) + residual), with
// and without a relu, reduction lengths from 1 to a whole k-block, NaN
// guard bands around C and between its rows.
func TestResidualKernels(t *testing.T) {
	withISA(t, func(t *testing.T) {
		k := active.gemm
		if k.res == nil {
			t.Skipf("%s has no residual kernel: its convolutions keep the residual apart", active.name)
		}
		mr, nr := k.mr, k.nr
		r := rand.New(rand.NewPCG(3, 4))
		for _, kc := range []int{1, 2, 7, 64, 100, 256} {
			for _, relu := range []bool{false, true} {
				tt := randomTile(r, mr, nr, kc)
				a, b, c, all, want, ldb, ldc := tt.a, tt.b, tt.c, tt.all, tt.want, tt.ldb, tt.ldc
				bias := randomSlice(r, mr)
				sums := make([]float32, mr*ldc)
				kernelRef(mr, nr, kc, a, b, sums, ldb, ldc, false)
				for i := range want {
					if i%ldc < nr {
						v := (sums[i] + bias[i/ldc] + want[i]) * 1
						v += 0
						if relu {
							v = max(v, 0)
						}
						want[i] = v
					}
				}
				k.res(kc, a, b, c, ldb, ldc, &bias[0], relu)
				checkGuards(t, k.name+" res", all, mr*ldc)
				for i := range c {
					if i%ldc >= nr {
						if !math.IsNaN(float64(c[i])) {
							t.Fatalf("kc=%d: wrote outside the tile at row %d column %d", kc, i/ldc, i%ldc)
						}
						continue
					}
					if !closeTo(c[i], want[i], float32(kc)*4+8) {
						t.Fatalf("kc=%d relu=%v: c[%d][%d] = %v, want %v", kc, relu, i/ldc, i%ldc, c[i], want[i])
					}
				}
			}
		}
	})
}

// TestMaxPoolRowsKernel checks each instruction set's whole-plane stem
// pool kernel (maxPool3s2Rows) against Go's max on random row lengths
// (every tail of a 16-value step), window heights, output rows and
// strides, with NaN guard bands around the output and between its rows.
// Inputs with a NaN may make it report false, having computed nothing
// reliable; it must still write nothing outside its outputs.
func TestMaxPoolRowsKernel(t *testing.T) {
	withISA(t, func(t *testing.T) {
		f := active.maxPool3s2Rows
		if f == nil {
			t.Skipf("%s has no whole-plane pool kernel: the row kernels pool", active.name)
		}
		r := rand.New(rand.NewPCG(5, 6))
		for i := range 300 {
			n, rows, orows := 1+r.IntN(70), 1+r.IntN(4), 1+r.IntN(4)
			stride := 2*n + 1 + r.IntN(5)
			srcStep := r.IntN(2*stride + 1)
			dstStride := n + r.IntN(9)
			src := randomSlice(r, (orows-1)*srcStep+(rows-1)*stride+2*n+1)
			withNaN := i%3 == 0
			if withNaN {
				src[r.IntN(len(src))] = nan
			}
			if i%5 == 0 {
				src[r.IntN(len(src))] = float32(math.Copysign(0, -1))
				src[r.IntN(len(src))] = 0
			}
			size := (orows-1)*dstStride + n
			dst, all := guarded(size)
			ok := maxPool3s2Rows(f, dst, src, n, rows, stride, orows, dstStride, srcStep)
			checkGuards(t, "maxPool3s2Rows", all, size)
			for o := 0; o < orows; o++ {
				for j := n; j < dstStride && o*dstStride+j < size; j++ {
					if !math.IsNaN(float64(dst[o*dstStride+j])) {
						t.Fatalf("n=%d: wrote between output rows, row %d column %d", n, o, j)
					}
				}
			}
			if !ok {
				if !withNaN {
					t.Fatalf("n=%d rows=%d: reported a NaN in finite inputs", n, rows)
				}
				continue
			}
			for o := 0; o < orows; o++ {
				for j := 0; j < n; j++ {
					m := float32(math.Inf(-1))
					for y := 0; y < rows; y++ {
						for x := 0; x < 3; x++ {
							m = max(m, src[o*srcStep+y*stride+2*j+x])
						}
					}
					got := dst[o*dstStride+j]
					if math.Float32bits(got) != math.Float32bits(m) && !(got != got && m != m) {
						t.Fatalf("n=%d rows=%d orows=%d: output %d of row %d is %v, want %v", n, rows, orows, j, o, got, m)
					}
				}
			}
		}
	})
}
