package native

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// windowAt completes g's output size from its input, kernel, strides,
// dilations and padding.
func windowAt(g window) window {
	g.OH = (g.H+g.PT+g.PB-g.DH*(g.KH-1)-1)/g.SH + 1
	g.OW = (g.W+g.PL+g.PR-g.DW*(g.KW-1)-1)/g.SW + 1
	return g
}

// depthwise is a depthwise window: c channels (times mult outputs each),
// an h×w input, a k×k kernel at stride s with padding p on every side.
func depthwise(c, mult, h, w, k, s, p int) window {
	return windowAt(window{C: c, H: h, W: w, M: c * mult, KH: k, KW: k, SH: s, SW: s, DH: 1, DW: 1,
		PT: p, PL: p, PB: p, PR: p, G: c})
}

// TestDepthwiseMatchesReference runs the depthwise step on the shapes of
// the mobile families (3×3, 5×5 and 7×7 at strides 1 and 2, even and odd
// sizes down to 1×1) and on odd ones (asymmetric padding, dilation,
// stride 3, a channel multiplier, no padding), at batch 1 and 3 on one
// thread and two, on each instruction set, against convRef.
func TestDepthwiseMatchesReference(t *testing.T) {
	shapes := []window{
		depthwise(5, 1, 14, 14, 3, 1, 1), depthwise(6, 1, 15, 15, 3, 2, 1), depthwise(3, 1, 28, 28, 3, 2, 1),
		depthwise(4, 1, 7, 7, 3, 1, 1), depthwise(4, 1, 1, 1, 3, 1, 1), depthwise(3, 1, 2, 2, 3, 2, 1),
		depthwise(5, 1, 14, 14, 5, 1, 2), depthwise(5, 1, 13, 13, 5, 2, 2), depthwise(3, 1, 9, 11, 5, 2, 2),
		depthwise(4, 1, 7, 7, 7, 1, 3), depthwise(3, 1, 14, 14, 7, 1, 3), depthwise(2, 1, 3, 3, 7, 1, 3),
		depthwise(3, 2, 10, 9, 3, 1, 1), depthwise(3, 1, 12, 12, 3, 1, 0), depthwise(3, 1, 13, 16, 3, 3, 1),
		depthwise(2, 1, 40, 67, 3, 1, 1), depthwise(2, 1, 33, 70, 5, 2, 2),
		windowAt(window{C: 3, H: 11, W: 12, M: 3, KH: 3, KW: 2, SH: 2, SW: 1, DH: 2, DW: 3, PT: 2, PL: 0, PB: 1, PR: 3, G: 3}),
		windowAt(window{C: 4, H: 9, W: 9, M: 4, KH: 1, KW: 5, SH: 1, SW: 2, DH: 1, DW: 1, PT: 0, PL: 2, PB: 0, PR: 1, G: 4}),
	}
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, g := range shapes {
			for _, batch := range []int{1, 3} {
				for _, threads := range []int{1, 2} {
					checkConvBatch(t, r, g, threads, batch, r.IntN(2) == 0)
				}
			}
		}
	})
}

// TestDepthwiseKernel runs each instruction set's dwFunc against the Go
// loop on random lengths and taps: the sums within rounding, nothing
// written past the dwSlack values it may use.
func TestDepthwiseKernel(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		for range 200 {
			n := 1 + r.IntN(400)
			taps := 1 + r.IntN(49)
			offs := make([]int, taps)
			for i := range offs {
				offs[i] = r.IntN(300)
			}
			w := randomSlice(r, taps)
			src := randomSlice(r, 300+n+dwSlack)
			dst, all := guarded(n + dwSlack)
			bias := float32(r.NormFloat64())
			dwTaps(dst, src, offs, w, n, bias)
			checkGuards(t, active.name, all, n+dwSlack)
			for i := range n {
				want := bias
				for t, o := range offs {
					want += w[t] * src[o+i]
				}
				if !closeTo(dst[i], want, float32(taps)*4) {
					t.Fatalf("n=%d taps=%d: dst[%d] = %v, want %v", n, taps, i, dst[i], want)
				}
			}
		}
	})
}

// TestGemvMatchesReference runs 1×1 convolutions of one-pixel inputs
// (the squeeze-excitation blocks') with every epilogue against the
// formula, on odd channel counts and one to three threads.
func TestGemvMatchesReference(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(25, 26))
		for i := range 60 {
			g := windowAt(window{C: 1 + r.IntN(300), H: 1, W: 1, M: 1 + r.IntN(80), KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1})
			if !gemvApplies(&g) {
				t.Fatalf("%+v: not a matrix-vector convolution", g)
			}
			t.Run(fmt.Sprint(i), func(t *testing.T) { checkConvEpilogue(t, r, g, 1+r.IntN(3)) })
		}
	})
}

