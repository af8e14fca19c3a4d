//go:build amd64 && !purego

package native

// epilogueAVX2 is an epilogueFunc for CPUs with AVX2 (epilogue_amd64.s).
//
//go:noescape
func epilogueAVX2(dst, src *float32, ld int, res *float32, ldr, rows, cols int, bias, scale, shift *float32, relu bool)

// epilogueAVX512 is an epilogueFunc for CPUs with AVX-512F
// (epilogue_avx512_amd64.s): sixteen values a step, a masked step for
// each row's tail.
//
//go:noescape
func epilogueAVX512(dst, src *float32, ld int, res *float32, ldr, rows, cols int, bias, scale, shift *float32, relu bool)
