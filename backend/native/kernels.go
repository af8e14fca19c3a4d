package native

import (
	"math"
	"unsafe"
)

// The fast pooling and fully connected kernels; ref.go has their
// references.

// poolPlane pools one channel: windows wholly inside the input take no
// bounds checks; those at the borders go tap by tap as poolRef does.
// scratch (poolScratch floats, or fewer to go tap by tap) serves the max
// pools' row passes.
func poolPlane(g *window, isMax, countPad bool, in, out, scratch []float32) {
	if isMax && g.KH == 1 && g.KW == 1 && g.SW == 2 && g.PT == 0 && g.PL == 0 && g.PB == 0 && g.PR == 0 {
		// A subsample (Keras's ResNet V2 shortcuts): the whole plane in
		// one stride-2 gather across its rows. Row by row, a 7×7 output
		// paid a call per row of 7 and took 10× onnxruntime's time. (An
		// average pool adds its value to +0, turning −0 into +0.)
		gather2Span(out, in, 0, g.OW, 0, g.OW, g.SH*g.W)
		return
	}
	// Output columns [xa, xb) and rows [ya, yb) have every tap inside.
	xa := (g.PL + g.SW - 1) / g.SW
	xb := max(xa, (g.W-1-(g.KW-1)*g.DW+g.PL)/g.SW+1)
	xb = min(xb, g.OW)
	if g.W-1-(g.KW-1)*g.DW+g.PL < 0 {
		xb = xa
	}
	ya := (g.PT + g.SH - 1) / g.SH
	yb := min(g.OH, max(ya, (g.H-1-(g.KH-1)*g.DH+g.PT)/g.SH+1))
	if g.H-1-(g.KH-1)*g.DH+g.PT < 0 {
		yb = ya
	}
	size := float32(g.KH * g.KW) // an interior window's taps
	at := func(y, x int) float32 { return poolAt(g, isMax, countPad, in, y, x) }
	if isMax && g.DH == 1 && g.DW == 1 {
		at = func(y, x int) float32 { return maxAt(g, in, y, x) }
	}
	// ResNet's stem pool: the interior of the whole plane in one call.
	interiorDone := false
	if isMax && g.DH == 1 && g.DW == 1 && g.KW == 3 && g.SW == 2 && yb > ya && xb > xa && active.maxPool3s2Rows != nil {
		interiorDone = maxPool3s2Rows(active.maxPool3s2Rows, out[ya*g.OW+xa:], in[(ya*g.SH-g.PT)*g.W+xa*2-g.PL:], xb-xa, g.KH, g.W, yb-ya, g.OW, g.SH*g.W)
	}
	for y := 0; y < g.OH; y++ {
		o := out[y*g.OW : (y+1)*g.OW]
		iy := y*g.SH - g.PT
		if y < ya || y >= yb {
			// A max pool's border row is its interior's pool over the
			// rows inside the input, where it can; every other window
			// goes tap by tap.
			lo, hi := max(iy, 0), min(iy+g.KH, g.H)
			done := 0
			if mid := o[min(xa, xb):xb]; isMax && g.DH == 1 && hi > lo && len(mid) > 0 && maxPoolRow(g, in, lo, hi-lo, xa, mid, scratch) {
				done = len(mid)
			}
			for x := range o {
				if x < xa || x >= xa+done {
					o[x] = at(y, x)
				}
			}
			continue
		}
		for x := 0; x < min(xa, g.OW); x++ {
			o[x] = at(y, x)
		}
		// The interior: a max pool's in whole-row passes, an average's
		// window by window, where they can, otherwise tap by tap over the
		// whole stretch of the row.
		if mid := o[min(xa, xb):xb]; len(mid) > 0 && !interiorDone &&
			!(isMax && maxPoolRow(g, in, iy, g.KH, xa, mid, scratch) || !isMax && avgPoolRow(g, in, iy, xa, mid)) {
			if isMax {
				for i := range mid {
					mid[i] = float32(math.Inf(-1))
				}
			} else {
				clear(mid)
			}
			for ky := 0; ky < g.KH; ky++ {
				row := in[(iy+ky*g.DH)*g.W : (iy+ky*g.DH+1)*g.W]
				for kx := 0; kx < g.KW; kx++ {
					start := xa*g.SW - g.PL + kx*g.DW
					src := row[start : start+(len(mid)-1)*g.SW+1]
					switch {
					case isMax && g.SW == 1:
						for i, v := range src[:len(mid)] {
							mid[i] = max(mid[i], v)
						}
					case isMax:
						for i := range mid {
							mid[i] = max(mid[i], src[i*g.SW])
						}
					case g.SW == 1:
						for i, v := range src[:len(mid)] {
							mid[i] += v
						}
					default:
						for i := range mid {
							mid[i] += src[i*g.SW]
						}
					}
				}
			}
			if !isMax {
				for i := range mid {
					mid[i] /= size // as poolAt divides
				}
			}
		}
		for x := max(xb, xa); x < g.OW; x++ {
			o[x] = at(y, x)
		}
	}
}

