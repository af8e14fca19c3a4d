package native

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// pixelKernelsOf is the pixel-major kernels of the active instruction
// set, or the references where it has none (the path forced on).
func pixelKernelsOf(t *testing.T) []pixelKernel {
	if ks := active.pixelGemm; ks != nil {
		return ks
	}
	t.Logf("%s has no pixel-major kernels: the path runs on the references", active.name)
	return pixelKernelsRef
}

// TestPixelKernels checks each instruction set's pixel-major kernels
// against pixelKernelRef: reduction lengths with and without blocking,
// panel strides, acc on and off, stored into the tile or transposed into
// a destination, with NaN guard bands around both and NaNs between
// their rows.
func TestPixelKernels(t *testing.T) {
	withISA(t, func(t *testing.T) {
		if active.pixelGemm == nil {
			t.Skipf("%s has no pixel-major kernels (its convolutions keep the GEMM)", active.name)
		}
		r := rand.New(rand.NewPCG(5, 6))
		for _, k := range active.pixelGemm {
			for _, kc := range []int{1, 2, 3, 7, 16, 100, 256, 301} {
				for _, acc := range []bool{false, true} {
					for _, transposed := range []bool{false, true} {
						checkPixelKernel(t, r, k, kc, acc, transposed)
					}
				}
			}
		}
	})
}

func checkPixelKernel(t *testing.T, r *rand.Rand, k pixelKernel, kc int, acc, transposed bool) {
	t.Helper()
	ldp := k.r + r.IntN(40)
	ldc := pixelStrip + r.IntN(20)
	ldd := k.r + r.IntN(30)
	px := randomSlice(r, (kc-1)*ldp+k.r)
	w := randomSlice(r, kc*pixelStrip)
	n, nd := (k.r-1)*ldc+pixelStrip, (pixelStrip-1)*ldd+k.r
	c, allC := guarded(n)
	want := make([]float32, n)
	for i := range c {
		if i%ldc < pixelStrip {
			c[i] = float32(r.NormFloat64())
			want[i] = c[i]
		}
	}
	var dst, allD, wantD []float32
	if transposed {
		dst, allD = guarded(nd)
		wantD = make([]float32, nd)
		for i := range wantD {
			wantD[i] = nan
		}
	}
	pixelKernelRef(k.r, kc, px, w, want, ldp, ldc, acc, wantD, ldd)
	k.f(kc, px, w, c, ldp, ldc, acc, dst, ldd)
	what := fmt.Sprintf("%s kc=%d acc=%v transposed=%v", k.name, kc, acc, transposed)
	checkGuards(t, what, allC, n)
	check := func(got, want []float32, ld, width int) {
		for i := range got {
			if i%ld >= width {
				if !math.IsNaN(float64(got[i])) {
					t.Fatalf("%s: wrote outside the tile at row %d column %d", what, i/ld, i%ld)
				}
				continue
			}
			if !closeTo(got[i], want[i], float32(kc)*4) {
				t.Fatalf("%s: [%d][%d] = %v, want %v", what, i/ld, i%ld, got[i], want[i])
			}
		}
	}
	check(c, want, ldc, pixelStrip)
	if transposed {
		checkGuards(t, what, allD, nd)
		check(dst, wantD, ldd, k.r)
	}
}

