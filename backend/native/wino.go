package native

// Winograd's F(2×2, 3×3): a stride-1 3×3 convolution computes each 2×2
// block of its output (a tile) from the 4×4 input patch under it as
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// per pair of output and input channels, the products summed over the
// input channels. Over all channels that is 16 independent GEMMs, one per
// position p of the 4×4 transformed tile: M_p[M×T] = U_p[M×C]·V_p[C×T]
// with U_p the transformed weights, V_p the transformed input patches of
// the T tiles. It takes 16 multiplications per tile and channel pair where
// the direct convolution takes 36, and the transforms only add and halve
// (the coefficients are 0, ±1 and ½), so the error stays that of a sum of
// the same length (tested against the direct kernel).
//
// The transforms work on a tile row at a time (winorow.go): with AVX-512,
// 16 tiles per ZMM register, the patches' columns split out of the input
// rows by permutes and each position's 16 values stored with one masked
// store straight into the panel the GEMM kernel reads; the output
// transform interleaves the two columns of each output row by permutes.
// The AVX2 twins do the same with 8 tiles per YMM register.
// The scalar Go transforms cost as much as the GEMMs they save (resnet18
// took 87–98 ms with them against 59 ms direct, on one thread), so the
// step goes only where the vector ones run (see useWinograd).
//
//	Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//	G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 −1 −1]

import "math"

const (
	winoKc    = 128 // input channels per k-block: the 16 V panels stay in L2
	winoTiles = 32  // tiles per task at most: one strip of the AVX-512 kernel, V and M in L2
)

// winogradApplies reports whether F(2×2, 3×3) can compute a convolution
// of geometry g: a 3×3 stride-1 undilated one, group by group if grouped.
func winogradApplies(g *window) bool {
	return g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 &&
		g.OH >= 2 && g.OW >= 2
}

// A winoMode says which convolutions go through F(2×2, 3×3).
type winoMode int8

const (
	winoAuto   winoMode = iota // where useWinograd expects it to win (the default)
	winoAlways                 // wherever it applies (tests)
	winoNever                  // nowhere (tests, benchmarks of the direct path)
)

// use reports whether a convolution of geometry g goes through Winograd.
func (m winoMode) use(g *window) bool {
	switch m {
	case winoAlways:
		return winogradApplies(g)
	case winoNever:
		return false
	}
	return useWinograd(g)
}

// useWinograd is the cost model that chooses F(2×2, 3×3) over the direct
// GEMM. It needs the vector transforms (in Go they cost as much as the
// GEMMs saved) and at least 16 input and output channels per group (the
// 16 GEMMs are C/G deep), and its GEMM columns — 16 per tile, each image's tiles
// rounded up to whole strips of the kernel's nr — times the transforms'
// and short GEMMs' overhead, winoOverhead, must be fewer than the direct
// GEMM's 9 per output pixel.
//
// BenchmarkConv calibrates winoOverhead (one thread, CPU time, direct and
// Winograd in the same run, AVX-512). Measured speedups against the
// direct GEMM, and the overhead they imply: 56×56 with 64 channels 1.5–2×
// (1.1–1.5), 28×28 with 128 1.7× (1.2), 14×14 with 256 1.3× (1.3),
// 32×32 with 16 1.75× (1.3), 16×16 with 32 1.24× (1.8); at 8×8 with 64
// (0.64×) and 7×7 with 512 (0.7×) the 16 tiles fill half a strip and it
// loses, as the rounding predicts. 1.6 keeps a margin.
//
// Where the instruction set has a half-width kernel (microKernel.half),
// 16 tiles are a whole half strip: CIFAR's 8×8 maps with 64 channels then
// ran 1.32× as fast as the direct GEMM, so an even map that the
// pixel-major path does not take counts its tiles at that width. An odd
// map's tiles compute a border of outputs it drops, which the model does
// not count: at 7×7 with 512 channels Winograd measured no faster than
// the GEMM (1.00×) and the pixel-major path 1.21×, so 7×7 keeps whole
// strips. With AVX2 (nr 16;
// RESC_BENCH_ISA=avx2) those 16 tiles are a whole strip and Winograd won
// everywhere: 1.6× at 56×56, 1.7× at 28×28, 1.55× at 14×14, 1.76× at 7×7,
// 1.4× at 8×8, 1.25× at 32×32 with 16 channels.
func useWinograd(g *window) bool {
	if !winogradApplies(g) || active.winoIn == nil || active.winoOut == nil || g.C/g.G < 16 || g.M/g.G < 16 {
		return false
	}
	if g.G > 1 && g.C/g.G < winoMinGroup {
		return false
	}
	mk := &active.gemm
	tiles := (g.OH + 1) / 2 * ((g.OW + 1) / 2)
	columns := (tiles + mk.nr - 1) / mk.nr * mk.nr
	if g.OH%2 == 0 && g.OW%2 == 0 {
		if _, _, pixel := choosePixelKernel(g, active); !pixel {
			columns = mk.width(tiles)
		}
	}
	return 16*float64(columns)*winoOverhead < float64(9*g.OH*g.OW)
}

