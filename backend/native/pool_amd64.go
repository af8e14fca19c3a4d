//go:build amd64 && !purego

package native

// maxPool3s2AVX2 is a maxPool3s2Func for CPUs with AVX2 (pool_amd64.s).
//
//go:noescape
func maxPool3s2AVX2(dst, src *float32, n, rows, stride int)
