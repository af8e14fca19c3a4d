package native

import "unsafe"

// Depthwise convolutions (one input channel per group, any channel
// multiplier: MobileNet, EfficientNet, ConvNeXt) run as a direct kernel
// per output plane. The input plane is first copied into a zero-padded
// scratch image, split by phase when strided: padded row r = i·SH + q and
// column c = j·SW + p go to plane (q, p) at (i, j), rows wq floats apart.
// Then every tap of every output pixel reads at a fixed offset from the
// pixel's index in an output laid out with the same row pitch wq, so the
// whole plane is one flat correlation
//
//	out[i] = Σ_t w[t] · src[off[t] + i],  i < OH·wq,
//
// which the kernels vectorise without masks or borders. The columns past
// OW of each output row are discarded when the rows are compacted into
// the result, whose epilogue is then applied while it is in cache.

// dwFunc sets dst[i] = bias + Σ_{t<ntaps} w[t]·src[offs[t]+i] for i < n
// (the sum taken from bias on: the convolution's bias). It may
// compute and store up to dwSlack values past n, reading as far past
// src[offs[t]+n]; the sums may round differently from the Go loop's.
type dwFunc func(dst, src *float32, offs *int, w *float32, ntaps, n int, bias float32)

// dwSlack is how far past n a dwFunc may read and write: the kernels'
// last block may run a vector less one value past it.
const dwSlack = 32

// A dwStep is a depthwise convolution. Tasks are (image, block of output
// channels): one channel, or a few of a small plane.
type dwStep struct {
	win     window
	in, out *tensor
	w       []float32
	ep      epilogue
	ref     bool

	rest epilogue // ep less the bias, which the kernel adds
	planePad
}

func newDwStep(win window, in, out *tensor, w []float32, ep epilogue, ref bool) *dwStep {
	s := &dwStep{win: win, in: in, out: out, w: clone(w), ep: ep, ref: ref}
	s.rest = ep
	s.rest.bias = nil
	s.planePad = newPlanePad(win)
	return s
}

// scratch is the floats a worker needs: the padded input and the output
// plane at row pitch wq.
func (s *dwStep) scratch() int {
	if s.ref {
		return 0
	}
	return s.padded() + s.win.OH*s.wq + dwSlack
}

// perTask is the output channels of one task.
func (s *dwStep) perTask() int { return channelsPerTask(s.win.M, s.win.OH*s.win.OW) }

func (s *dwStep) tasks(c *execCtx) int {
	if s.ref {
		return c.batch
	}
	return c.batch * ((s.win.M + s.perTask() - 1) / s.perTask())
}

func (s *dwStep) imageTasks() int {
	if s.ref {
		return 1
	}
	return (s.win.M + s.perTask() - 1) / s.perTask()
}

func (s *dwStep) run(c *execCtx, worker, task int) {
	g := &s.win
	if s.ref {
		convRefImage(g, s.w, &s.ep, c, s.in, s.out, task)
		return
	}
	per := s.perTask()
	blocks := (g.M + per - 1) / per
	b, m0 := task/blocks, task%blocks*per
	for m := m0; m < min(g.M, m0+per); m++ {
		s.channel(c, worker, b, m)
	}
}

// channel computes output channel m of image b.
func (s *dwStep) channel(c *execCtx, worker, b, m int) {
	g := &s.win
	mult := g.M / g.C
	in := c.image(s.in, b)[m/mult*g.H*g.W : (m/mult+1)*g.H*g.W]
	out := c.image(s.out, b)[m*g.OH*g.OW : (m+1)*g.OH*g.OW]
	scratch := c.scratch[worker]
	src := scratch[:s.padded()]
	acc := scratch[s.padded() : s.padded()+g.OH*s.wq+dwSlack]
	s.pad(src, in)
	nt := g.KH * g.KW
	var bias float32
	if s.ep.bias != nil {
		bias = s.ep.bias[m]
	}
	switch f := active.dwRows; {
	case f != nil && g.OW <= dwRowsMax:
		dwTapsRows(f, out, src, s.offs, s.w[m*nt:(m+1)*nt], g.OH, g.OW, s.wq, bias)
	default:
		dwTaps(acc, src, s.offs, s.w[m*nt:(m+1)*nt], g.OH*s.wq, bias)
		s.compact(out, acc)
	}
	switch e := &s.rest; {
	case e.empty():
	case e.res == nil && e.scale == nil:
		activate(out, out, e.act, e.alpha) // the one pass an activation needs
	default:
		lo := m * g.OH * g.OW
		e.apply(out, out, e.residual(c, b, lo, lo+len(out)), m)
	}
}