// winoMinGroup is the fewest input channels per group for which a
// grouped convolution goes through Winograd, group by group; narrower
// groups take the tap path. Whole models, one thread, in-process A/B,
// median time with grouped Winograd over without: resnest50d (radix-2
// groups of 32 to 256) 0.87–0.88, regnet_x_1_6gf (groups of 24)
// 0.98–0.99, regnet_y_1_6gf 0.98, regnet_x_400mf (groups of 16) 1.01–1.02.
const winoMinGroup = 24

// winoOverhead is the cost of F(2×2, 3×3)'s transforms and short GEMMs,
// as a factor on its GEMM columns (see useWinograd).
const winoOverhead = 1.6

// A winoStep is a convolution by F(2×2, 3×3), group by group when it is
// grouped. The tiles are numbered row by row; tasks are (image, group,
// block of the group's output channels, run of tiles). Each
// task transforms its patches k-block by k-block, runs the 16 GEMMs
// into its scratch, transforms the result into its part of the output
// and applies the epilogue to it.
type winoStep struct {
	win     window
	in, out *tensor
	ep      epilogue
	mk      microKernel // the GEMM kernel the weights are packed for
	// pix, where not nil, runs the 16 GEMMs on the pixel-major path (see
	// winoPixelKernels); mk is then its tile, 32 channels by pk.r tiles.
	pix *pixelPair
	kc  int // input channels per k-block

	th, tw      int       // tile rows and columns
	mg, cg      int       // output and input channels per group
	upack       []float32 // per group and position, the transformed weights packed as convStep packs A
	mBlock      int       // output channels per task, a multiple of mr
	tBlock      int       // tiles per task
	mBlocks     int
	tBlocks     int
	vLen, mbLen int // scratch floats of the 16 V panels and of the 16 M blocks (rows of whole nr strips)
}

