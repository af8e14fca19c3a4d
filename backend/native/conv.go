package native

import (
	"math"
	"slices"
	"unsafe"
)

// A convStep is a convolution as a GEMM per image and group (see the
// package comment). Tasks are (image, group, m-block, n-block).
type convStep struct {
	win     window
	in, out *tensor
	ep      epilogue  // applied per task, to its tile of the output
	w       []float32 // OIHW, kept for the reference path only
	ref     bool

	mk        microKernel // the GEMM kernel the weights are packed for
	mg, kg, n int         // per group: output channels, reduction length, pixels
	kc        int         // k-block length (the last may be shorter)
	apack     []float32   // per group, per k-block: packedA(mg, kc) values
	pointwise bool        // 1×1, stride 1, no padding: B's rows are input planes
	taps      []int32     // for narrow outputs, per tap and output pixel, the input offset in a plane (−1: padding); see packTaps

	// overRes: the output is the residual's buffer (residualInPlace), the
	// epilogue applied tile by tile as the GEMM computes them.
	overRes bool
	fin     tileFinish

	mBlock, nBlock   int // rows (a multiple of mr) and columns (of nr) per task
	mBlocks, nBlocks int
}

func newConvStep(win window, in, out *tensor, w []float32, ep epilogue, threads int, ref bool) *convStep {
	if ref {
		return &convStep{win: win, in: in, out: out, ep: ep, ref: ref, w: clone(w)}
	}
	return newConvStepTiled(win, in, out, w, ep, threads, active.gemm, kcMax)
}

// newConvStepTiled is newConvStep for the micro-kernel mk: its weights
// packed in strips of mk.mr rows, its tasks in blocks of mk's tiles. The
// pixel-major path (convt.go) passes its own tile, 32 channels by R
// pixels. The k-blocks are at most kcLimit long.
func newConvStepTiled(win window, in, out *tensor, w []float32, ep epilogue, threads int, mk microKernel, kcLimit int) *convStep {
	s := &convStep{win: win, in: in, out: out, ep: ep}
	g := &s.win
	s.mk = mk
	mr := s.mk.mr
	s.mg = g.M / g.G
	s.kg = g.C / g.G * g.KH * g.KW
	s.n = g.OH * g.OW
	s.pointwise = g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PT == 0 && g.PL == 0 && g.PB == 0 && g.PR == 0
	nk := (s.kg + kcLimit - 1) / kcLimit
	s.kc = (s.kg + nk - 1) / nk

	s.apack = packGroups(w, g.G, s.mg, s.kg, s.kc, mr)

	packCost := 3.0 // cycles per value gathered by im2col
	switch {
	case s.pointwise:
		packCost = 0.5 // per value copied
	case g.SH == 1 && g.SW == 1 && g.OW == g.W:
		packCost = 0.7 // per value copied by packShifted
	case g.OW < tapsMaxOW && !(g.SW == 2 && g.OW >= span2MinOW && active.gather2Span != nil):
		s.taps = tapOffsets(g)
	}
	nr := s.mk.nr
	perM, perN := chooseBlocks(&s.mk, (s.mg+mr-1)/mr, (s.n+nr-1)/nr, s.kg, g.G, threads, packCost, s.n)
	s.mBlock, s.nBlock = perM*mr, perN*nr
	s.mBlocks, s.nBlocks = (s.mg+s.mBlock-1)/s.mBlock, (s.n+s.nBlock-1)/s.nBlock
	return s
}