// FuzzDepthwise checks the depthwise step against convRef on geometries
// made from the fuzzer's bytes, every size capped small.
func FuzzDepthwise(f *testing.F) {
	f.Add([]byte{3, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte{2, 15, 9, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		at := func(i, lo, n int) int {
			if i < len(data) {
				return lo + int(data[i])%n
			}
			return lo
		}
		g := window{C: at(0, 1, 4), H: at(1, 1, 24), W: at(2, 1, 24), KH: at(3, 1, 7), KW: at(4, 1, 7),
			SH: at(5, 1, 3), SW: at(6, 1, 3), DH: at(7, 1, 2), DW: at(8, 1, 2),
			PT: at(9, 0, 4), PL: at(10, 0, 4), PB: at(11, 0, 4), PR: at(12, 0, 4)}
		g.G, g.M = g.C, g.C*at(13, 1, 2)
		if g.H+g.PT+g.PB < g.DH*(g.KH-1)+1 || g.W+g.PL+g.PR < g.DW*(g.KW-1)+1 {
			return // no output
		}
		g = windowAt(g)
		r := rand.New(rand.NewPCG(uint64(len(data)), 1))
		checkConvBatch(t, r, g, 2, 1+r.IntN(2), true)
	})
}

// TestSplit2 runs each instruction set's split2 on every row length up
// to 100, one to three rows with gaps between them: the even and odd
// values in place, nothing written past them or between the rows.
func TestSplit2(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(27, 28))
		for n := range 101 {
			rows := 1 + r.IntN(3)
			stride, dstStride := n+r.IntN(5), (n+1)/2+r.IntN(5)
			src := randomSlice(r, (rows-1)*stride+n)
			lenE, lenO := (rows-1)*dstStride+(n+1)/2, (rows-1)*dstStride+n/2
			even, allE := guarded(lenE)
			odd, allO := guarded(lenO)
			split2(even, odd, src, n, rows, stride, dstStride)
			checkGuards(t, active.name+" even", allE, lenE)
			checkGuards(t, active.name+" odd", allO, lenO)
			for row := range rows {
				for i := range (n + 1) / 2 {
					if got, want := even[row*dstStride+i], src[row*stride+2*i]; got != want {
						t.Fatalf("n=%d row %d: even[%d] is %v, want %v", n, row, i, got, want)
					}
				}
				for i := range n / 2 {
					if got, want := odd[row*dstStride+i], src[row*stride+2*i+1]; got != want {
						t.Fatalf("n=%d row %d: odd[%d] is %v, want %v", n, row, i, got, want)
					}
				}
				if row < rows-1 {
					for _, gap := range [][]float32{even[row*dstStride+(n+1)/2 : (row+1)*dstStride], odd[row*dstStride+n/2 : (row+1)*dstStride]} {
						for _, v := range gap {
							if !math.IsNaN(float64(v)) {
								t.Fatalf("n=%d row %d: a write between rows", n, row)
							}
						}
					}
				}
			}
		}
	})
}

// TestDepthwiseRowsKernel runs each instruction set's dwRowsFunc, where
// it has one, against the formula on random row counts, widths up to
// dwRowsMax and pitches: nothing written past the rows' ow values.
func TestDepthwiseRowsKernel(t *testing.T) {
	withISA(t, func(t *testing.T) {
		f := active.dwRows
		if f == nil {
			t.Skipf("%s has no dwRows kernel: its narrow planes take dw, which TestDepthwiseKernel checks", active.name)
		}
		r := rand.New(rand.NewPCG(29, 30))
		for range 300 {
			rows, ow := 1+r.IntN(20), 1+r.IntN(dwRowsMax)
			pitch := ow + r.IntN(8)
			taps := 1 + r.IntN(49)
			offs := make([]int, taps)
			for i := range offs {
				offs[i] = r.IntN(200)
			}
			w := randomSlice(r, taps)
			src := randomSlice(r, 200+(rows-1)*pitch+ow+dwSlack)
			dst, all := guarded(rows * ow)
			bias := float32(r.NormFloat64())
			dwTapsRows(f, dst, src, offs, w, rows, ow, pitch, bias)
			checkGuards(t, active.name, all, rows*ow)
			for y := range rows {
				for x := range ow {
					want := bias
					for t, o := range offs {
						want += w[t] * src[o+y*pitch+x]
					}
					if got := dst[y*ow+x]; !closeTo(got, want, float32(taps)*4) {
						t.Fatalf("rows=%d ow=%d pitch=%d taps=%d: dst[%d][%d] = %v, want %v", rows, ow, pitch, taps, y, x, got, want)
					}
				}
			}
		}
	})
}