func newWinoStep(win window, in, out *tensor, w []float32, ep epilogue, threads int) *winoStep {
	s := &winoStep{win: win, in: in, out: out, ep: ep, mk: active.gemm, kc: winoKc}
	g := &s.win
	s.th, s.tw = (g.OH+1)/2, (g.OW+1)/2
	s.mg, s.cg = g.M/g.G, g.C/g.G
	mg, cg := s.mg, s.cg
	if pp, ok := winoPixelKernels(active, mg, cg, s.th*s.tw); ok {
		s.pix = &pp
		s.mk = microKernel{name: pp.pk.name, mr: pixelStrip, nr: pp.pk.r}
		s.kc = cg
	}
	mr, nr := s.mk.mr, s.mk.nr

	// U_p = G g Gᵀ for every output and input channel of each group,
	// packed per group and position.
	per := packedA(mg, cg, mr)
	s.upack = make([]float32, g.G*16*per)
	u := make([]float32, 16*mg*cg)
	for grp := 0; grp < g.G; grp++ {
		wg := w[grp*mg*cg*9 : (grp+1)*mg*cg*9]
		for m := 0; m < mg; m++ {
			for c := 0; c < cg; c++ {
				var t [16]float32
				winoWeight(wg[(m*cg+c)*9:(m*cg+c+1)*9], &t)
				for p, v := range t {
					u[(p*mg+m)*cg+c] = v
				}
			}
		}
		for p := 0; p < 16; p++ {
			dst := s.upack[(grp*16+p)*per:]
			for k0 := 0; k0 < cg; k0 += s.kc {
				kc := min(s.kc, cg-k0)
				packA(dst[packedA(mg, k0, mr):], u[p*mg*cg:(p+1)*mg*cg], cg, mg, k0, kc, mr)
			}
		}
	}

	// Runs of about winoTiles tiles, whole strips of the kernel's nr
	// columns where there are more; then the blocks of output channels
	// whose schedule ends first.
	tiles := s.th * s.tw
	s.tBlock = tiles
	if tiles > winoTiles && s.pix == nil {
		s.tBlock = max(nr, winoTiles/nr*nr)
	}
	s.tBlocks = (tiles + s.tBlock - 1) / s.tBlock
	strips := (mg + mr - 1) / mr
	perM := winoChannelStrips(strips, tiles, s.tBlock, g.G, cg, threads, mr, nr)
	s.mBlock = perM * mr
	s.mBlocks = (mg + s.mBlock - 1) / s.mBlock
	s.vLen = 16 * min(s.kc, cg) * s.ldb(s.tBlock)
	s.mbLen = 16 * s.mBlock * s.width(s.tBlock)
	return s
}

// winoPixelMaxTiles and winoPixelMaxK bound the maps and channels whose
// 16 GEMMs go pixel-major: one run of tiles a task, one k-block.
const (
	winoPixelMaxTiles = 64
	winoPixelMaxK     = 256
)

// winoPixelKernels picks pixel-major kernels for the 16 GEMMs of a map of
// tiles tiles, mg output and cg input channels per group, where they
// compute fewer lanes, for their speed, than set's GEMM, whose strips
// leave most of one empty on such maps: resnet50's 14×14 layers have 49
// tiles, two strips of 32 where strips of 14, 14, 14 and 7 fit them
// exactly. The tiles are the kernels' pixels, the transformed weights
// their 32-channel strips; each task takes its tiles in one run and its
// channels in one k-block, so that each kernel call stores its finished
// sums transposed, straight into M.
func winoPixelKernels(set *isa, mg, cg, tiles int) (pixelPair, bool) {
	if pixelMajorOff || len(set.pixelGemm) == 0 || mg%pixelStrip != 0 || cg > winoPixelMaxK || tiles > winoPixelMaxTiles {
		return pixelPair{}, false
	}
	best, pick := float64(set.gemm.width(tiles)), pixelPair{}
	for _, k := range set.pixelGemm {
		pp := pixelPair{k, pixelTail(set.pixelGemm, k, tiles)}
		if l := pp.lanes(tiles); l < best {
			best, pick = l, pp
		}
	}
	return pick, pick.pk.f != nil
}

// width is the GEMM columns, M's row length, for n tiles.
func (s *winoStep) width(n int) int {
	if s.pix != nil {
		return s.pix.width(n)
	}
	return s.mk.width(n)
}

// ldb is the row length of the V panels for n tiles.
func (s *winoStep) ldb(n int) int {
	if s.pix != nil {
		return pixelLdb(s.pix.width(n))
	}
	return ldbFor(n, s.mk.nr)
}

// winoWeight is G g Gᵀ of one 3×3 kernel g (row-major), 4×4 row-major.
func winoWeight(g []float32, u *[16]float32) {
	var t [12]float32 // G g, 4×3
	for j := 0; j < 3; j++ {
		g0, g1, g2 := g[j], g[3+j], g[6+j]
		t[j], t[3+j], t[6+j], t[9+j] = g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2
	}
	for i := 0; i < 4; i++ {
		a, b, c := t[3*i], t[3*i+1], t[3*i+2]
		u[4*i], u[4*i+1], u[4*i+2], u[4*i+3] = a, (a+b+c)/2, (a-b+c)/2, c
	}
}