// chooseBlocks splits one image's GEMM of mstrips A strips and nstrips B
// strips of mk's tile (per group, groups of them) into tasks of perM ×
// perN strips for threads workers. Each task packs its own B columns, so
// splitting the rows repeats the packing, and every task and every row it
// packs has a fixed cost; it picks the split whose estimated completion
// time, in cycles, is least: when the last worker finishes, each taking
// the next task as soon as it is free (makespan).
//
// It used to estimate that as total/threads + longest·(threads−1)/threads,
// a bound that holds for any order of any tasks but charges every split
// for a longest task's overhang, even where the tasks divide evenly among
// the workers: it split resnet50's 14×14 1×1 layers on 2 threads into 2×2
// blocks, packing their columns twice and streaming their weights twice,
// rather than into 2 halves of the rows. Timing the schedule instead made
// the median run on 2 threads, batch 1, 0.94–0.96 of its time for
// resnet50, resnet18 and resnext50_32x4d and 0.96–0.99 for seresnet50,
// keras_resnet50v2, resnest50d and skresnet34 (in-process A/B, 40–100
// interleaved pairs each); cifar_resnet56 and one thread (where both are
// the total) are unchanged.
//
// The output's rows are rowLen floats. Unless that is a whole number of
// cache lines, a split of the columns cuts a line in every row, which two
// threads then write at once (false sharing): mobilenet_v2's 14×14
// expansions took twice as long on two threads split by columns as by
// rows. So with more than one thread each column boundary costs a line
// transfer per row, charged to the task right of it.
//
// Every block of columns streams its rows' packed weights again: a 7×7
// or 14×14 layer's weights (megabytes, out of L2) cost more to read than
// its few columns cost to pack, so such layers are better split by rows.
// Charging aCycles per weight read took resnet50's median run to
// 0.977–0.980 of its time on 2 threads and 0.978–0.990 on 1, resnet18's
// to 0.969–0.980 and 0.984–0.996 (two in-process A/B runs of 40 each);
// resnext50_32x4d moved by under 1%.
func chooseBlocks(mk *microKernel, mstrips, nstrips, k, groups, threads int, packCost float64, rowLen int) (perM, perN int) {
	const (
		taskCycles = 2000 // dispatch and edge handling per task
		rowCycles  = 25   // setting up one packed row of B in a task
		lineFloats = 16   // a 64-byte cache line
		lineCycles = 300  // a line written by two cores in turn
		aCycles    = 0.3  // streaming a packed weight into a task, from L3
	)
	lineCost := 0.0 // cycles per row of a task right of a column boundary
	if threads > 1 && rowLen%lineFloats != 0 {
		lineCost = lineCycles
	}
	mr, nr := mk.mr, mk.nr
	// Two FMAs per cycle, each half the tile's vector side: a row of the
	// tile, or a column of the pixel-major one (32 channels by R pixels).
	macsPerCycle := float64(max(mr, nr))
	perTask := taskCycles + float64(k)*rowCycles
	cost := func(rows, cols int, first bool) float64 {
		c := float64(rows*mr*cols*nr*k)/macsPerCycle + float64(k*cols*nr)*packCost + float64(rows*mr*k)*aCycles + perTask
		if !first {
			c += float64(rows*mr) * lineCost
		}
		return c
	}
	free := make([]float64, threads)
	best := math.Inf(1)
	for pn := 1; pn <= min(nstrips, max(1, ncMax/nr)); pn++ {
		for pm := 1; pm <= mstrips; pm++ {
			mBlocks := (mstrips + pm - 1) / pm
			if pm > 1 && (mstrips+pm-2)/(pm-1) == mBlocks {
				continue // the same blocks as a smaller pm
			}
			if est := makespan(free, mstrips, nstrips, pm, pn, groups, cost); est < best*0.999 {
				best, perM, perN = est, pm, pn
			}
		}
	}
	return perM, perN
}

// scratch is the floats of scratch a worker needs: the packed B panel and
// an edge tile.
func (s *convStep) scratch() int {
	if s.ref {
		return 0
	}
	return s.kc*ldbFor(s.nBlock, s.mk.nr) + s.mk.mr*s.mk.nr
}

func (s *convStep) tasks(c *execCtx) int {
	if s.ref {
		return c.batch
	}
	return c.batch * s.win.G * s.mBlocks * s.nBlocks
}

func (s *convStep) imageTasks() int {
	if s.ref {
		return 1
	}
	return s.win.G * s.mBlocks * s.nBlocks
}

func (s *convStep) run(c *execCtx, worker, task int) {
	if s.ref {
		convRefImage(&s.win, s.w, &s.ep, c, s.in, s.out, task)
		return
	}
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
	cg := g.C / g.G
	in := c.image(s.in, b)[grp*cg*g.H*g.W : (grp+1)*cg*g.H*g.W]
	out := c.image(s.out, b)[grp*s.mg*s.n : (grp+1)*s.mg*s.n]
	scratch := c.scratch[worker]
	mr, tileLen := s.mk.mr, s.mk.mr*s.mk.nr
	tile := scratch[:tileLen]
	bp := scratch[tileLen:]
	ap := s.apack[grp*packedA(s.mg, s.kg, mr) : (grp+1)*packedA(s.mg, s.kg, mr)]
	ldb := ldbFor(ncols, s.mk.nr)
	if s.overRes {
		// One k-block; the residual is out itself.
		s.packB(bp, ldb, in, 0, s.kg, n0, ncols)
		gemmBlock(&s.mk, ap, bp, out, ldb, s.n, m0, m1, n0, ncols, s.kg, false, tile, &s.fin)
		return
	}
	for k0 := 0; k0 < s.kg; k0 += s.kc {
		kc := min(s.kc, s.kg-k0)
		s.packB(bp, ldb, in, k0, kc, n0, ncols)
		a := ap[packedA(s.mg, k0, mr) : packedA(s.mg, k0, mr)+packedA(s.mg, kc, mr)]
		gemmBlock(&s.mk, a, bp, out, ldb, s.n, m0, m1, n0, ncols, kc, k0 > 0, tile, nil)
	}
	s.epilogue(c, b, grp, m0, m1, n0, ncols, out)
}

