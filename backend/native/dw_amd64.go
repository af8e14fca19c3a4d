//go:build amd64 && !purego

package native

// dwAVX2 is a dwFunc for CPUs with AVX2 and FMA (dw_amd64.s).
//
//go:noescape
func dwAVX2(dst, src *float32, offs *int, w *float32, ntaps, n int, bias float32)

// dwAVX512 is a dwFunc for CPUs with AVX-512F (dw_avx512_amd64.s).
//
//go:noescape
func dwAVX512(dst, src *float32, offs *int, w *float32, ntaps, n int, bias float32)

// split2AVX512 is a split2Func for CPUs with AVX-512F
// (split_avx512_amd64.s).
//
//go:noescape
func split2AVX512(even, odd, src *float32, n, rows, srcStride, dstStride int)

// dwRowsAVX512 is a dwRowsFunc for CPUs with AVX-512F
// (dwrows_avx512_amd64.s).
//
//go:noescape
func dwRowsAVX512(dst, src *float32, offs *int, w *float32, ntaps, rows, ow, pitch int, bias float32)
