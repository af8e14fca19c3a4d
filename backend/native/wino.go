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
// Not yet the default (Options.winograd selects it): measured here, on
// one thread and by CPU time, resnet18 took 87–98 ms with it and 59 ms
// without, and the single layers of BenchmarkConv ran at 25–46 effective
// GFLOP/s against 57–83 direct. The transforms, scalar Go over one tile at
// a time, cost as much as the GEMMs they save; they need vector code (16
// tiles per ZMM, stride-2 loads split with permutes) before this wins.
//
//	Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//	G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 −1 −1]

const (
	winoKc    = 128 // input channels per k-block: the 16 V panels stay in L2
	winoTiles = 64  // tiles per task at most, unless a tile row is longer
)

// useWinograd reports whether a convolution of geometry g goes through
// F(2×2, 3×3): a 3×3 stride-1 undilated ungrouped one with enough
// channels that the transforms, paid per input and per output channel,
// are small beside the GEMMs.
func useWinograd(g *window) bool {
	return g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 &&
		g.G == 1 && g.C >= 32 && g.M >= 32 && g.OH >= 2 && g.OW >= 2
}

// A winoStep is a convolution by F(2×2, 3×3). Tasks are (image, block of
// output channels, block of tile rows); each transforms its patches
// k-block by k-block, runs the 16 GEMMs into its scratch, transforms the
// result into its rows of the output and applies the epilogue to them.
type winoStep struct {
	win     window
	in, out *tensor
	ep      epilogue
	mk      microKernel // the GEMM kernel the weights are packed for

	th, tw      int       // tile rows and columns
	upack       []float32 // per position, the transformed weights packed as convStep packs A
	mBlock      int       // output channels per task, a multiple of mr
	rowBlock    int       // tile rows per task
	mBlocks     int
	rowBlocks   int
	vLen, mbLen int // scratch floats of the 16 V panels and of the 16 M blocks
}