// dwRowsFunc sets dst[y·ow+x] = bias + Σ_{t<ntaps} w[t]·src[offs[t]+y·pitch+x]
// for y < rows and x < ow ≤ dwRowsMax, reading up to dwSlack values past
// each row's last sum.
type dwRowsFunc func(dst, src *float32, offs *int, w *float32, ntaps, rows, ow, pitch int, bias float32)

// dwRowsMax is the widest output row a dwRowsFunc computes: a ZMM register.
const dwRowsMax = 16

// dwTapsRows runs f on rows output rows of ow values into dst, checking
// the slices' bounds first.
func dwTapsRows(f dwRowsFunc, dst, src []float32, offs []int, w []float32, rows, ow, pitch int, bias float32) {
	hi := 0
	for _, o := range offs {
		hi = max(hi, o)
	}
	_ = src[hi+(rows-1)*pitch+ow+dwSlack-1] // the kernel's reads
	_ = dst[rows*ow-1]
	_ = w[len(offs)-1]
	f(unsafe.SliceData(dst), unsafe.SliceData(src), unsafe.SliceData(offs), unsafe.SliceData(w), len(offs), rows, ow, pitch, bias)
}

// split2Func sets, for rows rows r (src's srcStride floats apart, even's
// and odd's dstStride apart), even[i] = src[2i] for 2i < n and
// odd[i] = src[2i+1] for 2i+1 < n.
type split2Func func(even, odd, src *float32, n, rows, srcStride, dstStride int)

// split2 copies the even values of rows rows of n values of src, stride
// apart, to even and the odd ones to odd, their rows dstStride apart,
// with the active instruction set's kernel or in Go.
func split2(even, odd, src []float32, n, rows, stride, dstStride int) {
	if rows <= 0 || n <= 0 {
		return
	}
	src = src[:(rows-1)*stride+n]
	even, odd = even[:(rows-1)*dstStride+(n+1)/2], odd[:(rows-1)*dstStride+n/2]
	if f := active.split2; f != nil {
		f(unsafe.SliceData(even), unsafe.SliceData(odd), unsafe.SliceData(src), n, rows, stride, dstStride)
		return
	}
	for r := range rows {
		s, e, o := src[r*stride:r*stride+n], even[r*dstStride:], odd[r*dstStride:]
		for i := range n / 2 {
			e[i], o[i] = s[2*i], s[2*i+1]
		}
		if n&1 == 1 {
			e[n/2] = s[n-1]
		}
	}
}

// dwTaps computes dst[i] = bias + Σ_t w[t]·src[offs[t]+i] for i < n with the
// active instruction set's kernel, or in Go. dst and src have dwSlack
// values to spare past what the sums need.
func dwTaps(dst, src []float32, offs []int, w []float32, n int, bias float32) {
	if f := active.dw; f != nil {
		hi := 0
		for _, o := range offs {
			hi = max(hi, o)
		}
		_ = src[hi+n+dwSlack-1] // the kernel's reads, bounds-checked
		_ = dst[n+dwSlack-1]
		f(unsafe.SliceData(dst), unsafe.SliceData(src), unsafe.SliceData(offs), unsafe.SliceData(w), len(offs), n, bias)
		return
	}
	d := dst[:n]
	for i := range d {
		d[i] = bias
	}
	for t, o := range offs {
		wt := w[t]
		for i, v := range src[o : o+n] {
			d[i] += wt * v
		}
	}
}
