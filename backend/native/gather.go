package native

import "unsafe"

// gatherFunc sets dst[i] = src[2i] for i < n, n a multiple of 8, reading
// src[0, 2n).
type gatherFunc func(dst, src *float32, n int)

// gatherStride2 sets dst[i] = src[2i] for i < len(dst), src holding at
// least 2·len(dst)−1 values: the stride-2 convolutions' im2col rows and
// the stride-2 pools' taps. The assembly takes whole blocks of eight that
// stay inside src (a block reads one value past its last even one); Go
// does the rest.
func gatherStride2(dst, src []float32) {
	n := len(dst)
	if n == 0 {
		return
	}
	src = src[:2*n-1]
	i := 0
	if f := active.gather2; f != nil {
		i = (n - 1) / 8 * 8 // blocks of 8 reading at most src[2n−2]
		if i > 0 {
			f(unsafe.SliceData(dst), unsafe.SliceData(src), i)
		}
	}
	for ; i < n; i++ {
		dst[i] = src[2*i]
	}
}

// gather2RowsFunc sets, for rows rows r, dst[r·ow+j] =
// src[r·srcStride+2(j−lo)] for lo ≤ j < hi and 0 for the other j < ow.
type gather2RowsFunc func(dst, src *float32, rows, ow, lo, hi, srcStride int)

// gather2Rows writes rows whole output rows of a stride-2 im2col row into
// dst, ow values each: row r's values j in [lo, hi) are every second
// value of src from r·srcStride on, the rest (the padding) zero. With the
// active instruction set's kernel, or in Go.
func gather2Rows(dst, src []float32, rows, ow, lo, hi, srcStride int) {
	if rows <= 0 {
		return
	}
	hi = max(hi, lo)
	dst = dst[:rows*ow]
	if hi > lo {
		_ = src[(rows-1)*srcStride+2*(hi-1-lo)] // the last value read
	}
	if f := active.gather2Rows; f != nil {
		f(unsafe.SliceData(dst), unsafe.SliceData(src), rows, ow, lo, hi, srcStride)
		return
	}
	for r := range rows {
		d := dst[r*ow : (r+1)*ow]
		clear(d[:lo])
		if hi > lo {
			gatherStride2(d[lo:hi], src[r*srcStride:])
		}
		clear(d[hi:])
	}
}

// maxFunc sets dst[i] = max(dst[i], src[i]) for i < n, n a multiple of 8,
// with Go's max semantics.
type maxFunc func(dst, src *float32, n int)

// maxInto sets dst[i] = max(dst[i], src[i]) for i < len(dst): the max
// pools' vertical and horizontal passes.
func maxInto(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	i := 0
	if f := active.vmax; f != nil && n >= 8 {
		i = n / 8 * 8
		f(unsafe.SliceData(dst), unsafe.SliceData(src), i)
	}
	for ; i < n; i++ {
		dst[i] = max(dst[i], src[i])
	}
}
