//go:build amd64 && !purego

package native

// sumAVX2 is a rowSumFunc for CPUs with AVX2 (rows_amd64.s).
//
//go:noescape
func sumAVX2(v *float32, n int) float64

// scaleAVX2 is a scaleFunc for CPUs with AVX2 (rows_amd64.s).
//
//go:noescape
func scaleAVX2(dst, src *float32, k float32, add *float32, n int)

// addAVX2 is an addFunc for CPUs with AVX2 (rows_amd64.s).
//
//go:noescape
func addAVX2(dst, a, b *float32, n int)
