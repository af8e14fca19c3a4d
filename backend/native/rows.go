package native

import "unsafe"

// The row kernels of the elementwise steps: a global average pool's sums,
// a squeeze-excitation's scaling and the sum of two tensors. In Go they
// ran a value a cycle at best: the first two took 9% of seresnet50's time
// between them, the last 2% of skresnet34's.

// rowSumFunc returns Σ v[i] for i < n, n a multiple of 16, in float64.
type rowSumFunc func(v *float32, n int) float64

// scaleFunc sets dst[i] = src[i]·g, plus add[i] unless add is nil, for
// i < n, n a multiple of 8, the product rounded before the sum; dst may
// be src or add.
type scaleFunc func(dst, src *float32, g float32, add *float32, n int)

// addFunc sets dst[i] = a[i] + b[i] for i < n, n a multiple of 8; dst
// may be a or b.
type addFunc func(dst, a, b *float32, n int)

// addRow sets dst[i] = a[i] + b[i]; dst may be a or b.
func addRow(dst, a, b []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	i := 0
	if f := active.add; f != nil && len(a) >= 8 {
		i = len(a) / 8 * 8
		f(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), i)
	}
	for ; i < len(a); i++ {
		dst[i] = a[i] + b[i]
	}
}

// sum adds v in float64: with the instruction set's kernel in sixteen
// running sums, the tail (or all of it, without one) four ways in Go.
func sum(v []float32) float64 {
	var s float64
	if f := active.rowSum; f != nil && len(v) >= 16 {
		n := len(v) / 16 * 16
		s = f(unsafe.SliceData(v), n)
		v = v[n:]
	}
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		s0 += float64(v[i])
		s1 += float64(v[i+1])
		s2 += float64(v[i+2])
		s3 += float64(v[i+3])
	}
	for ; i < len(v); i++ {
		s0 += float64(v[i])
	}
	return s + (s0 + s1) + (s2 + s3)
}

// scaleRow is dst[i] = src[i]·g (+ add[i] unless add is nil). The product
// is rounded first, as an unfused Mul stores it, rather than fused into a
// multiply-add, so the kernel and Go agree bit for bit.
func scaleRow(dst, src []float32, g float32, add []float32) {
	dst = dst[:len(src)]
	if add != nil {
		add = add[:len(src)]
	}
	i := 0
	if f := active.scale; f != nil && len(src) >= 8 {
		i = len(src) / 8 * 8
		f(unsafe.SliceData(dst), unsafe.SliceData(src), g, unsafe.SliceData(add), i) // nil add: nil
	}
	if add == nil {
		for ; i < len(src); i++ {
			dst[i] = src[i] * g
		}
		return
	}
	for ; i < len(src); i++ {
		dst[i] = float32(src[i]*g) + add[i]
	}
}
