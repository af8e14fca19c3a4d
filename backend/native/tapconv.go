package native

// A tapConvStep runs a grouped stride-1 convolution as a GEMM whose B
// matrix is never built. For such a convolution the im2col row of tap
// (c, ky, kx) is the input plane c shifted by (ky·DH, kx·DW); in a copy of
// the input zero-padded to rows of wp = PL+W+PR floats, every one of those
// rows is the same flat stretch of memory read from a different offset,
// if the output is computed in padded coordinates too (wp columns an
// output row, the last wp−OW of them junk, dropped when the result is
// copied out). The micro-kernel takes the offset of each k's row from a
// table instead of k·ldb (tapKernelFunc), so a task copies each input value
// once where im2col copies it KH·KW times.
//
// That copy is what a grouped convolution's GEMM spends its time on: with
// few output channels per group (4 to 32 in a ResNeXt) each gathered value
// serves only that many multiply-adds, and convStep ran them at about 10
// GFLOP/s. Tasks are (image, group, block of output channels, block of
// output rows), the image outermost.
type tapConvStep struct {
	win     window
	in, out *tensor
	ep      epilogue
	mk      tapKernel

	mg, cg, kg int       // per group: output channels, input channels, reduction length
	kc         int       // k-block length (the last may be shorter)
	apack      []float32 // per group, per k-block: packedA(mg, kc) values, as convStep packs them
	offs       []int32   // per k, the offset of its row in the padded block, in floats
	wp         int       // padded row length, PL+W+PR
	rowBlock   int       // output rows per task
	rowBlocks  int
	mBlock     int // output channels per task, a multiple of mr
	mBlocks    int
	padLen     int // floats of the padded block: cg planes and the overrun of the last strip
	ldc        int // row length of the result in scratch: whole strips of nr
}

// A tapKernel is a micro-kernel reading B through a row-offset table and
// the shape of its tile.
type tapKernel struct {
	name   string
	mr, nr int
	f      tapKernelFunc
}

// tapKernelFunc computes the mr×nr tile
// c[r·ldc+j] (+)= Σ_{k<kc} a[k·mr+r]·b[offs[k]+j], added to c's values
// when acc.
type tapKernelFunc func(kc int, a, b *float32, offs *int32, c *float32, ldc int, acc bool)

// tapKernelRef is the reference of the tap micro-kernels.
func tapKernelRef(mr, nr, kc int, a, b []float32, offs []int32, c []float32, ldc int, acc bool) {
	for r := 0; r < mr; r++ {
		for j := 0; j < nr; j++ {
			var s float32
			for k := 0; k < kc; k++ {
				s += a[k*mr+r] * b[int(offs[k])+j]
			}
			if acc {
				c[r*ldc+j] += s
			} else {
				c[r*ldc+j] = s
			}
		}
	}
}

// tapConvApplies reports whether a convolution goes through tapConvStep:
// grouped, stride 1, with few output channels per group or a small map,
// and the active instruction set has a tap kernel. With many channels per
// group on a large map each packed value serves enough multiply-adds for
// convStep's packing not to matter, and convStep was faster (RegNet's
// 48-channel groups at 56×56: 1.04× tapConvStep's time; ResNeXt's
// 4-channel groups at 56×56: 1.85×, 8 at 28×28: 1.4×, 48 at 7×7: 1.14×,
// minimum CPU time of interleaved runs).
func tapConvApplies(g *window) bool {
	return active.tapGemm.f != nil && g.G > 1 && g.C > g.G && g.SH == 1 && g.SW == 1 &&
		(g.M/g.G <= 32 || g.OH*g.OW <= 256)
}

const tapCols = 1024 // padded output columns per task, about: the block stays in L2

func newTapConvStep(win window, in, out *tensor, w []float32, ep epilogue, threads int) *tapConvStep {
	s := &tapConvStep{win: win, in: in, out: out, ep: ep, mk: active.tapGemm}
	g := &s.win
	s.mg, s.cg = g.M/g.G, g.C/g.G
	if n := active.tapNarrow; n.f != nil && s.mg <= n.mr {
		s.mk = n
	}
	mr, nr := s.mk.mr, s.mk.nr
	s.kg = s.cg * g.KH * g.KW
	nk := (s.kg + kcMax - 1) / kcMax
	s.kc = (s.kg + nk - 1) / nk
	s.apack = make([]float32, g.G*packedA(s.mg, s.kg, mr))
	for grp := 0; grp < g.G; grp++ {
		wg := w[grp*s.mg*s.kg : (grp+1)*s.mg*s.kg]
		base := grp * packedA(s.mg, s.kg, mr)
		for k0 := 0; k0 < s.kg; k0 += s.kc {
			kc := min(s.kc, s.kg-k0)
			packA(s.apack[base+packedA(s.mg, k0, mr):], wg, s.kg, s.mg, k0, kc, mr)
		}
	}

	s.wp = g.PL + g.W + g.PR
	s.rowBlock = max(1, min(g.OH, tapCols/s.wp))
	if tasks := g.G * ((g.OH + s.rowBlock - 1) / s.rowBlock); tasks < 4*threads {
		// Too few tasks to share out: smaller row blocks.
		s.rowBlock = max(1, g.OH*g.G/(4*threads))
		s.rowBlock = min(s.rowBlock, g.OH)
	}
	s.rowBlocks = (g.OH + s.rowBlock - 1) / s.rowBlock
	s.mBlock = (s.mg + mr - 1) / mr * mr
	if s.mBlock > 128 {
		s.mBlock = 64
	}
	s.mBlocks = (s.mg + s.mBlock - 1) / s.mBlock

	rows := (s.rowBlock - 1) + (g.KH-1)*g.DH + 1 // padded input rows a task reads
	plane := rows * s.wp
	s.offs = make([]int32, s.kg)
	for k := range s.offs {
		c, t := k/(g.KH*g.KW), k%(g.KH*g.KW)
		s.offs[k] = int32(c*plane + t/g.KW*g.DH*s.wp + t%g.KW*g.DW)
	}
	s.ldc = (s.rowBlock*s.wp + nr - 1) / nr * nr
	s.padLen = s.cg*plane + (g.KW-1)*g.DW + nr
	return s
}