// fcRows computes out[m] = bias[m] + w[m−lo]·x for m in [lo, hi), four
// rows at a time; w holds rows lo..hi. bias may be nil.
func fcRows(w, bias, x, out []float32, lo, hi int) {
	k := len(x)
	m := lo
	// The active instruction set's dot4 takes the first k16 values of
	// each row (whole blocks of 16), Go the rest.
	k16 := 0
	if active.dot4 != nil {
		k16 = k / 16 * 16
	}
	for ; m+4 <= hi; m += 4 {
		r := w[(m-lo)*k : (m-lo+4)*k]
		w0, w1, w2, w3 := r[:k], r[k:2*k], r[2*k:3*k], r[3*k:4*k]
		var s0, s1, s2, s3 float32
		if k16 > 0 {
			d := out[m : m+4 : m+4] // the sums land here first: no escaping local
			active.dot4(unsafe.SliceData(r), k, unsafe.SliceData(x), k16, &d[0])
			s0, s1, s2, s3 = d[0], d[1], d[2], d[3]
		}
		for i, v := range x[k16:] {
			i += k16
			s0 += w0[i] * v
			s1 += w1[i] * v
			s2 += w2[i] * v
			s3 += w3[i] * v
		}
		if bias != nil {
			s0 += bias[m]
			s1 += bias[m+1]
			s2 += bias[m+2]
			s3 += bias[m+3]
		}
		out[m], out[m+1], out[m+2], out[m+3] = s0, s1, s2, s3
	}
	for ; m < hi; m++ {
		row := w[(m-lo)*k : (m-lo+1)*k]
		var s float32
		for i, v := range x {
			s += row[i] * v
		}
		if bias != nil {
			s += bias[m]
		}
		out[m] = s
	}
}

// maxAt is poolAt for an undilated max pool's border windows: their rows
// and columns clipped to the input once, not tap by tap. ResNet's stem
// pool has one such window in every output row.
func maxAt(g *window, in []float32, y, x int) float32 {
	iy, ix := y*g.SH-g.PT, x*g.SW-g.PL
	r0, r1 := max(iy, 0), min(iy+g.KH, g.H)
	c0, c1 := max(ix, 0), min(ix+g.KW, g.W)
	m := float32(math.Inf(-1))
	if c1 <= c0 {
		return m
	}
	for r := r0; r < r1; r++ {
		for _, v := range in[r*g.W+c0 : r*g.W+c1] {
			m = max(m, v)
		}
	}
	return m
}

// poolScratch is the scratch poolPlane needs for its row passes: the
// stretch of input an output row covers and a gathered column.
func poolScratch(g *window) int { return g.W + g.KW + g.OW }

// avgPoolRow computes the interior outputs mid, from output column xa on,
// of the average pool's output row whose window starts at input row iy,
// each window summed in a register in poolAt's order (rows, then columns)
// and divided as poolAt divides, so bit for bit the reference. The 2- and
// 3-wide windows of ResNet-D's shortcut and ResNeSt's downsampling are
// unrolled. Tap by tap, a pass over the row per tap, resnest50d's six
// such pools took 7.4 ms a run on one thread; window by window 5.6 ms
// (resc bench --profile, twice each). It reports false, having done
// nothing, for dilations and other widths.
func avgPoolRow(g *window, in []float32, iy, xa int, mid []float32) bool {
	if g.DH != 1 || g.DW != 1 || g.KW != 2 && g.KW != 3 {
		return false
	}
	n := float32(g.KH * g.KW)
	x0 := xa*g.SW - g.PL
	rows := in[iy*g.W : (iy+g.KH-1)*g.W+x0+(len(mid)-1)*g.SW+g.KW] // every value read
	for i := range mid {
		var s float32
		for r := x0 + i*g.SW; r < len(rows); r += g.W {
			t := rows[r : r+g.KW]
			s += t[0]
			s += t[1]
			if g.KW == 3 {
				s += t[2]
			}
		}
		mid[i] = s / n
	}
	return true
}

