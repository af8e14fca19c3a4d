//go:build amd64 && !purego

package native

// gather2AVX2 is a gatherFunc for CPUs with AVX2 (gather_amd64.s).
//
//go:noescape
func gather2AVX2(dst, src *float32, n int)

// maxAVX2 is a maxFunc for CPUs with AVX2 (gather_amd64.s).
//
//go:noescape
func maxAVX2(dst, src *float32, n int)

// maxPool3s2AVX2 is a maxPool3s2Func for CPUs with AVX2 (gather_amd64.s).
//
//go:noescape
func maxPool3s2AVX2(dst, src *float32, n, rows, stride int)

// maxPool3s2RowsAVX512 is a maxPool3s2RowsFunc for CPUs with AVX-512F,
// AVX512DQ (VRANGEPS) and BMI2 (split_avx512_amd64.s).
//
//go:noescape
func maxPool3s2RowsAVX512(dst, src *float32, n, rows, stride, orows, dstStride, srcStep int) bool

// gather2SpanAVX512 is a gather2SpanFunc for CPUs with AVX-512F
// (split_avx512_amd64.s).
//
//go:noescape
func gather2SpanAVX512(dst, src *float32, n, x0, ow, lo, hi, srcStride int)