// packB writes rows [k0, k0+kc) and columns [n0, n0+ncols) of the im2col
// matrix of one group's input in into the panel dst, rows ldb apart, with
// the packer that suits the convolution.
func (s *convStep) packB(dst []float32, ldb int, in []float32, k0, kc, n0, ncols int) {
	switch {
	case s.pointwise:
		packRows(dst, ldb, in, s.n, k0, kc, n0, ncols)
	case s.taps != nil:
		packTaps(dst, ldb, in, &s.win, s.taps, k0, kc, n0, ncols)
	default:
		packIm2col(dst, ldb, in, &s.win, k0, kc, n0, ncols)
	}
}

// epilogue finishes a task's tile of image b, group grp: the rows
// [m0, m1) and columns [n0, n0+ncols) of the group's output out, while
// they are in cache. The residual is read from the same positions, which
// is why a convolution never writes over its inputs.
func (s *convStep) epilogue(c *execCtx, b, grp, m0, m1, n0, ncols int, out []float32) {
	if s.ep.empty() {
		return
	}
	base := grp * s.mg * s.n // the group's offset in the image
	lo, hi := m0*s.n+n0, (m1-1)*s.n+n0+ncols
	s.ep.tile(out[lo:hi], s.ep.residual(c, b, base+lo, base+hi), s.n, grp*s.mg+m0, m1-m0, ncols)
}

// packRows copies rows [k0, k0+kc) and columns [n0, n0+ncols) of the
// row-major matrix b (row length n) into the panel dst, rows ldb apart.
func packRows(dst []float32, ldb int, b []float32, n, k0, kc, n0, ncols int) {
	for k := 0; k < kc; k++ {
		copy(dst[k*ldb:k*ldb+ncols], b[(k0+k)*n+n0:(k0+k)*n+n0+ncols])
	}
}

// packIm2col writes rows [k0, k0+kc) and columns [n0, n0+ncols) of the
// im2col matrix of one group's input into the panel dst, rows ldb apart,
// reading the input directly: row k = (c·KH + ky)·KW + kx, column
// n = oy·OW + ox holds in[c][oy·SH−PT+ky·DH][ox·SW−PL+kx·DW], zero outside
// the input. Each row goes output row by output row: a segment reads one
// input row, contiguously when the stride is 1; with stride 2 the whole
// row is one span (packSpan2).
func packIm2col(dst []float32, ldb int, in []float32, g *window, k0, kc, n0, ncols int) {
	if g.SH == 1 && g.SW == 1 && g.OW == g.W {
		packShifted(dst, ldb, in, g, k0, kc, n0, ncols)
		return
	}
	if g.SW == 2 {
		packSpan2(dst, ldb, in, g, k0, kc, n0, ncols)
		return
	}
	kx := k0 % g.KW
	ky := k0 / g.KW % g.KH
	ch := k0 / (g.KW * g.KH)
	oy0, ox0 := n0/g.OW, n0%g.OW
	for k := 0; k < kc; k++ {
		plane := in[ch*g.H*g.W : (ch+1)*g.H*g.W]
		// Tap kx reads ix = ox·SW + off, inside the row for ox in [xa, xb).
		off := kx*g.DW - g.PL
		xa := min(g.OW, max(0, (-off+g.SW-1)/g.SW))
		xb := max(xa, min(g.OW, (g.W-off+g.SW-1)/g.SW))
		if g.W-off <= 0 {
			xb = xa
		}
		d := dst[k*ldb : k*ldb+ncols]
		im2colSegments(d, plane, g, ky, off, xa, xb, oy0, ox0)
		if kx++; kx == g.KW {
			kx = 0
			if ky++; ky == g.KH {
				ky = 0
				ch++
			}
		}
	}
}