// scratch is the floats of scratch a worker needs: the padded block and
// the result in padded coordinates.
func (s *tapConvStep) scratch() int { return s.padLen + s.mBlock*s.ldc }

func (s *tapConvStep) tasks(c *execCtx) int {
	return c.batch * s.win.G * s.mBlocks * s.rowBlocks
}

func (s *tapConvStep) run(c *execCtx, worker, task int) {
	g := &s.win
	rb := task % s.rowBlocks
	task /= s.rowBlocks
	mb := task % s.mBlocks
	task /= s.mBlocks
	grp := task % g.G
	b := task / g.G

	oy0, oy1 := rb*s.rowBlock, min(g.OH, (rb+1)*s.rowBlock)
	m0, m1 := mb*s.mBlock, min(s.mg, (mb+1)*s.mBlock)
	in := c.image(s.in, b)[grp*s.cg*g.H*g.W : (grp+1)*s.cg*g.H*g.W]
	out := c.image(s.out, b)[grp*s.mg*g.OH*g.OW : (grp+1)*s.mg*g.OH*g.OW]
	scratch := c.scratch[worker]
	pad := scratch[:s.padLen]
	res := scratch[s.padLen : s.padLen+s.mBlock*s.ldc]

	rows := (s.rowBlock - 1) + (g.KH-1)*g.DH + 1
	s.fillPad(pad, in, oy0-g.PT, rows)

	// The GEMM in padded coordinates: ncols columns, in whole strips (the
	// pad's overrun covers the last one's extra reads).
	ncols := (oy1 - oy0) * s.wp
	mr, nr := s.mk.mr, s.mk.nr
	ap := s.apack[grp*packedA(s.mg, s.kg, mr):]
	for k0 := 0; k0 < s.kg; k0 += s.kc {
		kc := min(s.kc, s.kg-k0)
		a := ap[packedA(s.mg, k0, mr):]
		offs := &s.offs[k0]
		for row := m0; row < m1; row += mr {
			ar := &a[row*kc]
			cr := res[(row-m0)*s.ldc:]
			for j := 0; j < ncols; j += nr {
				s.mk.f(kc, ar, &pad[j], offs, &cr[j], s.ldc, k0 > 0)
			}
		}
	}

	// Drop the junk columns, then the epilogue on the finished rows.
	for m := m0; m < m1; m++ {
		src := res[(m-m0)*s.ldc:]
		dst := out[m*g.OH*g.OW:]
		for y := oy0; y < oy1; y++ {
			copy(dst[y*g.OW:(y+1)*g.OW], src[(y-oy0)*s.wp:])
		}
	}
	if !s.ep.empty() {
		n := g.OH * g.OW
		base := grp * s.mg * n
		lo, hi := m0*n+oy0*g.OW, (m1-1)*n+oy1*g.OW
		s.ep.tile(out[lo:hi], s.ep.residual(c, b, base+lo, base+hi), n, grp*s.mg+m0, m1-m0, (oy1-oy0)*g.OW)
	}
}

// fillPad writes the group's input rows [iy0, iy0+rows) into pad, plane by
// plane, each row wp floats with the padding's zeros around it; rows
// outside the input and the overrun after the last plane are zero.
func (s *tapConvStep) fillPad(pad, in []float32, iy0, rows int) {
	g := &s.win
	plane := rows * s.wp
	for c := 0; c < s.cg; c++ {
		src := in[c*g.H*g.W : (c+1)*g.H*g.W]
		dst := pad[c*plane : (c+1)*plane]
		for r := 0; r < rows; r++ {
			d := dst[r*s.wp : (r+1)*s.wp]
			iy := iy0 + r
			if iy < 0 || iy >= g.H {
				clear(d)
				continue
			}
			for i := range g.PL {
				d[i] = 0
			}
			copy(d[g.PL:g.PL+g.W], src[iy*g.W:(iy+1)*g.W])
			for i := g.PL + g.W; i < len(d); i++ {
				d[i] = 0
			}
		}
	}
	clear(pad[s.cg*plane:])
}
