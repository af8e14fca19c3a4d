//go:build amd64 && !purego

package native

// lnStatsAVX2 is an lnStatsFunc for CPUs with AVX2 (layernorm_amd64.s).
//
//go:noescape
func lnStatsAVX2(x *float32, stride, ch, n int, mean, variance *float32, inv float32)

// lnApplyAVX2 is an lnApplyFunc for CPUs with AVX2 (layernorm_amd64.s).
//
//go:noescape
func lnApplyAVX2(dst, src, mean, rstd *float32, n int, gamma, beta float32)
