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
