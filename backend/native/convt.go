package native

// The pixel-major GEMM of a convolution, for small maps.
//
// The GEMM of gemm.go vectorises over output pixels: its 8×32 AVX-512 tile
// spends a third of its lanes on nothing for a 7×7 map (49 pixels in two
// strips of 32) and sends the edge strip through scratch. Most models'
// output channels are multiples of 32, so on small maps this path turns
// the product around, Cᵀ = colᵀ·Wᵀ: the weights are packed at compile
// time in strips of 32 output channels, k-major (packA with mr = 32), and
// a micro-kernel computes R pixels × 32 channels, two vector loads of
// weights and R broadcast pixel values per k. The pixels come from the
// same B panel [kc][ldb] the packers (conv.go, taps.go) write, so pixel r
// of a strip at step k is panel[k·ldb + j0 + r]; the edge strip's missing
// pixels are zero in the panel. A task accumulates its block of Cᵀ over
// the k-blocks in scratch, then transposes it into the NCHW output and
// applies the epilogue there, as convStep does.

// pixelStrip is the output channels of a pixel-major tile: two ZMM.
const pixelStrip = 32

// pixelKcMax is the pixel-major path's k-block: a weight strip of
// pixelKcMax·32 floats and the panel's lines of a strip of pixels stay
// in L1 together.
var pixelKcMax = 128

// pixelKernelFunc computes the R×32 tile
//
//	c[r·ldc+j] (+)= Σ_{k<kc} px[k·ldp+r]·w[k·32+j]  for r < R, j < 32,
//
// added to c's values when acc, and stores it into c, or, when dst is not
// nil, transposed into dst: dst[j·ldd+r], c left as it was. px holds
// (kc−1)·ldp+R values, w kc·32, dst 31·ldd+R.
type pixelKernelFunc func(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int)

// A pixelKernel is a pixel-major micro-kernel and its tile's height, R
// pixels.
type pixelKernel struct {
	name string
	r    int
	f    pixelKernelFunc
}

// pixelKernelRef is the reference of the pixel-major micro-kernels.
func pixelKernelRef(r, kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int) {
	for i := 0; i < r; i++ {
		for j := 0; j < pixelStrip; j++ {
			var s float32
			for k := 0; k < kc; k++ {
				s += px[k*ldp+i] * w[k*pixelStrip+j]
			}
			if acc {
				s += c[i*ldc+j]
			}
			if dst != nil {
				dst[j*ldd+i] = s
			} else {
				c[i*ldc+j] = s
			}
		}
	}
}

// pixelKernelsRef is the reference kernels at the assembly ones' heights:
// the pixel-major path where it is forced (tests) and the instruction set
// has no kernels of its own.
var pixelKernelsRef = []pixelKernel{
	{"ref7", 7, func(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int) {
		pixelKernelRef(7, kc, px, w, c, ldp, ldc, acc, dst, ldd)
	}},
	{"ref8", 8, func(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int) {
		pixelKernelRef(8, kc, px, w, c, ldp, ldc, acc, dst, ldd)
	}},
	{"ref14", 14, func(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int) {
		pixelKernelRef(14, kc, px, w, c, ldp, ldc, acc, dst, ldd)
	}},
}

// A convTStep is a convolution on the pixel-major path: a convStep whose
// weights are packed in strips of 32 channels and whose tasks are blocks
// of 32-channel strips by R-pixel strips (mk is that tile, with no
// function), run by the kernel pk. The task numbering is convStep's.
//
// When the map's pixels leave over a strip that a shorter kernel fits
// exactly, tail computes it: resnet50's 7×7 maps go in three strips of 14
// and one of 7, where 14-pixel strips alone would compute 56 pixels and 7
// alone would pass over the weights seven times. On resnet50's 7×7 layers
// that ran 1.08–1.19× as fast as strips of 7 (BenchmarkConvPaths, one
// thread; its stride-2 3×3 the same), and took 4% off resnet50's and
// resnet18's time on one thread.
type convTStep struct {
	convStep
	pixelPair
}

// A pixelPair is a pixel-major kernel and the tail that finishes its map
// (pixelTail; none when tail.f is nil).
type pixelPair struct{ pk, tail pixelKernel }