func (s *winoStep) scratch() int { return s.mk.mr*s.mk.nr + s.vLen + s.mbLen }

func (s *winoStep) tasks(c *execCtx) int { return c.batch * s.imageTasks() }

func (s *winoStep) run(c *execCtx, worker, task int) {
	g := &s.win
	tb := task % s.tBlocks
	task /= s.tBlocks
	mb := task % s.mBlocks
	task /= s.mBlocks
	grp := task % g.G
	b := task / g.G
	m0, m1 := mb*s.mBlock, min(s.mg, (mb+1)*s.mBlock) // in the group
	t0, t1 := tb*s.tBlock, min(s.th*s.tw, (tb+1)*s.tBlock)
	tiles := t1 - t0
	mr, nr := s.mk.mr, s.mk.nr
	ldb := s.ldb(tiles)
	// M's rows hold whole strips, so that the kernel writes even the last
	// one in place: the columns past the tiles are computed from
	// whatever the panels hold there and never read.
	ldc := s.width(tiles)
	kcMax := min(s.kc, s.cg)

	scratch := c.scratch[worker]
	tile, scratch := scratch[:mr*nr], scratch[mr*nr:]
	v, mbuf := scratch[:s.vLen], scratch[s.vLen:s.vLen+s.mbLen]
	rows := m1 - m0
	in := c.image(s.in, b)[grp*s.cg*g.H*g.W : (grp+1)*s.cg*g.H*g.W]
	out := c.image(s.out, b)
	per := packedA(s.mg, s.cg, mr)
	for k0 := 0; k0 < s.cg; k0 += s.kc {
		kc := min(s.kc, s.cg-k0)
		s.transformInput(in, v, kcMax*ldb, ldb, k0, kc, t0, t1)
		for p := 0; p < 16; p++ {
			ap := s.upack[(grp*16+p)*per+packedA(s.mg, k0, mr):]
			ap = ap[m0*kc : packedA(s.mg, kc, mr)]
			mp := mbuf[p*rows*ldc : (p+1)*rows*ldc]
			if s.pix != nil {
				s.pixelGemm(ap, v[p*kcMax*ldb:], mp, ldb, ldc, rows, kc, tile)
				continue
			}
			gemmBlock(&s.mk, ap, v[p*kcMax*ldb:], mp, ldb, ldc, 0, rows, 0, ldc, kc, k0 > 0, tile, nil)
		}
	}
	s.transformOutput(c, b, mbuf, ldc, out, grp*s.mg+m0, grp*s.mg+m1, t0, t1)
}

// pixelGemm computes one position's M[rows×ldc] = U·V on the pixel-major
// path, its one k-block of kc channels: for each 32-channel strip of the
// weights ap, the kernels sweep V's tiles (panel v, rows ldb apart) and
// store each tile strip's sums transposed into M. rows is a multiple of
// 32 (winoPixelKernels); tile is the kernels' scratch, which a transposed
// store leaves alone.
func (s *winoStep) pixelGemm(ap, v, m []float32, ldb, ldc, rows, kc int, tile []float32) {
	for r := 0; r < rows; r += pixelStrip {
		w := ap[r*kc : (r+pixelStrip)*kc]
		dst := m[r*ldc:]
		_ = dst[(pixelStrip-1)*ldc+ldc-1]
		for q := 0; q < ldc; {
			k := s.pix.pk
			if q+k.r > ldc {
				k = s.pix.tail // the last strip, where width gave it the tail
			}
			k.f(kc, v[q:], w, tile, ldb, pixelStrip, false, dst[q:], ldc)
			q += k.r
		}
	}
}

// segments calls f for each tile row ty that the tiles [t0, t1) touch,
// with the run's first tile a and its first column tx0 in that row, and
// the number of tiles n.
func (s *winoStep) segments(t0, t1 int, f func(ty, a, tx0, n int)) {
	for ty := t0 / s.tw; ty*s.tw < t1; ty++ {
		a, e := max(t0, ty*s.tw), min(t1, (ty+1)*s.tw)
		f(ty, a, a-ty*s.tw, e-a)
	}
}

