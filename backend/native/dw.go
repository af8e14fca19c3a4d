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

// dwFunc sets dst[i] = Σ_{t<ntaps} w[t]·src[offs[t]+i] for i < n. It may
// compute and store up to dwSlack values past n, reading as far past
// src[offs[t]+n]; the sums may round differently from the Go loop's.
type dwFunc func(dst, src *float32, offs *int, w *float32, ntaps, n int)

// dwSlack is how far past n a dwFunc may read and write: its widest block
// less one value, rounded up.
const dwSlack = 128

// A dwStep is a depthwise convolution. Tasks are (image, output channel).
type dwStep struct {
	win     window
	in, out *tensor
	w       []float32
	ep      epilogue
	ref     bool

	hq, wq int   // rows and row pitch of each phase plane of the padded input
	offs   []int // per tap ky·KW + kx, its offset in the padded input
}

func newDwStep(win window, in, out *tensor, w []float32, ep epilogue, ref bool) *dwStep {
	s := &dwStep{win: win, in: in, out: out, w: clone(w), ep: ep, ref: ref}
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

func (s *dwStep) tasks(c *execCtx) int {
	if s.ref {
		return c.batch
	}
	return c.batch * s.win.M
}

func (s *dwStep) run(c *execCtx, worker, task int) {
	g := &s.win
	if s.ref {
		convRefImage(g, s.w, &s.ep, c, s.in, s.out, task)
		return
	}
	b, m := task/g.M, task%g.M
	mult := g.M / g.C
	in := c.image(s.in, b)[m/mult*g.H*g.W : (m/mult+1)*g.H*g.W]
	out := c.image(s.out, b)[m*g.OH*g.OW : (m+1)*g.OH*g.OW]
	scratch := c.scratch[worker]
	src := scratch[:s.padded()]
	acc := scratch[s.padded() : s.padded()+g.OH*s.wq+dwSlack]
	s.pad(src, in)
	nt := g.KH * g.KW
	dwTaps(acc, src, s.offs, s.w[m*nt:(m+1)*nt], g.OH*s.wq)
	for y := 0; y < g.OH; y++ {
		copy(out[y*g.OW:(y+1)*g.OW], acc[y*s.wq:])
	}
	if !s.ep.empty() {
		lo := m * g.OH * g.OW
		s.ep.apply(out, out, s.ep.residual(c, b, lo, lo+len(out)), m)
	}
}

// pad writes the input plane in into dst as the zero-padded, phase-split
// image the taps' offsets address, and clears the slack after it.
func (s *dwStep) pad(dst, in []float32) {
	g := &s.win
	for q := 0; q < g.SH; q++ {
		for i := 0; i < s.hq; i++ {
			iy := i*g.SH + q - g.PT
			for p := 0; p < g.SW; p++ {
				d := dst[((q*g.SW+p)*s.hq+i)*s.wq : ((q*g.SW+p)*s.hq+i+1)*s.wq]
				if iy < 0 || iy >= g.H {
					clear(d)
					continue
				}
				// Column j holds input column j·SW + p − PL, inside the
				// row for j in [ja, jb).
				ja := min(s.wq, max(0, (g.PL-p+g.SW-1)/g.SW))
				jb := max(ja, min(s.wq, (g.W+g.PL-p+g.SW-1)/g.SW))
				clear(d[:ja])
				clear(d[jb:])
				if ja == jb {
					continue
				}
				row := in[iy*g.W : (iy+1)*g.W]
				start := ja*g.SW + p - g.PL
				switch g.SW {
				case 1:
					copy(d[ja:jb], row[start:])
				case 2:
					gatherStride2(d[ja:jb], row[start:])
				default:
					for j := ja; j < jb; j++ {
						d[j] = row[j*g.SW+p-g.PL]
					}
				}
			}
		}
	}
	clear(dst[g.SH*g.SW*s.hq*s.wq:])
}

// dwTaps computes dst[i] = Σ_t w[t]·src[offs[t]+i] for i < n with the
// active instruction set's kernel, or in Go. dst and src have dwSlack
// values to spare past what the sums need.
func dwTaps(dst, src []float32, offs []int, w []float32, n int) {
	if f := active.dw; f != nil {
		hi := 0
		for _, o := range offs {
			hi = max(hi, o)
		}
		_ = src[hi+n+dwSlack-1] // the kernel's reads, bounds-checked
		_ = dst[n+dwSlack-1]
		f(unsafe.SliceData(dst), unsafe.SliceData(src), unsafe.SliceData(offs), unsafe.SliceData(w), len(offs), n)
		return
	}
	d := dst[:n]
	clear(d)
	for t, o := range offs {
		wt := w[t]
		for i, v := range src[o : o+n] {
			d[i] += wt * v
		}
	}
}
