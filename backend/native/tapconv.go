package native

// A tapConvStep runs a grouped convolution as a GEMM whose B matrix is
// never built. In the zero-padded, phase-split copy of an input
// plane that depthwise convolutions read (planePad), every tap's im2col
// row is the same flat stretch of memory read from a different offset, if
// the output is computed at the padded row pitch wq (the last wq−OW
// columns of each output row junk, dropped when the result is copied
// out). The micro-kernel takes the offset of each k's row from a table
// instead of k·ldb (tapKernelFunc), so a task copies each input value
// once where im2col gathers it KH·KW times, strided.
//
// That gather is what a grouped convolution's GEMM spends its time on:
// with few output channels per group (4 to 32 in a ResNeXt) each gathered
// value serves only that many multiply-adds. Tasks are (image, group,
// block of output channels), the image outermost; a task pads a chunk of
// its group's input channels (one k-block) at a time and accumulates the
// block's result in scratch.
type tapConvStep struct {
	win     window
	in, out *tensor
	ep      epilogue
	mk      tapKernel
	pp      planePad

	mg, cg, kg int       // per group: output channels, input channels, reduction length
	chunk      int       // input channels per k-block
	kc         int       // k-block length, chunk·KH·KW (the last may be shorter)
	apack      []float32 // per group, per k-block: packedA(mg, kc) values, as convStep packs them
	offs       []int32   // per k of a k-block, the offset of its row in the padded chunk
	chanLen    int       // floats of one padded channel in the chunk
	cols       int       // output columns at the padded pitch, OH·wq
	ldc        int       // row length of the result in scratch: cols in whole strips of nr
	mBlock     int       // output channels per task, a multiple of mr
	mBlocks    int
	padLen     int // floats of the padded chunk and the last strip's overrun
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

// tapConvApplies reports whether a grouped convolution goes through
// tapConvStep: the active instruction set has a tap kernel, the result
// fits a task's scratch, and the tap path was the faster one for its
// kind. Measured against convStep (minimum CPU time of interleaved runs,
// one thread, tapConvStep's time / convStep's):
//   - stride 2: 0.40 (ResNeXt's 256 channels, 56 → 28), 0.54–0.57 (1024,
//     14 → 7), and BenchmarkConv's RegNet 128-channel groups 14 → 7;
//   - stride 1: 0.49 (4 channels a group, 56×56), 0.73 (8, 28×28),
//     0.84–0.85 (32 and 48, 7×7), but 1.03–1.07 for 8 and 16 at 14×14.
//
// Ungrouped convolutions stay on the GEMM paths: the tap path took
// 0.85–1.07 of convStep's time for 3×3 stride 2 in one measurement and
// 1.3 in another, and 1.2–3.0 for 1×1 stride 2, whose phase planes go
// mostly unread.
func tapConvApplies(g *window) bool {
	if active.tapGemm.f == nil || g.G == 1 || g.C == g.G || g.SH > 2 || g.SW > 2 {
		return false
	}
	if _, wq := padPitch(g); g.OH*wq > tapMaxCols {
		return false
	}
	pixels, mg := g.OH*g.OW, g.M/g.G
	if g.SH == 2 || g.SW == 2 {
		return true
	}
	return mg <= 8 && pixels >= 400 || pixels <= 64
}

const (
	tapMaxCols   = 8192  // output columns at the padded pitch, at most
	tapMaxResult = 65536 // floats of a task's result in scratch, about
	tapChunkTaps = 256   // k-block length, about: whole input channels
)

func newTapConvStep(win window, in, out *tensor, w []float32, ep epilogue, threads int) *tapConvStep {
	s := &tapConvStep{win: win, in: in, out: out, ep: ep, mk: active.tapGemm, pp: newPlanePad(win)}
	g := &s.win
	s.mg, s.cg = g.M/g.G, g.C/g.G
	if n := active.tapNarrow; n.f != nil && s.mg <= n.mr {
		s.mk = n
	}
	mr, nr := s.mk.mr, s.mk.nr
	taps := g.KH * g.KW
	s.kg = s.cg * taps
	s.chunk = max(1, min(s.cg, tapChunkTaps/taps))
	s.kc = s.chunk * taps
	s.apack = packGroups(w, g.G, s.mg, s.kg, s.kc, mr)

	s.chanLen = g.SH * g.SW * s.pp.hq * s.pp.wq
	s.offs = make([]int32, s.kc)
	for k := range s.offs {
		s.offs[k] = int32(k/taps*s.chanLen + s.pp.offs[k%taps])
	}
	s.cols = g.OH * s.pp.wq
	s.ldc = (s.cols + nr - 1) / nr * nr
	// The last strip reads up to nr−1 columns past cols, at most a
	// padded row and two strips past the last channel's phase planes.
	s.padLen = s.chunk*s.chanLen + s.pp.wq + 2*nr + dwSlack

	// Output channels per task: the group's, unless the result would
	// outgrow the scratch or the tasks would not go round the threads.
	s.mBlock = (s.mg + mr - 1) / mr * mr
	s.mBlock = min(s.mBlock, max(mr, tapMaxResult/s.ldc/mr*mr))
	if blocks := (s.mg + s.mBlock - 1) / s.mBlock; g.G*blocks < threads {
		per := (s.mg + threads/g.G - 1) / (threads / g.G)
		s.mBlock = max(mr, (per+mr-1)/mr*mr)
	}
	s.mBlocks = (s.mg + s.mBlock - 1) / s.mBlock
	return s
}

// scratch is the floats of scratch a worker needs: the padded chunk and
// the result at the padded pitch.
func (s *tapConvStep) scratch() int { return s.padLen + s.mBlock*s.ldc }

func (s *tapConvStep) tasks(c *execCtx) int {
	return c.batch * s.win.G * s.mBlocks
}

func (s *tapConvStep) imageTasks() int { return s.win.G * s.mBlocks }

func (s *tapConvStep) run(c *execCtx, worker, task int) {
	g := &s.win
	mb := task % s.mBlocks
	task /= s.mBlocks
	grp := task % g.G
	b := task / g.G

	m0, m1 := mb*s.mBlock, min(s.mg, (mb+1)*s.mBlock)
	plane := g.H * g.W
	in := c.image(s.in, b)[grp*s.cg*plane : (grp+1)*s.cg*plane]
	n := g.OH * g.OW
	out := c.image(s.out, b)[grp*s.mg*n : (grp+1)*s.mg*n]
	scratch := c.scratch[worker]
	pad := scratch[:s.padLen]
	res := scratch[s.padLen : s.padLen+s.mBlock*s.ldc]

	mr, nr := s.mk.mr, s.mk.nr
	taps := g.KH * g.KW
	ap := s.apack[grp*packedA(s.mg, s.kg, mr):]
	padded := s.pp.padded()
	for c0 := 0; c0 < s.cg; c0 += s.chunk {
		ch := min(s.chunk, s.cg-c0)
		for i := 0; i < ch; i++ {
			// Each channel's pad clears its slack, the start of the next
			// channel's planes, before that channel is written.
			s.pp.pad(pad[i*s.chanLen:i*s.chanLen+padded], in[(c0+i)*plane:(c0+i+1)*plane])
		}
		// Past the last channel only junk columns and the last strip's
		// overrun read; zeros keep them finite.
		clear(pad[min(len(pad), (ch-1)*s.chanLen+padded):])
		k0, kc := c0*taps, ch*taps
		a := ap[packedA(s.mg, k0, mr):]
		for row := m0; row < m1; row += mr {
			ar := &a[row*kc]
			cr := res[(row-m0)*s.ldc:]
			for j := 0; j < s.cols; j += nr {
				s.mk.f(kc, ar, &pad[j], &s.offs[0], &cr[j], s.ldc, k0 > 0)
			}
		}
	}

	// Drop the junk columns, then the epilogue on the finished planes.
	for m := m0; m < m1; m++ {
		s.pp.compact(out[m*n:(m+1)*n], res[(m-m0)*s.ldc:(m-m0)*s.ldc+s.cols])
	}
	if !s.ep.empty() {
		base := grp * s.mg * n
		lo, hi := m0*n, m1*n
		s.ep.tile(out[lo:hi], s.ep.residual(c, b, base+lo, base+hi), n, grp*s.mg+m0, m1-m0, n)
	}
}
