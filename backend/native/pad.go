package native

// A planePad is the plan for copying an input plane into the zero-padded,
// phase-split image that a convolution's taps read at fixed offsets (see
// dw.go): padded row r = i·SH + q and column c = j·SW + p go to phase
// plane (q, p) at (i, j), rows wq floats apart, so that output pixel
// (y, x), at y·wq + x in an output of the same row pitch, reads tap
// (ky, kx) at offs[ky·KW + kx] from its own index. The depthwise
// convolutions (dwStep) and the grouped ones (tapConvStep) pad this way.
type planePad struct {
	geo    window
	hq, wq int   // rows and row pitch of each phase plane of the padded input
	offs   []int // per tap ky·KW + kx, its offset in the padded input
	rows   []padRow
	runs   []padRun // the rows read from the input, in runs
	ja, jb []int    // per column phase, the columns read from the input
	xb     int      // the input columns read: [0, xb)
}

// padPitch is the rows hq and row pitch wq of each phase plane of the
// padded input of convolution g: the padded rows and columns its taps
// read, split SH and SW ways.
func padPitch(g *window) (hq, wq int) {
	hp := (g.OH-1)*g.SH + (g.KH-1)*g.DH + 1
	wp := (g.OW-1)*g.SW + (g.KW-1)*g.DW + 1
	return (hp + g.SH - 1) / g.SH, (wp + g.SW - 1) / g.SW
}

// newPlanePad plans the padding of an input plane of convolution g.
func newPlanePad(g window) planePad {
	s := planePad{geo: g}
	s.hq, s.wq = padPitch(&g)
	for ky := 0; ky < g.KH; ky++ {
		for kx := 0; kx < g.KW; kx++ {
			q, p := ky*g.DH%g.SH, kx*g.DW%g.SW
			s.offs = append(s.offs, ((q*g.SW+p)*s.hq+ky*g.DH/g.SH)*s.wq+kx*g.DW/g.SW)
		}
	}
	s.plan()
	return s
}

// padded is the length of the padded input image, slack included.
func (s *planePad) padded() int { return s.geo.SH*s.geo.SW*s.hq*s.wq + s.wq + dwSlack }

// compact copies the output rows, wq apart in acc, into out.
func (s *planePad) compact(out, acc []float32) {
	g := &s.geo
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
// row layout is planned once (plan); a row's columns [ja[p], jb[p])
// of phase p come from the input, the rest are zeros.
func (s *planePad) pad(dst, in []float32) {
	g := &s.geo
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

// plan plans pad: the padded rows, and per column phase p the columns
// [ja[p], jb[p]) that hold input column j·SW + p − PL.
func (s *planePad) plan() {
	g := &s.geo
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
