//go:build amd64 && !purego

package native

import "unsafe"

// affineAVX2 computes dst[i] = act((src[i] + b + res[i])·sc + sh) for
// i < n; res may be nil, act is a relu when relu is set.
//
//go:noescape
func affineAVX2(dst, src, res *float32, n int, b, sc, sh float32, relu bool)

// affineFast runs the epilogue's affine part and relu in assembly where
// the CPU has AVX2; it reports false where it did nothing.
func affineFast(dst, src, res []float32, b, sc, sh float32, relu bool) bool {
	if !hasAVX2 || len(dst) == 0 {
		return hasAVX2
	}
	src = src[:len(dst)]
	var r *float32
	if res != nil {
		r = unsafe.SliceData(res[:len(dst)])
	}
	affineAVX2(unsafe.SliceData(dst), unsafe.SliceData(src), r, len(dst), b, sc, sh, relu)
	return true
}
