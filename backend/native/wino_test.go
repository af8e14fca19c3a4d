package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
)

// TestWinogradMatchesDirect runs F(2×2, 3×3) against the reference
// convolution on random sizes (odd ones, one-row outputs, every padding
// from 0 to 2 on each side, tile rows longer than the vector transforms'
// 16 tiles and runs of tiles cut across tile rows, several k-blocks and
// channel blocks), with guard bands, the tasks in random order and a fused
// epilogue (bias, residual, scale and shift, relu), on every instruction
// set. Its error is bounded like the direct kernel's: within
// float32 rounding of a sum of the 9·C products' magnitudes.
func TestWinogradMatchesDirect(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		// 14 shapes (its reference convolutions, in Go, are most of the
		// package's serial test time): every fourth with several k-blocks,
		// every third with long rows.
		for i := range testenv.Count(14) {
			g := window{C: 16 + r.IntN(56), M: 16 + r.IntN(66), H: 2 + r.IntN(15), W: 2 + r.IntN(17),
				KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: r.IntN(3), PL: r.IntN(3), PB: r.IntN(3), PR: r.IntN(3), G: 1}
			if i%4 == 0 {
				g.C = 130 + r.IntN(150) // several k-blocks
			}
			if i%3 == 1 {
				g.H, g.W = 10+r.IntN(20), 30+r.IntN(45) // whole groups of 16 tiles, several runs
			}
			if i%3 == 2 {
				g.G = 2 + r.IntN(2) // grouped, as ResNeSt's radix-2 convolutions
				g.C, g.M = g.C/g.G*g.G, g.M/g.G*g.G
			}
			g.OH, g.OW = g.H+g.PT+g.PB-2, g.W+g.PL+g.PR-2
			if !winogradApplies(&g) {
				continue
			}
			checkWinograd(t, r, g, 1+r.IntN(4))
		}
	})
}

