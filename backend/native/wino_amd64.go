//go:build amd64 && !purego

package native

// winoInAVX512 is a winoInFunc for CPUs with AVX-512F
// (wino_avx512_amd64.s).
//
//go:noescape
func winoInAVX512(plane *float32, y0, x0, h, w int, dst *float32, pstride, n, chans, cstride, dstride int)

// winoOutAVX512 is a winoOutFunc for CPUs with AVX-512F.
//
//go:noescape
func winoOutAVX512(src *float32, pstride int, dst *float32, ld, n, w, rows int)

// winoInAVX2 is a winoInFunc for CPUs with AVX2 (wino_avx2_amd64.s).
//
//go:noescape
func winoInAVX2(plane *float32, y0, x0, h, w int, dst *float32, pstride, n, chans, cstride, dstride int)

// winoOutAVX2 is a winoOutFunc for CPUs with AVX2.
//
//go:noescape
func winoOutAVX2(src *float32, pstride int, dst *float32, ld, n, w, rows int)