// im2colSegments writes d, the values of an im2col row from output row
// oy, column ox on, segment by segment: tap (ky, kx) of plane, reading
// input column x·SW+off, inside the plane for output columns [xa, xb).
func im2colSegments(d, plane []float32, g *window, ky, off, xa, xb, oy, ox int) {
	ncols := len(d)
	pos := 0
	for pos < ncols {
		cnt := min(g.OW-ox, ncols-pos)
		seg := d[pos : pos+cnt]
		pos += cnt
		iy := oy*g.SH - g.PT + ky*g.DH
		oy++
		if iy < 0 || iy >= g.H {
			clear(seg)
			ox = 0
			continue
		}
		a := min(max(xa, ox), ox+cnt) - ox
		b := min(max(xb, ox+a), ox+cnt) - ox
		if a > 0 {
			clear(seg[:a])
		}
		if b < cnt {
			clear(seg[b:])
		}
		if a == b {
			ox = 0
			continue
		}
		row := plane[iy*g.W : (iy+1)*g.W]
		start := (ox+a)*g.SW + off
		switch g.SW {
		case 1:
			copy(seg[a:b], row[start:])
		default:
			v := seg[a:b]
			src := row[start : start+(len(v)-1)*g.SW+1]
			for i := range v {
				v[i] = src[i*g.SW]
			}
		}
		ox = 0
	}
}

// span2Taps is the kernel width and height up to which packSpan2 keeps
// its per-tap offsets in arrays on the stack; larger kernels allocate
// them.
const span2Taps = 11

// packSpan2 is packIm2col for stride-2 convolutions: each im2col row's
// span of input rows in one gather2Span call, from output row oy, column
// ox on; the output rows whose input row is padding (the first or last
// few of the image) are zero. What depends only on a row's kx (the
// output columns inside the input) or only on its ky (the output rows
// inside it, and where the span starts and ends in the panel) is worked
// out once a call, not once a row: row by row, those divisions and that
// bookkeeping took as long as the gathers themselves on ResNet's stem
// (147 rows of 2-3 output rows each a task). Packing all of a layer's rows (one
// thread, interleaved in alternating order) takes 0.75–0.80 of the time
// it did for the stem, 0.77–0.89 for resnet50's 3×3/2 layers to 28×28
// and 14×14, 0.66–0.71 to 7×7, and 0.71–0.95 for its 1×1/2.
func packSpan2(dst []float32, ldb int, in []float32, g *window, k0, kc, n0, ncols int) {
	var xaA, xbA, offA [span2Taps]int
	xa, xb, off := xaA[:], xbA[:], offA[:]
	if g.KW > span2Taps {
		xa, xb, off = make([]int, g.KW), make([]int, g.KW), make([]int, g.KW)
	}
	for kx := 0; kx < g.KW; kx++ {
		o := kx*g.DW - g.PL
		a := min(g.OW, max(0, (-o+1)/2))
		b := max(a, min(g.OW, (g.W-o+1)/2))
		if g.W-o <= 0 {
			b = a
		}
		xa[kx], xb[kx], off[kx] = a, b, o
	}
	// Per ky: the panel's span [start, end) of values read from the
	// input, the column x0 it starts at in its first row, the input row
	// of that first row, and how many output rows it crosses.
	var startA, endA, x0A, iyA, rowsA [span2Taps]int
	start, end, x0, iy, rows := startA[:], endA[:], x0A[:], iyA[:], rowsA[:]
	if g.KH > span2Taps {
		start, end, x0, iy, rows = make([]int, g.KH), make([]int, g.KH), make([]int, g.KH), make([]int, g.KH), make([]int, g.KH)
	}
	oy, ox := n0/g.OW, n0%g.OW
	last := oy + (ox+ncols-1)/g.OW // the last output row of the columns
	for ky := 0; ky < g.KH; ky++ {
		base := ky*g.DH - g.PT // output row y reads input row y·SH + base
		ya, yb := oy, last+1
		if oy*g.SH+base < 0 {
			ya = min((-base+g.SH-1)/g.SH, yb)
		}
		if (yb-1)*g.SH+base >= g.H {
			yb = max(ya, min(yb, (g.H-1-base+g.SH)/g.SH))
		}
		start[ky] = min(ncols, max(0, (ya-oy)*g.OW-ox))
		end[ky] = max(start[ky], min(ncols, (yb-oy)*g.OW-ox))
		if ya == oy {
			x0[ky] = ox
		}
		iy[ky] = ya*g.SH + base
		rows[ky] = yb - ya
	}
	f := active.gather2Span
	plane := g.H * g.W
	stride := g.SH * g.W
	kx := k0 % g.KW
	ky := k0 / g.KW % g.KH
	ch := k0 / (g.KW * g.KH)
	for k := 0; k < kc; k++ {
		d := dst[k*ldb : k*ldb+ncols]
		a, b := start[ky], end[ky]
		clear(d[:a])
		clear(d[b:])
		switch {
		case a == b:
		case xa[kx] == xb[kx]:
			clear(d[a:b])
		case f == nil:
			gather2Span(d[a:b], in[ch*plane+iy[ky]*g.W+xa[kx]*2+off[kx]:], x0[ky], g.OW, xa[kx], xb[kx], stride)
		default:
			// The last value read: the last row's, 2(xb−1−xa) on.
			src := in[ch*plane+iy[ky]*g.W+xa[kx]*2+off[kx]:]
			_ = src[(rows[ky]-1)*stride+2*(xb[kx]-1-xa[kx])]
			f(unsafe.SliceData(d[a:b]), unsafe.SliceData(src), b-a, x0[ky], g.OW, xa[kx], xb[kx], stride)
		}
		if kx++; kx == g.KW {
			kx = 0
			if ky++; ky == g.KH {
				ky = 0
				ch++
			}
		}
	}
}

