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

// gather2SpanFunc writes n values of a stride-2 im2col row to dst:
// output rows of ow values, the first from column x0 on, row r's value j
// src[r·srcStride+2(j−lo)] for lo ≤ j < hi and 0 for the other j.
type gather2SpanFunc func(dst, src *float32, n, x0, ow, lo, hi, srcStride int)

// gather2Span fills dst with a span of a stride-2 im2col row, across
// output rows of ow values from column x0 of the first: row r's values j
// in [lo, hi) are every second value of src from r·srcStride on, the rest
// (the padding) zero. With the active instruction set's kernel, or in Go.
func gather2Span(dst, src []float32, x0, ow, lo, hi, srcStride int) {
	n := len(dst)
	if n == 0 {
		return
	}
	hi = max(hi, lo)
	if hi > lo {
		_ = src[(x0+n-1)/ow*srcStride+2*(hi-1-lo)] // the last value read, at most
	}
	if f := active.gather2Span; f != nil {
		f(unsafe.SliceData(dst), unsafe.SliceData(src), n, x0, ow, lo, hi, srcStride)
		return
	}
	for pos, x, r := 0, x0, 0; pos < n; x, r = 0, r+1 {
		e := min(ow, x+n-pos) // the row's values [x, e)
		d := dst[pos : pos+e-x]
		a := min(max(lo, x), e)
		b := min(max(hi, a), e)
		clear(d[:a-x])
		if b > a {
			gatherStride2(d[a-x:b-x], src[r*srcStride+2*(a-lo):])
		}
		clear(d[b-x:])
		pos += e - x
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
