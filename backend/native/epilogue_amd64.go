//go:build amd64 && !purego

package native

// epilogueAVX2 is an epilogueFunc for CPUs with AVX2 (epilogue_amd64.s).
//
//go:noescape
func epilogueAVX2(dst, src *float32, ld int, res *float32, ldr, rows, cols int, bias, scale, shift *float32, relu bool)
