package native

import (
	"math"
	"unsafe"
)

// The kernels of layerNormStep's fast path, over a block of n positions
// of one image whose channel k is at x[k·stride:]: the channels' mean and
// biased variance at each position, then each channel's row normalised.
// The active instruction set's kernels take the positions in multiples of
// 8; the Go loops here take the rest, and all of them without one.

// lnStatsFunc sets mean[i] = inv·Σ_k x[k·stride+i] and variance[i] =
// inv·Σ_k (x[k·stride+i] − mean[i])² for i < n, n a multiple of 8, ch ≥ 1.
type lnStatsFunc func(x *float32, stride, ch, n int, mean, variance *float32, inv float32)

// lnApplyFunc sets dst[i] = (src[i] − mean[i])·rstd[i]·g + b for i < n, n
// a multiple of 8; dst may be src.
type lnApplyFunc func(dst, src, mean, rstd *float32, n int, g, b float32)

// lnStats computes the mean and the biased variance over ch channels at
// each of the len(mean) positions of x (channel k at x[k·stride:]).
func lnStats(x []float32, stride, ch int, mean, variance []float32) {
	n := len(mean)
	inv := 1 / float32(ch)
	done := 0
	if f := active.lnStats; f != nil && n >= 8 && ch > 0 {
		done = n &^ 7
		_ = x[(ch-1)*stride+done-1] // the kernel's reads are in x
		f(unsafe.SliceData(x), stride, ch, done, unsafe.SliceData(mean), unsafe.SliceData(variance[:n]), inv)
	}
	// The rest, a channel's row at a time so that the loops are stride 1.
	m, v := mean[done:n], variance[done:n]
	clear(m)
	for k := range ch {
		for i, x := range x[k*stride+done : k*stride+n] {
			m[i] += x
		}
	}
	for i := range m {
		m[i] *= inv
	}
	clear(v)
	for k := range ch {
		for i, x := range x[k*stride+done : k*stride+n] {
			d := x - m[i]
			v[i] += d * d
		}
	}
	for i := range v {
		v[i] *= inv
	}
}

// lnApply normalises one channel's row: dst[i] = (src[i] −
// mean[i])·rstd[i]·g + b; dst may be src.
func lnApply(dst, src, mean, rstd []float32, g, b float32) {
	n := len(dst)
	src, mean, rstd = src[:n], mean[:n], rstd[:n]
	done := 0
	if f := active.lnApply; f != nil && n >= 8 {
		done = n &^ 7
		f(unsafe.SliceData(dst), unsafe.SliceData(src), unsafe.SliceData(mean), unsafe.SliceData(rstd), done, g, b)
	}
	for i := done; i < n; i++ {
		dst[i] = (src[i]-mean[i])*rstd[i]*g + b
	}
}

// lnRstd turns variances into 1/√(variance + eps), in place, in float64.
func lnRstd(v []float32, eps float64) {
	for i, q := range v {
		v[i] = float32(1 / math.Sqrt(float64(q)+eps))
	}
}