// newConvTStep compiles the convolution win for the pixel-major path with
// the kernel pk, and tail for the last strip when it has a function (see
// pixelTail).
func newConvTStep(win window, in, out *tensor, w []float32, ep epilogue, threads int, pk, tail pixelKernel) *convTStep {
	tile := microKernel{name: pk.name, mr: pixelStrip, nr: pk.r}
	return &convTStep{convStep: *newConvStepTiled(win, in, out, w, ep, threads, tile, pixelKcMax), pixelPair: pixelPair{pk, tail}}
}

// pixelTail is the kernel of kernels that computes exactly the pixels
// left over after whole strips of pk on a map of n pixels, if one is
// shorter than pk; otherwise none (f nil).
func pixelTail(kernels []pixelKernel, pk pixelKernel, n int) pixelKernel {
	if left := n % pk.r; left > 0 {
		for _, k := range kernels {
			if k.r == left {
				return k
			}
		}
	}
	return pixelKernel{}
}

// width is the pixels the kernels compute for ncols: whole strips of pk,
// but the tail's last where it fits exactly. A convolution task's
// columns are whole strips of pk but the map's last, so its tail is the
// map's.
func (pp *pixelPair) width(ncols int) int {
	if pp.tail.f != nil && ncols%pp.pk.r == pp.tail.r {
		return ncols
	}
	return (ncols + pp.pk.r - 1) / pp.pk.r * pp.pk.r
}

// lanes is the lanes the pair computes for n pixels, each divided by
// its kernel's speed relative to the GEMM's (pixelKernelSpeed).
func (pp *pixelPair) lanes(n int) float64 {
	if pp.tail.f == nil {
		return float64(pp.width(n)) / pixelKernelSpeed(pp.pk.r)
	}
	return float64(n/pp.pk.r*pp.pk.r)/pixelKernelSpeed(pp.pk.r) + float64(pp.tail.r)/pixelKernelSpeed(pp.tail.r)
}

// pixelLdb is the row length of a pixel-major B panel of cols columns:
// whole cache lines, an odd number of them, so that the kc rows a tile
// reads fall in different cache sets.
func pixelLdb(cols int) int { return ((cols+15)/16 | 1) * 16 }

// scratch is the floats of scratch a worker needs: the B panel and the
// task's block of Cᵀ, a [pixel][32] tile per strip of channels.
func (s *convTStep) scratch() int {
	return s.kc*pixelLdb(s.nBlock) + s.nBlock*s.mBlock
}

func (s *convTStep) run(c *execCtx, worker, task int) {
	g := &s.win
	nb := task % s.nBlocks
	task /= s.nBlocks
	mb := task % s.mBlocks
	task /= s.mBlocks
	grp := task % g.G
	b := task / g.G

	m0, m1 := mb*s.mBlock, min(s.mg, (mb+1)*s.mBlock)
	n0 := nb * s.nBlock
	ncols := min(s.nBlock, s.n-n0)
	r := s.pk.r
	padded := s.width(ncols)
	cg := g.C / g.G
	in := c.image(s.in, b)[grp*cg*g.H*g.W : (grp+1)*cg*g.H*g.W]
	out := c.image(s.out, b)[grp*s.mg*s.n : (grp+1)*s.mg*s.n]
	scratch := c.scratch[worker]
	ldb := pixelLdb(padded)
	bp := scratch[:s.kc*pixelLdb(s.nBlock)]
	ct := scratch[len(bp) : len(bp)+padded*((m1-m0+pixelStrip-1)/pixelStrip*pixelStrip)]
	ap := s.apack[grp*packedA(s.mg, s.kg, pixelStrip) : (grp+1)*packedA(s.mg, s.kg, pixelStrip)]
	for k0 := 0; k0 < s.kg; k0 += s.kc {
		kc := min(s.kc, s.kg-k0)
		s.packB(bp, ldb, in, k0, kc, n0, ncols)
		if padded > ncols {
			for k := 0; k < kc; k++ {
				clear(bp[k*ldb+ncols : k*ldb+padded])
			}
		}
		// Check once what the kernels, which do not, will read and write.
		_ = bp[(kc-1)*ldb+padded-1]
		a := ap[packedA(s.mg, k0, pixelStrip) : packedA(s.mg, k0, pixelStrip)+packedA(m1, kc, pixelStrip)]
		last := k0+kc == s.kg
		// A strip of weights stays in L1 while the kernel sweeps the
		// panel's pixel strips: the weights, the larger operand on
		// small maps, come from memory once. In the last k-block the
		// kernel stores whole tiles transposed, straight into the
		// output; edge tiles go through t, then the same way in Go.
		full := 0 // pixels of the whole tiles in the last k-block
		switch {
		case !last:
		case padded == ncols:
			full = ncols
		default:
			full = ncols / r * r
		}
		for m := m0; m < m1; m += pixelStrip {
			w := a[m*kc : (m+pixelStrip)*kc]
			t := ct[(m-m0)*padded : (m-m0+pixelStrip)*padded]
			rows := min(pixelStrip, m1-m)
			for p := 0; p < padded; {
				k := s.pk
				if p+r > padded {
					k = s.tail // the last strip, where width gave it the tail
				}
				var dst []float32
				if p < full && rows == pixelStrip {
					dst = out[m*s.n+n0+p:]
					_ = dst[(pixelStrip-1)*s.n+k.r-1]
				}
				k.f(kc, bp[p:], w, t[p*pixelStrip:], ldb, pixelStrip, k0 > 0, dst, s.n)
				p += k.r
			}
			switch {
			case !last:
			case rows < pixelStrip:
				transposeInto(out[m*s.n+n0:], s.n, t, rows, ncols)
			case full < ncols:
				transposeInto(out[m*s.n+n0+full:], s.n, t[full*pixelStrip:], rows, ncols-full)
			}
		}
	}
	s.epilogue(c, b, grp, m0, m1, n0, ncols, out)
}