func newWinoStep(win window, in, out *tensor, w []float32, ep epilogue, threads int) *winoStep {
	s := &winoStep{win: win, in: in, out: out, ep: ep, mk: active.gemm}
	g := &s.win
	mr, nr := s.mk.mr, s.mk.nr
	s.th, s.tw = (g.OH+1)/2, (g.OW+1)/2

	// U_p = G g Gᵀ for every output and input channel, packed per position.
	u := make([]float32, 16*g.M*g.C)
	for m := 0; m < g.M; m++ {
		for c := 0; c < g.C; c++ {
			var t [16]float32
			winoWeight(w[(m*g.C+c)*9:(m*g.C+c+1)*9], &t)
			for p, v := range t {
				u[(p*g.M+m)*g.C+c] = v
			}
		}
	}
	per := packedA(g.M, g.C, mr)
	s.upack = make([]float32, 16*per)
	for p := 0; p < 16; p++ {
		for k0 := 0; k0 < g.C; k0 += winoKc {
			kc := min(winoKc, g.C-k0)
			packA(s.upack[p*per+packedA(g.M, k0, mr):], u[p*g.M*g.C:(p+1)*g.M*g.C], g.C, g.M, k0, kc, mr)
		}
	}

	// Whole tile rows per task, about winoTiles tiles; then as many
	// channel blocks as it takes to give every thread two tasks.
	s.rowBlock = max(1, min(s.th, winoTiles/s.tw))
	s.rowBlocks = (s.th + s.rowBlock - 1) / s.rowBlock
	strips := (g.M + mr - 1) / mr
	want := min(strips, max(1, (2*threads+s.rowBlocks-1)/s.rowBlocks))
	s.mBlock = (strips + want - 1) / want * mr
	s.mBlocks = (g.M + s.mBlock - 1) / s.mBlock
	tiles := s.rowBlock * s.tw
	s.vLen = 16 * min(winoKc, g.C) * ldbFor(tiles, nr)
	s.mbLen = 16 * s.mBlock * tiles
	return s
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

func (s *winoStep) tasks(c *execCtx) int { return c.batch * s.mBlocks * s.rowBlocks }

func (s *winoStep) run(c *execCtx, worker, task int) {
	g := &s.win
	rb := task % s.rowBlocks
	task /= s.rowBlocks
	mb := task % s.mBlocks
	b := task / s.mBlocks
	m0, m1 := mb*s.mBlock, min(g.M, (mb+1)*s.mBlock)
	ty0, ty1 := rb*s.rowBlock, min(s.th, (rb+1)*s.rowBlock)
	tiles := (ty1 - ty0) * s.tw
	mr, nr := s.mk.mr, s.mk.nr
	ldb := ldbFor(tiles, nr)
	kcMax := min(winoKc, g.C)

	scratch := c.scratch[worker]
	tile := scratch[:mr*nr]
	v := scratch[mr*nr : mr*nr+s.vLen]
	mbuf := scratch[mr*nr+s.vLen : mr*nr+s.vLen+s.mbLen]
	rows := m1 - m0
	in := c.image(s.in, b)
	out := c.image(s.out, b)
	per := packedA(g.M, g.C, mr)
	for k0 := 0; k0 < g.C; k0 += winoKc {
		kc := min(winoKc, g.C-k0)
		s.transformInput(in, v, kcMax*ldb, ldb, k0, kc, ty0, ty1)
		for p := 0; p < 16; p++ {
			ap := s.upack[p*per+packedA(g.M, k0, mr):]
			ap = ap[m0*kc : packedA(g.M, kc, mr)]
			gemmBlock(&s.mk, ap, v[p*kcMax*ldb:], mbuf[p*rows*tiles:(p+1)*rows*tiles], ldb, tiles, 0, rows, 0, tiles, kc, k0 > 0, tile)
		}
	}
	s.transformOutput(mbuf, out, m0, m1, ty0, ty1)
	if !s.ep.empty() {
		n := g.OH * g.OW
		y0, y1 := 2*ty0, min(g.OH, 2*ty1)
		lo, hi := m0*n+y0*g.OW, (m1-1)*n+y1*g.OW
		s.ep.tile(out[lo:hi], s.ep.residual(c, b, lo, hi), n, m0, rows, (y1-y0)*g.OW)
	}
}

func (s *winoStep) imageTasks() int { return s.mBlocks * s.rowBlocks }

// transformInput writes Bᵀ d B of the 4×4 patch d of every tile in rows
// [ty0, ty1) and every input channel in [k0, k0+kc) into the panels v:
// position p's panel at v[p·pstride:], channel rows ldb apart, a column
// per tile.
func (s *winoStep) transformInput(in, v []float32, pstride, ldb, k0, kc, ty0, ty1 int) {
	g := &s.win
	hw := g.H * g.W
	for ci := 0; ci < kc; ci++ {
		plane := in[(k0+ci)*hw : (k0+ci+1)*hw]
		col := ci * ldb
		for ty := ty0; ty < ty1; ty++ {
			iy := 2*ty - g.PT
			for tx := 0; tx < s.tw; tx++ {
				ix := 2*tx - g.PL
				var d [16]float32
				if iy >= 0 && iy+4 <= g.H && ix >= 0 && ix+4 <= g.W {
					for i := 0; i < 4; i++ {
						copy(d[4*i:4*i+4], plane[(iy+i)*g.W+ix:])
					}
				} else {
					for i := 0; i < 4; i++ {
						if y := iy + i; y >= 0 && y < g.H {
							for j := 0; j < 4; j++ {
								if x := ix + j; x >= 0 && x < g.W {
									d[4*i+j] = plane[y*g.W+x]
								}
							}
						}
					}
				}
				// Bᵀ d: rows d0−d2, d1+d2, d2−d1, d1−d3; then the same on
				// each row's columns.
				var t [16]float32
				for j := 0; j < 4; j++ {
					d0, d1, d2, d3 := d[j], d[4+j], d[8+j], d[12+j]
					t[j], t[4+j], t[8+j], t[12+j] = d0-d2, d1+d2, d2-d1, d1-d3
				}
				for i := 0; i < 4; i++ {
					x0, x1, x2, x3 := t[4*i], t[4*i+1], t[4*i+2], t[4*i+3]
					o := (4*i)*pstride + col
					v[o] = x0 - x2
					v[o+pstride] = x1 + x2
					v[o+2*pstride] = x2 - x1
					v[o+3*pstride] = x1 - x3
				}
				col++
			}
		}
	}
}

// transformOutput writes Aᵀ M A of every tile in rows [ty0, ty1) and
// every output channel in [m0, m1) into the output, dropping the values
// past its edges; mbuf holds M_p for the task's channels and tiles,
// position by position.
func (s *winoStep) transformOutput(mbuf, out []float32, m0, m1, ty0, ty1 int) {
	g := &s.win
	rows, tiles := m1-m0, (ty1-ty0)*s.tw
	pstride := rows * tiles
	n := g.OH * g.OW
	for r := 0; r < rows; r++ {
		o := out[(m0+r)*n : (m0+r+1)*n]
		t := 0
		for ty := ty0; ty < ty1; ty++ {
			y := 2 * ty
			for tx := 0; tx < s.tw; tx++ {
				var q [16]float32
				base := r*tiles + t
				for p := range q {
					q[p] = mbuf[p*pstride+base]
				}
				t++
				// Aᵀ q: rows q0+q1+q2, q1−q2−q3; then the same on columns.
				var a [8]float32
				for j := 0; j < 4; j++ {
					q0, q1, q2, q3 := q[j], q[4+j], q[8+j], q[12+j]
					a[j], a[4+j] = q0+q1+q2, q1-q2-q3
				}
				x := 2 * tx
				for i := 0; i < 2 && y+i < g.OH; i++ {
					x0, x1, x2, x3 := a[4*i], a[4*i+1], a[4*i+2], a[4*i+3]
					row := o[(y+i)*g.OW:]
					row[x] = x0 + x1 + x2
					if x+1 < g.OW {
						row[x+1] = x1 - x2 - x3
					}
				}
			}
		}
	}
}