// pixelShapes are convolutions for the pixel-major path: pixel counts of
// 1, 7, 49, 50, 196 and odd ones, channels a multiple of 32 and not,
// stride 2, 3×3 with padding 1, k-blocked reductions, groups.
var pixelShapes = []window{
	{C: 40, H: 1, W: 1, M: 64, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1},
	{C: 16, H: 1, W: 7, M: 32, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1},
	{C: 64, H: 7, W: 7, M: 96, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
	{C: 300, H: 7, W: 7, M: 70, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1},
	{C: 33, H: 5, W: 10, M: 45, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
	{C: 48, H: 14, W: 14, M: 64, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
	{C: 24, H: 14, W: 14, M: 128, KH: 1, KW: 1, SH: 2, SW: 2, DH: 1, DW: 1, G: 1},
	{C: 40, H: 14, W: 14, M: 64, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
	{C: 17, H: 11, W: 13, M: 33, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
	{C: 64, H: 9, W: 9, M: 128, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 2},
	{C: 96, H: 7, W: 7, M: 192, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 3},
	{C: 520, H: 3, W: 3, M: 40, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
	{C: 8, H: 30, W: 23, M: 32, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1},
}

// TestPixelMajorConvMatchesReference forces the pixel-major path, with
// each of its kernels, on pixelShapes and random shapes, with epilogues
// (bias, residual, scale and shift, activations), against convRef; where
// a shorter kernel fits the pixels left after whole strips, both with it
// as the tail and without.
func TestPixelMajorConvMatchesReference(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		kernels := pixelKernelsOf(t)
		tails := 0
		for _, pk := range kernels {
			shapes := append([]window(nil), pixelShapes...)
			for range 20 {
				g := randomWindow(r, true)
				if g.C == g.G {
					continue // depthwise: never a GEMM
				}
				shapes = append(shapes, g)
			}
			for _, g := range shapes {
				g.OH = (g.H+g.PT+g.PB-g.DH*(g.KH-1)-1)/g.SH + 1
				g.OW = (g.W+g.PL+g.PR-g.DW*(g.KW-1)-1)/g.SW + 1
				checkPixelMajor(t, r, g, pk, pixelKernel{}, 1+r.IntN(3))
				if tail := pixelTail(kernels, pk, g.OH*g.OW); tail.f != nil {
					checkPixelMajor(t, r, g, pk, tail, 1+r.IntN(3))
					tails++
				}
			}
		}
		if tails == 0 {
			t.Fatal("no shape had a tail")
		}
	})
}

// checkPixelMajor runs g on the pixel-major path with kernel pk and tail
// (none when tail.f is nil) and a random epilogue, on one or two images,
// against convRef.
func checkPixelMajor(t *testing.T, r *rand.Rand, g window, pk, tail pixelKernel, threads int) {
	t.Helper()
	batch := 1 + r.IntN(2)
	inLen, outLen := g.C*g.H*g.W, g.M*g.OH*g.OW
	x := randomSlice(r, batch*inLen)
	w := randomSlice(r, g.M*g.C/g.G*g.KH*g.KW)
	in := &tensor{shape: []int{-1, g.C, g.H, g.W}, elems: inLen}
	out := &tensor{shape: []int{-1, g.M, g.OH, g.OW}, elems: outLen}
	ep := epilogue{act: []ir.Act{ir.ActNone, ir.ActRelu, ir.ActSilu}[r.IntN(3)]}
	if r.IntN(2) == 0 {
		ep.bias = randomSlice(r, g.M)
	}
	var res []float32
	if r.IntN(2) == 0 {
		res = randomSlice(r, batch*outLen)
		ep.res = &tensor{shape: out.shape, elems: outLen, off: -2}
	}
	if r.IntN(3) == 0 {
		ep.scale, ep.shift = randomSlice(r, g.M), randomSlice(r, g.M)
	}
	s := newConvTStep(g, in, out, w, ep, threads, pk, tail)
	got := runStep(t, r, s, in, out, x, outLen, batch, s.scratch(), res)
	plane := g.OH * g.OW
	for b := 0; b < batch; b++ {
		want := make([]float32, outLen)
		convRef(&g, w, x[b*inLen:(b+1)*inLen], want)
		for i, v := range want {
			ch := i / plane
			if ep.bias != nil {
				v += ep.bias[ch]
			}
			if res != nil {
				v += res[b*outLen+i]
			}
			if ep.scale != nil {
				v = v*ep.scale[ch] + ep.shift[ch]
			}
			want[i] = ep.act.Apply(v, float64(ep.alpha))
		}
		scale := float32(g.C/g.G*g.KH*g.KW) * 16
		for i := range want {
			if !closeTo(got[b*outLen+i], want[i], scale) {
				t.Fatalf("%s %+v batch %d threads %d (%d×%d blocks): image %d output %d is %v, want %v",
					pixelPathName(pk, tail), g, batch, threads, s.mBlocks, s.nBlocks, b, i, got[b*outLen+i], want[i])
			}
		}
	}
}

// TestPixelMajorChoice checks the cost model's choices on resnet50's
// shapes where the CPU has the kernels: the 7×7 and 14×14 layers take the
// pixel-major path with strips that cover the map exactly (7×7 in strips
// of 14 and a tail of 7, where the set has both); the 56×56 ones, narrow
// groups, 1×1 expansions and CIFAR's maps keep the GEMM.
func TestPixelMajorChoice(t *testing.T) {
	set := &machineISAs[0]
	if set.pixelGemm == nil {
		t.Skipf("%s has no pixel-major kernels: every convolution keeps the GEMM", set.name)
	}
	has14 := slices.ContainsFunc(set.pixelGemm, func(k pixelKernel) bool { return k.r == 14 })
	for _, c := range []struct {
		g    window
		want bool
	}{
		{window{C: 512, H: 7, W: 7, M: 512, KH: 3, KW: 3, OH: 7, OW: 7, G: 1}, true},
		{window{C: 512, H: 7, W: 7, M: 2048, KH: 1, KW: 1, OH: 7, OW: 7, G: 1}, true},
		{window{C: 256, H: 14, W: 14, M: 256, KH: 3, KW: 3, OH: 14, OW: 14, G: 1}, true},
		{window{C: 64, H: 56, W: 56, M: 64, KH: 3, KW: 3, OH: 56, OW: 56, G: 1}, false},
		{window{C: 1024, H: 7, W: 7, M: 1024, KH: 3, KW: 3, OH: 7, OW: 7, G: 32}, true},    // ResNeXt's 32-wide groups
		{window{C: 1024, H: 7, W: 7, M: 1024, KH: 3, KW: 3, OH: 7, OW: 7, G: 64}, false},   // narrow groups
		{window{C: 1008, H: 7, W: 7, M: 1008, KH: 3, KW: 3, OH: 7, OW: 7, G: 21}, false},   // RegNet's 48-wide: a 32-channel strip in two is half empty
		{window{C: 256, H: 14, W: 14, M: 1024, KH: 1, KW: 1, OH: 14, OW: 14, G: 1}, false}, // K = 256: the transpose costs too much
		{window{C: 64, H: 8, W: 8, M: 64, KH: 3, KW: 3, OH: 8, OW: 8, G: 1}, false},        // CIFAR: 64 pixels, two whole GEMM strips
	} {
		pk, tail, ok := choosePixelKernel(&c.g, set)
		if ok != c.want {
			t.Errorf("%+v: pixel-major %v, want %v", c.g, ok, c.want)
		}
		n := c.g.OH * c.g.OW
		if pp := (pixelPair{pk, tail}); ok && pp.width(n) != n {
			t.Errorf("%+v: %s computes %d pixels for %d", c.g, pixelPathName(pk, tail), pp.width(n), n)
		}
		if ok && n == 49 && has14 && pk.r != 14 {
			t.Errorf("%+v: %s, want strips of 14 and a tail", c.g, pixelPathName(pk, tail))
		}
	}
}

// TestPixelMajorModels runs whole optimised models whose late stages take
// the pixel-major path (fused residual and relu epilogues, stride-2
// downsampling, ResNeXt's 32-wide groups, batch 2, two threads) against
// the same models compiled with the path off, and checks that the path
// was taken.
func TestPixelMajorModels(t *testing.T) {
	if machineISAs[0].pixelGemm == nil {
		t.Skipf("%s has no pixel-major kernels: every convolution keeps the GEMM (the forced path is tested in TestPixelMajorConvMatchesReference)", machineISAs[0].name)
	}
	for _, m := range []struct {
		name string
		args map[string]string
	}{{"resnet18", map[string]string{"size": "112"}}, {"resnext50_32x4d", map[string]string{"size": "56"}}} {
		// Not in parallel: the subtests switch pixelMajorOff.
		t.Run(m.name, func(t *testing.T) {
			g := build(t, m.name, m.args)
			if err := ir.Optimize(g, ir.MaxLevel); err != nil {
				t.Fatal(err)
			}
			w := testWeights(g, 1)
			x := randomInput(g, 2, 3)
			p, err := Compile(g, w, Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			taken := 0
			for _, s := range p.steps {
				if _, ok := s.(*convTStep); ok {
					taken++
				}
			}
			if taken == 0 {
				t.Fatal("no convolution took the pixel-major path")
			}
			got := make([]float32, 2*p.outElems)
			if err := p.Run(x, 2, got); err != nil {
				t.Fatal(err)
			}
			saved := pixelMajorOff
			pixelMajorOff = true
			want := runModel(t, g, w, Options{Threads: 2}, x, 2)
			pixelMajorOff = saved
			if d, m := maxDiff(got, want), maxAbs(want); d > 1e-4*m+1e-5 {
				t.Errorf("max |pixel-major − GEMM| = %g, max |GEMM| = %g", d, m)
			}
			t.Logf("%d convolutions on the pixel-major path", taken)
		})
	}
}