// packShifted is packIm2col for stride-1 convolutions whose output rows
// are as long as the input's (a "same" padding): there a row of the im2col
// matrix is the input plane shifted by d = (ky·DH−PT)·W + kx·DW−PL, so each
// row is one copy, zero where it runs off the plane, and then zeroes in
// the columns whose taps wrapped around into the neighbouring input row.
func packShifted(dst []float32, ldb int, in []float32, g *window, k0, kc, n0, ncols int) {
	hw := g.H * g.W
	kx := k0 % g.KW
	ky := k0 / g.KW % g.KH
	ch := k0 / (g.KW * g.KH)
	col0 := n0 % g.W // the output column of column n0: no division per row
	for k := 0; k < kc; k++ {
		plane := in[ch*hw : (ch+1)*hw]
		d := dst[k*ldb : k*ldb+ncols]
		sh := kx*g.DW - g.PL
		lo := n0 + (ky*g.DH-g.PT)*g.W + sh // the plane index of column n0
		a := min(ncols, max(0, -lo))
		b := max(a, min(ncols, hw-lo))
		clear(d[:a])
		if b > a {
			copy(d[a:b], plane[lo+a:])
		}
		clear(d[b:])
		// Columns with ox+sh outside [0, W) read the wrong input row:
		// output columns [0, −sh) when sh < 0, [W−sh, W) when sh > 0, one
		// strided pass each (|sh| is 1 for a 3×3 kernel).
		if sh != 0 {
			lo, hi := 0, min(g.W, -sh)
			if sh > 0 {
				lo, hi = max(0, g.W-sh), g.W
			}
			for ox := lo; ox < hi; ox++ {
				i := ox - col0
				if i < 0 {
					i += g.W
				}
				for ; i < ncols; i += g.W {
					d[i] = 0
				}
			}
		}
		if kx++; kx == g.KW {
			kx = 0
			if ky++; ky == g.KH {
				ky = 0
				ch++
			}
		}
	}
}

// makespan is when the last of len(free) workers finishes the tasks of
// one image's GEMM of mstrips × nstrips strips, groups times over, in
// blocks of pm × pn strips taken in the order convStep numbers them,
// each worker taking the next as soon as it is free (job.loop); a task of
// rows × cols strips costs cost(rows, cols, first), first for the block
// of the first columns. free is scratch, a min-heap of when each worker
// is next free.
func makespan(free []float64, mstrips, nstrips, pm, pn, groups int, cost func(rows, cols int, first bool) float64) float64 {
	clear(free)
	for range groups {
		for m := 0; m < mstrips; m += pm {
			for n := 0; n < nstrips; n += pn {
				free[0] += cost(min(pm, mstrips-m), min(pn, nstrips-n), n == 0)
				siftDown(free)
			}
		}
	}
	return slices.Max(free)
}

// siftDown restores the min-heap h after its root grew.
func siftDown(h []float64) {
	for i := 0; ; {
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l] < h[least] {
			least = l
		}
		if r < len(h) && h[r] < h[least] {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}
