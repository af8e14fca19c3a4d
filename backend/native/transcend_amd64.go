//go:build amd64 && !purego

package native

// transcendAVX2 is a transcendFunc for CPUs with AVX2
// (transcend_amd64.s).
//
//go:noescape
func transcendAVX2(dst, src *float32, n, fn int, alpha float32)
