//go:build amd64 && !purego

package native

import "unsafe"

// epilogueAVX2 computes, for r < rows and j < cols, with rows ld floats
// apart in dst and src and ldr apart in res,
//
//	dst[r][j] = act((src[r][j] + bias[r] + res[r][j])·scale[r] + shift[r])
//
// res, bias and scale (with shift) may be nil for none; act is a relu when
// relu is set (epilogue_amd64.s).
//
//go:noescape
func epilogueAVX2(dst, src *float32, ld int, res *float32, ldr, rows, cols int, bias, scale, shift *float32, relu bool)

// tileFast applies bias, residual, scale and shift and a relu to rows
// rows of cols values in assembly where the CPU has AVX2; it reports
// false, having done nothing, where it has not. Rows are ld apart in dst
// and src, ldr apart in res; bias, scale and shift hold a value per row
// (nil: none). The caller has checked the slices' lengths.
func tileFast(dst, src []float32, ld int, res []float32, ldr, rows, cols int, bias, scale, shift []float32, relu bool) bool {
	if !hasAVX2 {
		return false
	}
	if rows == 0 || cols == 0 {
		return true
	}
	ptr := func(v []float32) *float32 {
		if v == nil {
			return nil
		}
		return unsafe.SliceData(v)
	}
	epilogueAVX2(ptr(dst), ptr(src), ld, ptr(res), ldr, rows, cols, ptr(bias), ptr(scale), ptr(shift), relu)
	return true
}
