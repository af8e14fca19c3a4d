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
