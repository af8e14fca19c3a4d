//go:build amd64 && !purego

package native

// dot4AVX2 is a dot4Func for CPUs with AVX2 and FMA (dot_amd64.s).
//
//go:noescape
func dot4AVX2(w *float32, k int, x *float32, n int, out *float32)
