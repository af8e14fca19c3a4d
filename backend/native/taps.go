package native

// Narrow outputs (the late stages' 14×14 and 7×7) make packIm2col's
// segments short: it pays its per-segment bookkeeping every few values.
// There a table of each tap's input offset per output pixel, built once
// at Compile, turns an im2col row into one plain gather.

// tapsMaxOW is the output width below which a convolution that
// packShifted does not cover gathers through a tap table: per output row
// packIm2col costs about 40 cycles plus half a cycle a value, the table
// about two and a half a value.
const tapsMaxOW = 20

// span2MinOW is the output width from which a stride-2 convolution packs
// its im2col rows with packSpan2 (the instruction set's gather2Span)
// rather than through the tap table. Packing a layer's rows, one thread,
// interleaved in alternating order, gather2Span's time over the table's:
// 0.53–0.63 for resnet50's 1×1/2 and 3×3/2 to 7×7, 0.57–0.77 at 6×6,
// 0.69–0.87 at 5×5, but 0.93–1.17 at 4×4 and 1.25–1.43 at 3×3.
const span2MinOW = 5

// tapOffsets is, for each tap t = ky·KW + kx and output pixel
// n = oy·OW + ox, the offset in an input plane that the tap reads,
// (oy·SH − PT + ky·DH)·W + ox·SW − PL + kx·DW, or −1 where that falls in
// the padding; taps[t·OH·OW + n].
func tapOffsets(g *window) []int32 {
	n := g.OH * g.OW
	taps := make([]int32, g.KH*g.KW*n)
	for ky := 0; ky < g.KH; ky++ {
		for kx := 0; kx < g.KW; kx++ {
			t := taps[(ky*g.KW+kx)*n : (ky*g.KW+kx+1)*n]
			for oy := 0; oy < g.OH; oy++ {
				iy := oy*g.SH - g.PT + ky*g.DH
				for ox := 0; ox < g.OW; ox++ {
					ix := ox*g.SW - g.PL + kx*g.DW
					off := int32(-1)
					if iy >= 0 && iy < g.H && ix >= 0 && ix < g.W {
						off = int32(iy*g.W + ix)
					}
					t[oy*g.OW+ox] = off
				}
			}
		}
	}
	return taps
}

// packTaps is packIm2col through the table taps (tapOffsets): row
// k = (c·KH + ky)·KW + kx of the panel gathers channel c's plane at tap
// (ky, kx)'s offsets for columns [n0, n0+ncols).
func packTaps(dst []float32, ldb int, in []float32, g *window, taps []int32, k0, kc, n0, ncols int) {
	hw, n, nt := g.H*g.W, g.OH*g.OW, g.KH*g.KW
	tap, ch := k0%nt, k0/nt
	for k := 0; k < kc; k++ {
		plane := in[ch*hw : (ch+1)*hw]
		t := taps[tap*n+n0 : tap*n+n0+ncols]
		d := dst[k*ldb : k*ldb+ncols]
		for j, off := range t {
			v := float32(0)
			if off >= 0 {
				v = plane[off]
			}
			d[j] = v
		}
		if tap++; tap == nt {
			tap = 0
			ch++
		}
	}
}