func (s *winoStep) imageTasks() int { return s.win.G * s.mBlocks * s.tBlocks }

// transformInput writes Bᵀ d B of the 4×4 patch d of every tile in
// [t0, t1) and every input channel in [k0, k0+kc) into the panels v:
// position p's panel at v[p·pstride:], channel rows ldb apart, a column
// per tile.
func (s *winoStep) transformInput(in, v []float32, pstride, ldb, k0, kc, t0, t1 int) {
	g := &s.win
	hw := g.H * g.W
	s.segments(t0, t1, func(ty, a, tx0, n int) {
		winoIn(in[k0*hw:], 2*ty-g.PT, 2*tx0-g.PL, g.H, g.W, v[a-t0:], pstride, n, kc, hw, ldb)
	})
}

// transformOutput writes Aᵀ M A of every tile in [t0, t1) and every
// output channel in [m0, m1) into the output, dropping the values past
// its edges, and applies the epilogue to them row by row while they are
// in cache; mbuf holds M_p for the task's channels and tiles, position by
// position, rows ldc apart.
func (s *winoStep) transformOutput(c *execCtx, b int, mbuf []float32, ldc int, out []float32, m0, m1, t0, t1 int) {
	g := &s.win
	rows := m1 - m0
	pstride := rows * ldc
	n := g.OH * g.OW
	s.segments(t0, t1, func(ty, a, tx0, nt int) {
		y, x := 2*ty, 2*tx0
		w := min(g.OW-x, 2*nt)
		yrows := min(2, g.OH-y)
		for r := 0; r < rows; r++ {
			o := out[(m0+r)*n+y*g.OW+x:]
			winoOut(mbuf[r*ldc+a-t0:], pstride, o, g.OW, nt, w, yrows)
		}
		if s.ep.empty() {
			return
		}
		for i := 0; i < yrows; i++ {
			lo := m0*n + (y+i)*g.OW + x
			hi := lo + (rows-1)*n + w
			s.ep.tile(out[lo:hi], s.ep.residual(c, b, lo, hi), n, m0, rows, w)
		}
	})
}

// The cost model of winoChannelStrips, in cycles.
const (
	winoInCycles   = 8    // transforming one input channel of one tile
	winoOutCycles  = 8    // transforming one output channel of one tile, with its epilogue
	winoTaskCycles = 2000 // dispatch and set-up per task
)

// winoChannelStrips is how many strips of mr output channels a
// Winograd task takes, out of strips, for threads workers, when each
// group's tiles go in runs of tBlock: the split whose schedule ends first
// (makespan). Every block of channels transforms its tiles' input again,
// so the channels split only where the threads would otherwise wait.
//
// The rule it replaced gave every thread at least two tasks, splitting the
// channels of a layer with few runs of tiles (16×16 and 14×14 maps, two
// runs) in two and transforming their input twice. On 2 threads this
// made cifar_resnet56's median run 0.91–0.93 of its time, at batch 1 and
// 8 (in-process A/B, 100–300 interleaved pairs); resnet50, resnet18,
// resnext50_32x4d, skresnet34 and res2net50_26w_4s moved by under 1.5%.
func winoChannelStrips(strips, tiles, tBlock, groups, cg, threads, mr, nr int) int {
	if threads == 1 {
		return strips
	}
	macsPerCycle := float64(max(mr, nr))
	cost := func(rows, cols int, _ bool) float64 {
		padded := (cols + nr - 1) / nr * nr // the GEMMs' columns: whole strips
		return 16*float64(rows*mr*padded*cg)/macsPerCycle + float64(cols*cg)*winoInCycles +
			float64(rows*mr*cols)*winoOutCycles + winoTaskCycles
	}
	free := make([]float64, threads)
	best, perM := math.Inf(1), strips
	for blocks := 1; blocks <= strips; blocks++ {
		pm := (strips + blocks - 1) / blocks
		if (strips+pm-1)/pm != blocks {
			continue // no split has that many blocks
		}
		if est := makespan(free, strips, tiles, pm, tBlock, groups, cost); est < best*0.999 {
			best, perM = est, pm
		}
	}
	return perM
}