// transposeInto writes the tile t of cols pixels by 32 channels
// (t[p·32+ch]) as rows channels of dst, rows ld apart:
// dst[ch·ld+p] = t[p·32+ch].
func transposeInto(dst []float32, ld int, t []float32, rows, cols int) {
	for ch := 0; ch < rows; ch++ {
		row := dst[ch*ld : ch*ld+cols]
		for p := range row {
			row[p] = t[p*pixelStrip+ch]
		}
	}
}

// The cost model's calibration, from BenchmarkConvPaths (least thread
// CPU time of each path, interleaved, on resnet50's and CIFAR's shapes on
// an AVX-512 Xeon): per lane, the pixel-major kernels run at about 0.94
// of the GEMM's speed for R = 7, 0.97 for R = 14, 0.91 for R = 8, packing
// included; the transpose costs about 1.2 cycles per output value; and a
// choice must gain 3%. It picks the pixel-major path for resnet50's 7×7
// and 14×14 layers (1.05-1.3× faster), not for 1×1 expansions at 14×14
// (0.9×: K = 256 leaves the transpose too large a share), 28×28 maps
// (about 1×) or CIFAR's (0.9×).
const (
	pixelTransposeCycles = 1.2
	pixelMinGain         = 0.03
)

// pixelMajorOff turns the pixel-major path off (tests and benchmarks: the
// same model with and without it; never switched while another test
// compiles).
var pixelMajorOff bool

// pixelKernelSpeed is the speed per lane of the R-pixel kernel relative
// to the GEMM.
func pixelKernelSpeed(r int) float64 {
	switch {
	case r >= 14:
		return 0.97 // half the passes over each weight strip of R = 7
	case r == 8:
		return 0.91
	}
	return 0.94
}

// choosePixelKernel picks the pixel-major kernel of set for the
// convolution win where the cost model expects it to beat set's GEMM, and
// its tail (pixelTail): the lanes each computes (whole tiles of both; the
// GEMM's 32-pixel strips waste most on small maps, the pixel-major
// 32-channel strips on narrow layers), plus the pixel-major path's
// transpose. Groups of fewer than 32 channels stay on the GEMM.
func choosePixelKernel(win *window, set *isa) (pk, tail pixelKernel, ok bool) {
	mg, n := win.M/win.G, win.OH*win.OW
	kg := win.C / win.G * win.KH * win.KW
	if pixelMajorOff || len(set.pixelGemm) == 0 || mg < pixelStrip {
		return pixelKernel{}, pixelKernel{}, false
	}
	round := func(v, m int) float64 { return float64((v + m - 1) / m * m) }
	mk := set.gemm
	direct := round(mg, mk.mr) * round(n, mk.nr) * float64(kg) / float64(max(mk.mr, mk.nr))
	best := direct * (1 - pixelMinGain)
	for _, k := range set.pixelGemm {
		pp := pixelPair{k, pixelTail(set.pixelGemm, k, n)}
		t := round(mg, pixelStrip)*pp.lanes(n)*float64(kg)/pixelStrip + pixelTransposeCycles*float64(mg*n)
		if t < best {
			best, pk, tail, ok = t, pp.pk, pp.tail, true
		}
	}
	return pk, tail, ok
}