// TestWinogradPixelMajor runs F(2×2, 3×3) whose 16 GEMMs take the
// pixel-major kernels (winoPixelKernels) against the reference, on every
// instruction set that has them: resnet50's 14×14 maps (49 tiles, strips
// of 14 and a tail of 7), odd and uneven sizes, groups, and channel
// blocks of whole strips of 32.
func TestWinogradPixelMajor(t *testing.T) {
	withISA(t, func(t *testing.T) {
		if active.pixelGemm == nil || active.winoIn == nil {
			t.Skipf("%s has no pixel-major kernels or vector transforms", active.name)
		}
		r := rand.New(rand.NewPCG(13, 14))
		for _, g := range []window{
			{C: 64, M: 64, H: 14, W: 14, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
			{C: 40, M: 96, H: 11, W: 13, PT: 1, PL: 0, PB: 2, PR: 1, G: 1},
			{C: 256, M: 32, H: 14, W: 14, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
			{C: 96, M: 64, H: 9, W: 9, PT: 1, PL: 1, PB: 1, PR: 1, G: 2},
		} {
			g.KH, g.KW, g.SH, g.SW, g.DH, g.DW = 3, 3, 1, 1, 1, 1
			g.OH, g.OW = g.H+g.PT+g.PB-2, g.W+g.PL+g.PR-2
			s := newWinoStep(g, &tensor{}, &tensor{}, make([]float32, g.M*g.C/g.G*9), epilogue{}, 1)
			if s.pix == nil {
				t.Fatalf("%s: %+v does not take the pixel-major kernels", active.name, g)
			}
			checkWinograd(t, r, g, 1+r.IntN(2))
		}
	})
}

func checkWinograd(t *testing.T, r *rand.Rand, g window, threads int) {
	t.Helper()
	batch := 1 + r.IntN(2)
	inLen, outLen := g.C*g.H*g.W, g.M*g.OH*g.OW
	x := randomSlice(r, batch*inLen)
	w := randomSlice(r, g.M*g.C/g.G*9)
	ep := epilogue{bias: randomSlice(r, g.M)}
	if r.IntN(2) == 0 {
		ep.scale, ep.shift = randomSlice(r, g.M), randomSlice(r, g.M)
	}
	var res []float32
	if r.IntN(2) == 0 {
		res = randomSlice(r, batch*outLen)
		ep.res = &tensor{shape: []int{-1, g.M, g.OH, g.OW}, elems: outLen, off: -2}
	}
	if r.IntN(2) == 0 {
		ep.act = ir.ActRelu
	}
	in := &tensor{shape: []int{-1, g.C, g.H, g.W}, elems: inLen}
	out := &tensor{shape: []int{-1, g.M, g.OH, g.OW}, elems: outLen}
	s := newWinoStep(g, in, out, w, ep, threads)
	if r.IntN(2) == 0 {
		// Blocks of output channels, whatever the cost model picks: fewer
		// rows than it planned fit its scratch.
		s.mBlock = s.mk.mr * (1 + r.IntN(s.mBlock/s.mk.mr))
		s.mBlocks = (s.mg + s.mBlock - 1) / s.mBlock
	}
	got := runStep(t, r, s, in, out, x, outLen, batch, s.scratch(), res)
	// The bound: the magnitudes' sum, Σ|w|·|x| over the taps.
	absW := make([]float32, len(w))
	for i, v := range w {
		absW[i] = float32(math.Abs(float64(v)))
	}
	for b := 0; b < batch; b++ {
		img := x[b*inLen : (b+1)*inLen]
		want := make([]float32, outLen)
		convRef(&g, w, img, want)
		absX := make([]float32, inLen)
		for i, v := range img {
			absX[i] = float32(math.Abs(float64(v)))
		}
		mag := make([]float32, outLen)
		convRef(&g, absW, absX, mag)
		for j := range want {
			ch := j / (g.OH * g.OW)
			v := want[j] + ep.bias[ch]
			bound := 1e-5*float64(mag[j]+abs32(ep.bias[ch])) + 1e-6
			if res != nil {
				v += res[b*outLen+j]
				bound += 1e-6 * math.Abs(float64(res[b*outLen+j]))
			}
			if ep.scale != nil {
				v = v*ep.scale[ch] + ep.shift[ch]
				bound = bound*math.Abs(float64(ep.scale[ch])) + 1e-6*math.Abs(float64(ep.shift[ch]))
			}
			if ep.act == ir.ActRelu {
				v = max(v, 0)
			}
			if d := math.Abs(float64(got[b*outLen+j] - v)); !(d <= bound) { // NaN (an output never written) fails too
				t.Fatalf("%+v threads %d: image %d output %d is %v, want %v (error %g, bound %g)", g, threads, b, j, got[b*outLen+j], v, d, bound)
			}
		}
	}
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

// TestWinogradModel runs a whole optimised model with Winograd selected
// (most of resnet18's 3×3 convolutions qualify) against the reference.
func TestWinogradModel(t *testing.T) {
	g := build(t, "resnet18", map[string]string{"size": "48"})
	if err := ir.Optimize(g, ir.MaxLevel); err != nil {
		t.Fatal(err)
	}
	w := testWeights(g, 1)
	x := randomInput(g, 2, 3)
	p, err := Compile(g, w, Options{Threads: 2, winograd: winoAlways})
	if err != nil {
		t.Fatal(err)
	}
	wino := 0
	for _, s := range p.steps {
		if _, ok := s.(*winoStep); ok {
			wino++
		}
	}
	if wino == 0 {
		t.Fatal("no convolution went through Winograd")
	}
	got := make([]float32, 2*int(g.Outputs[0].Node.Shape.Elems()))
	if err := p.Run(x, 2, got); err != nil {
		t.Fatal(err)
	}
	ref := runModel(t, g, w, Options{Threads: 2, reference: true}, x, 2)
	if d, m := maxDiff(got, ref), maxAbs(ref); d > 1e-4*m+1e-5 {
		t.Fatalf("%d Winograd steps: max |got-ref| = %g, max |ref| = %g", wino, d, m)
	}
}

// TestUseWinograd checks the cost model's choices on resnet's and the
// CIFAR ResNets' 3×3 layers for every instruction set: Winograd at 56×56,
// 28×28 and 14×14, 32×32 and 16×16 with the vector transforms; at 8×8
// with a kernel 16 columns wide (AVX2's, or AVX-512's half-width one); at
// 7×7 only with AVX2's (on AVX-512 the pixel-major path takes it); never
// with fewer than 16 channels or without the vector transforms.
func TestUseWinograd(t *testing.T) {
	conv := func(c, hw int) window {
		return window{C: c, M: c, H: hw, W: hw, OH: hw, OW: hw, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}
	}
	pointwise, strided := conv(128, 56), conv(128, 56)
	pointwise.KH, pointwise.KW, pointwise.PT, pointwise.PL, pointwise.PB, pointwise.PR = 1, 1, 0, 0, 0, 0
	strided.SH, strided.SW, strided.OH, strided.OW = 2, 2, 28, 28
	withISA(t, func(t *testing.T) {
		vector := active.winoIn != nil
		// 7×7 and 8×8 maps have 16 tiles: a whole strip of AVX2's
		// kernel (1.76× and 1.4× direct), half of AVX-512's, which its
		// half-width kernel computes (1.0× and 1.32×).
		small := vector && active.gemm.nr <= 16
		eight := small || vector && active.gemm.half != nil && active.gemm.nr == 32
		for _, c := range []struct {
			g    window
			want bool
		}{
			{conv(64, 56), vector}, {conv(128, 28), vector}, {conv(256, 14), vector},
			{conv(32, 16), vector}, {conv(16, 32), vector},
			{conv(512, 7), small}, {conv(64, 8), eight}, {conv(8, 32), false},
			{pointwise, false}, {strided, false},
		} {
			if got := useWinograd(&c.g); got != c.want {
				t.Errorf("%s: useWinograd(%d channels at %d×%d) = %v, want %v", active.name, c.g.C, c.g.H, c.g.W, got, c.want)
			}
		}
	})
}