// maxPoolRow computes the interior outputs mid, from output column xa on,
// of a max pool's output row over the rows input rows from iy: all of a
// window's rows inside the input, or those of a border row. A 3-wide,
// stride-2 window (ResNet's stem pool) goes through the instruction set's
// kernel; others in whole-row passes: the maximum of the rows over the
// stretch of input they cover, then of its columns, gathered (every
// second one at stride 2). Max is order-free, so the result is poolAt's.
// It reports false, having done nothing, for dilations, strides other
// than 1 and 2 and a scratch too short for the row.
func maxPoolRow(g *window, in []float32, iy, rows, xa int, mid, scratch []float32) bool {
	lo := xa*g.SW - g.PL
	span := (len(mid)-1)*g.SW + g.KW
	if g.DH != 1 || g.DW != 1 || g.SW > 2 || len(scratch) < span+len(mid) {
		return false
	}
	if g.KW == 3 && g.SW == 2 && active.maxPool3s2Rows != nil && maxPool3s2Rows(active.maxPool3s2Rows, mid, in[iy*g.W+lo:], len(mid), rows, g.W, 1, 0, 0) {
		return true
	}
	if g.KW == 3 && g.SW == 2 && len(mid) >= 8 && active.maxPool3s2 != nil {
		maxPool3s2(active.maxPool3s2, mid, in[iy*g.W+lo:(iy+rows-1)*g.W+lo+span], rows, g.W)
		return true
	}
	if rows == 1 && g.KW == 1 {
		// A subsample that poolPlane does not take plane by plane (a
		// padded one) or a stride-1 copy: one pass, straight into the
		// output.
		if g.SW == 2 {
			gatherStride2(mid, in[iy*g.W+lo:iy*g.W+lo+span])
		} else {
			copy(mid, in[iy*g.W+lo:iy*g.W+lo+span])
		}
		return true
	}
	v, h := scratch[:span], scratch[span:span+len(mid)]
	copy(v, in[iy*g.W+lo:iy*g.W+lo+span])
	for ky := 1; ky < rows; ky++ {
		maxInto(v, in[(iy+ky)*g.W+lo:(iy+ky)*g.W+lo+span])
	}
	for kx := 0; kx < g.KW; kx++ {
		t := v[kx : kx+len(mid)]
		if g.SW == 2 {
			t = h
			gatherStride2(t, v[kx:])
		}
		if kx == 0 {
			copy(mid, t)
		} else {
			maxInto(mid, t)
		}
	}
	return true
}

// maxPool3s2RowsFunc is a maxPool3s2Func for orows output rows at once:
// output row o at dst[o·dstStride:] from the input rows at
// src[o·srcStep:], n outputs each, n ≥ 1. It may report false instead
// where the rows may hold a NaN (maxPool3s2RowsAVX512 cannot tell one
// from +Inf and −Inf in a lane): then the caller computes them again.
type maxPool3s2RowsFunc func(dst, src *float32, n, rows, stride, orows, dstStride, srcStep int) bool

// maxPool3s2Rows computes orows output rows of n windows with the kernel
// f, or reports false: dst holds (orows−1)·dstStride+n values, src every
// value the windows read.
func maxPool3s2Rows(f maxPool3s2RowsFunc, dst, src []float32, n, rows, stride, orows, dstStride, srcStep int) bool {
	_ = dst[(orows-1)*dstStride+n-1]
	_ = src[(orows-1)*srcStep+(rows-1)*stride+2*n] // the last value read
	return f(unsafe.SliceData(dst), unsafe.SliceData(src), n, rows, stride, orows, dstStride, srcStep)
}

// maxPool3s2Func sets dst[i] to the maximum of src[r·stride + 2i + t] over
// r < rows and t < 3, for i < n, n a multiple of 8, with Go's max
// semantics: a 3-wide, stride-2 max pool's outputs over rows input rows.
type maxPool3s2Func func(dst, src *float32, n, rows, stride int)

// maxPool3s2 computes dst, at least 8 outputs, with the kernel f from
// src, rows input rows stride apart that hold every value the windows
// read (rows−1 strides and 2·len(dst)+1 values). The last outputs short
// of a multiple of 8 are the last 8 again.
func maxPool3s2(f maxPool3s2Func, dst, src []float32, rows, stride int) {
	n := len(dst)
	_ = src[(rows-1)*stride+2*n] // every value the kernel reads
	n8 := n / 8 * 8
	f(unsafe.SliceData(dst), unsafe.SliceData(src), n8, rows, stride)
	if n8 < n {
		f(&dst[n-8], &src[2*(n-8)], 8, rows, stride)
	}
}
