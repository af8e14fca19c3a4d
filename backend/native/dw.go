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

	rest   epilogue // ep less the bias, which the kernel adds
	hq, wq int      // rows and row pitch of each phase plane of the padded input
	offs   []int    // per tap ky·KW + kx, its offset in the padded input
	rows   []padRow
	runs   []padRun // the rows read from the input, in runs
	ja, jb []int    // per column phase, the columns read from the input
	xb     int      // the input columns read: [0, xb)
}

func newDwStep(win window, in, out *tensor, w []float32, ep epilogue, ref bool) *dwStep {
	s := &dwStep{win: win, in: in, out: out, w: clone(w), ep: ep, ref: ref}
	s.rest = ep
	s.rest.bias = nil
	g := &s.win
	hp := (g.OH-1)*g.SH + (g.KH-1)*g.DH + 1 // padded rows read
	wp := (g.OW-1)*g.SW + (g.KW-1)*g.DW + 1
	s.hq, s.wq = (hp+g.SH-1)/g.SH, (wp+g.SW-1)/g.SW
	for ky := 0; ky < g.KH; ky++ {
		for kx := 0; kx < g.KW; kx++ {
			q, p := ky*g.DH%g.SH, kx*g.DW%g.SW
			s.offs = append(s.offs, ((q*g.SW+p)*s.hq+ky*g.DH/g.SH)*s.wq+kx*g.DW/g.SW)
		}
	}
	s.planPad()
	return s
}

// padded is the length of the padded input image, slack included.
func (s *dwStep) padded() int { return s.win.SH*s.win.SW*s.hq*s.wq + s.wq + dwSlack }

// scratch is the floats a worker needs: the padded input and the output
// plane at row pitch wq.
func (s *dwStep) scratch() int {
	if s.ref {
		return 0
	}
	return s.padded() + s.win.OH*s.wq + dwSlack
}

// dwTaskOutputs is about the fewest output values a depthwise task
// computes: small planes are grouped a few channels a task, so that
// taking a task costs little next to its work.
const dwTaskOutputs = 2048

// perTask is the output channels of one task.
func (s *dwStep) perTask() int {
	return max(1, min(s.win.M, dwTaskOutputs/(s.win.OH*s.win.OW)))
}

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

// compact copies the output rows, wq apart in acc, into out.
func (s *dwStep) compact(out, acc []float32) {
	g := &s.win
	if g.OW < 16 {
		// Rows this short are cheaper to copy in a loop than by calls.
		for y := 0; y < g.OH; y++ {
			o, a := out[y*g.OW:(y+1)*g.OW], acc[y*s.wq:y*s.wq+g.OW]
			for x := range o {
				o[x] = a[x]
			}
		}
	} else {
		for y := 0; y < g.OH; y++ {
			copy(out[y*g.OW:(y+1)*g.OW], acc[y*s.wq:])
		}
	}
}

// pad writes the input plane in into dst as the zero-padded, phase-split
// image the taps' offsets address, and clears the slack after it. The
// row layout is planned once (padRows); a row's columns [ja[p], jb[p])
// of phase p come from the input, the rest are zeros.
func (s *dwStep) pad(dst, in []float32) {
	g := &s.win
	plane := s.hq * s.wq
	// A small image is cleared at once, cheaper than its rows' edges
	// one at a time.
	small := len(dst) <= padClearAll
	if small {
		clear(dst)
	}
	for _, r := range s.rows {
		for p := 0; p < g.SW && !small; p++ {
			d := dst[r.dst+p*plane : r.dst+p*plane+s.wq]
			if r.src < 0 {
				clear(d)
				continue
			}
			for j := range d[:s.ja[p]] {
				d[j] = 0
			}
			for j := range d[s.jb[p]:] {
				d[s.jb[p]+j] = 0
			}
		}
		if r.src < 0 {
			continue
		}
		row := in[r.src : r.src+g.W]
		switch g.SW {
		case 1:
			d := dst[r.dst+s.ja[0] : r.dst+s.jb[0]]
			if len(d) >= 16 {
				copy(d, row[s.ja[0]-g.PL:])
				break
			}
			src := row[s.ja[0]-g.PL : s.ja[0]-g.PL+len(d)]
			for j := range d {
				d[j] = src[j] // a short row: cheaper than a call
			}
		case 2:
			// Split by runs of rows below.
		default:
			for p := 0; p < g.SW; p++ {
				d := dst[r.dst+p*plane : r.dst+p*plane+s.wq]
				for j := s.ja[p]; j < s.jb[p]; j++ {
					d[j] = row[j*g.SW+p-g.PL]
				}
			}
		}
	}
	if g.SW == 2 {
		// Padded column c = ix + PL goes to phase c&1, column c>>1: a
		// row's even and odd values are runs of the two phases.
		for _, r := range s.runs {
			even, odd := dst[r.dst:], dst[r.dst+plane:]
			if g.PL&1 == 1 {
				even, odd = odd, even
			}
			split2(even[g.PL>>1:], odd[(g.PL+1)>>1:], in[r.src:], s.xb, r.rows, g.SH*g.W, s.wq)
		}
	}
	if !small {
		clear(dst[g.SH*g.SW*plane:])
	}
}

// padClearAll is the size of padded image up to which pad clears it all
// first.
const padClearAll = 4096

// A padRow is a row of the padded image: where its phase-0 plane row
// starts in the scratch (the other phases follow a plane apart) and
// where its input row starts in the input plane, −1 for a row of zeros.
type padRow struct{ dst, src int }

// A padRun is rows padded rows read from the input, one after the other
// in the scratch (wq apart) and SH input rows apart, the first at dst
// and src.
type padRun struct{ dst, src, rows int }

// planPad plans pad: the padded rows, and per column phase p the columns
// [ja[p], jb[p]) that hold input column j·SW + p − PL.
func (s *dwStep) planPad() {
	g := &s.win
	for q := 0; q < g.SH; q++ {
		for i := 0; i < s.hq; i++ {
			r := padRow{dst: (q*g.SW*s.hq + i) * s.wq, src: -1}
			if iy := i*g.SH + q - g.PT; iy >= 0 && iy < g.H {
				r.src = iy * g.W
			}
			s.rows = append(s.rows, r)
			if r.src < 0 {
				continue
			}
			if n := len(s.runs) - 1; n >= 0 && s.runs[n].dst+s.runs[n].rows*s.wq == r.dst &&
				s.runs[n].src+s.runs[n].rows*g.SH*g.W == r.src {
				s.runs[n].rows++
				continue
			}
			s.runs = append(s.runs, padRun{dst: r.dst, src: r.src, rows: 1})
		}
	}
	for p := 0; p < g.SW; p++ {
		ja := min(s.wq, max(0, (g.PL-p+g.SW-1)/g.SW))
		jb := max(ja, min(s.wq, (g.W+g.PL-p+g.SW-1)/g.SW))
		s.ja, s.jb = append(s.ja, ja), append(s.jb, jb)
	}
	// The input columns that land in the padded image.
	s.xb = max(0, min(g.W, g.SW*s.wq-g.PL))
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
