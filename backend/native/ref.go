package native

import (
	"math"

	"github.com/resc-dev/resc/ir"
)

// The reference kernels: plain loops that say what each fast kernel
// computes. They stay compiled; the tests compare the fast kernels with
// them, and Options.reference runs whole programs on them.

// A window is the geometry of a sliding window over one image: a
// convolution's or a pool's.
type window struct {
	C, H, W        int // input channels and size
	M, OH, OW      int // output channels and size
	KH, KW         int // kernel
	SH, SW         int // strides
	DH, DW         int // dilations
	PT, PL, PB, PR int // padding: top, left, bottom, right
	G              int // groups (convolutions)
}

// windowOf reads a conv or pool node's geometry.
func windowOf(in, out ir.Shape, a *ir.Attrs) window {
	return window{
		C: in[1], H: in[2], W: in[3], M: out[1], OH: out[2], OW: out[3],
		KH: a.Kernel[0], KW: a.Kernel[1], SH: a.Strides[0], SW: a.Strides[1],
		DH: a.Dilations[0], DW: a.Dilations[1],
		PT: a.Pads[0], PL: a.Pads[1], PB: a.Pads[2], PR: a.Pads[3], G: max(1, a.Groups),
	}
}

// convRefImage is the reference path's convolution of image b: convRef,
// then the epilogue (bias included) plane by plane.
func convRefImage(g *window, w []float32, e *epilogue, c *execCtx, in, out *tensor, b int) {
	o := c.image(out, b)
	convRef(g, w, c.image(in, b), o)
	e.planes(c, b, o, g.OH*g.OW)
}

// convRef is one image's grouped convolution, w in OIHW, without bias
// (the epilogue adds it):
//
//	out[m][y][x] = Σ_{c<C/G, ky, kx} w[m][c][ky][kx] ·
//	    in[g·C/G+c][y·SH−PT+ky·DH][x·SW−PL+kx·DW]
//
// where g = m/(M/G) and taps outside the input read zero.
func convRef(g *window, w, in, out []float32) {
	cg, mg := g.C/g.G, g.M/g.G
	for m := 0; m < g.M; m++ {
		grp := m / mg
		for y := 0; y < g.OH; y++ {
			for x := 0; x < g.OW; x++ {
				var s float32
				for c := 0; c < cg; c++ {
					for ky := 0; ky < g.KH; ky++ {
						iy := y*g.SH - g.PT + ky*g.DH
						if iy < 0 || iy >= g.H {
							continue
						}
						for kx := 0; kx < g.KW; kx++ {
							ix := x*g.SW - g.PL + kx*g.DW
							if ix < 0 || ix >= g.W {
								continue
							}
							s += w[((m*cg+c)*g.KH+ky)*g.KW+kx] * in[((grp*cg+c)*g.H+iy)*g.W+ix]
						}
					}
				}
				out[(m*g.OH+y)*g.OW+x] = s
			}
		}
	}
}

// poolRef is one image's max or average pool:
//
//	max: out[c][y][x] = max over taps (ky, kx) inside the input of
//	     in[c][y·SH−PT+ky·DH][x·SW−PL+kx·DW]
//	avg: the sum over the same taps, divided by their number, or with
//	     countPad by the number of taps inside the padded input
//	     (−PT ≤ iy < H+PB, −PL ≤ ix < W+PR), as PyTorch and ONNX count.
//
// A max over no taps is −Inf; an average over none is 0.
func poolRef(g *window, isMax, countPad bool, in, out []float32) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	for c := 0; c < g.C; c++ {
		for y := 0; y < g.OH; y++ {
			for x := 0; x < g.OW; x++ {
				out[c*oplane+y*g.OW+x] = poolAt(g, isMax, countPad, in[c*plane:(c+1)*plane], y, x)
			}
		}
	}
}

// poolAt is output (y, x) of one channel plane in, as poolRef defines it;
// poolPlane uses it where windows cross the border.
func poolAt(g *window, isMax, countPad bool, in []float32, y, x int) float32 {
	m := float32(math.Inf(-1))
	var s float32
	n, padded := 0, 0
	for ky := 0; ky < g.KH; ky++ {
		iy := y*g.SH - g.PT + ky*g.DH
		if iy >= g.H+g.PB {
			continue
		}
		for kx := 0; kx < g.KW; kx++ {
			ix := x*g.SW - g.PL + kx*g.DW
			if ix >= g.W+g.PR {
				continue
			}
			padded++
			if iy < 0 || iy >= g.H || ix < 0 || ix >= g.W {
				continue
			}
			v := in[iy*g.W+ix]
			m = max(m, v)
			s += v
			n++
		}
	}
	switch {
	case isMax:
		return m
	case countPad && padded > 0:
		return s / float32(padded)
	case n > 0:
		return s / float32(n)
	}
	return 0
}

// fcRef is one image's fully connected layer, w [M][K]:
//
//	out[m] = bias[m] + Σ_k w[m][k]·x[k]
func fcRef(w, bias, x, out []float32) {
	k := len(x)
	for m := range out {
		var s float32
		if bias != nil {
			s = bias[m]
		}
		for i, v := range x {
			s += w[m*k+i] * v
		}
		out[m] = s
	}
}
