package native

import "github.com/resc-dev/resc/ir"

// An epilogue is what a step applies to each value v of its result, per
// output channel c, while the values are still in cache: the bias and
// residual of a convolution, a batch norm folded into a scale and shift
// after it, and an activation,
//
//	y = act((v + bias[c] + residual) · scale[c] + shift[c])
//
// each part only when present. Convolutions (fast, depthwise and
// reference), BatchNorm and ScaleShift share it, so that every path
// computes the same expression in the same order as the unfused graph:
// a convolution's bias, an Add, a ScaleShift, an activation. Absent parts
// are an exact identity (v+0, v·1+0) up to the sign of a zero.
type epilogue struct {
	bias         []float32 // per channel; nil when none
	res          *tensor   // of the result's shape; nil when none
	scale, shift []float32 // per channel; nil when none
	act          ir.Act
	alpha        float32 // ActLeakyRelu's slope
}

// empty reports whether the epilogue leaves every value as it is, so that
// a step may skip it.
func (e *epilogue) empty() bool {
	return e.bias == nil && e.res == nil && e.scale == nil && e.act == ir.ActNone
}

// residual is the values [lo, hi) of image b of the residual, or nil when
// there is none.
func (e *epilogue) residual(c *execCtx, b, lo, hi int) []float32 {
	if e.res == nil {
		return nil
	}
	return c.image(e.res, b)[lo:hi]
}

// apply computes dst[i] = act((src[i] + bias[ch] + res[i])·scale[ch] +
// shift[ch]) over one run of channel ch's values, res nil meaning no
// residual. dst may be src or res (in place), but no other overlap of
// them. The relu goes in the
// same pass; the other activations (a sigmoid's or a GELU's exp or erf
// dominates them) in a second one over values still in cache.
func (e *epilogue) apply(dst, src, res []float32, ch int) {
	src = src[:len(dst)]
	if res != nil {
		res = res[:len(dst)]
	}
	relu := e.act == ir.ActRelu
	if tileFast(dst, src, 0, res, 0, 1, len(dst), perRow(e.bias, ch, 1), perRow(e.scale, ch, 1), perRow(e.shift, ch, 1), relu) {
		e.after(dst)
		return
	}
	var b, sc, sh float32 = 0, 1, 0
	if e.bias != nil {
		b = e.bias[ch]
	}
	if e.scale != nil {
		sc, sh = e.scale[ch], e.shift[ch]
	}
	switch {
	case res == nil && relu:
		for i, v := range src {
			dst[i] = max((v+b)*sc+sh, 0)
		}
	case res == nil:
		for i, v := range src {
			dst[i] = (v+b)*sc + sh
		}
	case relu:
		res = res[:len(dst)]
		for i, v := range src {
			dst[i] = max((v+b+res[i])*sc+sh, 0)
		}
	default:
		res = res[:len(dst)]
		for i, v := range src {
			dst[i] = (v+b+res[i])*sc + sh
		}
	}
	e.after(dst)
}

// after applies the activations that the affine pass leaves to a second
// one: all but relu.
func (e *epilogue) after(v []float32) {
	if e.act != ir.ActNone && e.act != ir.ActRelu {
		activate(v, v, e.act, e.alpha)
	}
}

// tile applies the epilogue in place to rows channels from ch0 on, cols
// values each, rows ld apart in out and in res (the residual at the same
// positions; nil when there is none): one call for a convolution task's
// whole block of the output.
func (e *epilogue) tile(out, res []float32, ld, ch0, rows, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	end := (rows-1)*ld + cols
	out = out[:end]
	if res != nil {
		res = res[:end]
	}
	if tileFast(out, out, ld, res, ld, rows, cols,
		perRow(e.bias, ch0, rows), perRow(e.scale, ch0, rows), perRow(e.shift, ch0, rows), e.act == ir.ActRelu) {
		if e.act != ir.ActNone && e.act != ir.ActRelu {
			for r := 0; r < rows; r++ {
				e.after(out[r*ld : r*ld+cols])
			}
		}
		return
	}
	for r := 0; r < rows; r++ {
		row := out[r*ld : r*ld+cols]
		var rr []float32
		if res != nil {
			rr = res[r*ld : r*ld+cols]
		}
		e.apply(row, row, rr, ch0+r)
	}
}

// channels applies the epilogue in place to v, one value per channel
// from ch0 on (a result with one pixel), res the residual at the same
// positions or nil.
func (e *epilogue) channels(v, res []float32, ch0 int) {
	if e.empty() {
		return
	}
	for i, x := range v {
		if e.bias != nil {
			x += e.bias[ch0+i]
		}
		if res != nil {
			x += res[i]
		}
		if e.scale != nil {
			x = x*e.scale[ch0+i] + e.shift[ch0+i]
		}
		if e.act == ir.ActRelu {
			x = max(x, 0)
		}
		v[i] = x
	}
	e.after(v)
}

// perRow is v's values for rows channels from ch0 on, nil when v is.
func perRow(v []float32, ch0, rows int) []float32 {
	if v == nil {
		return nil
	}
	return v[ch0 : ch0+rows]
}

// planes applies the epilogue to out, image b of a result whose channels
// are planes of plane values each.
func (e *epilogue) planes(c *execCtx, b int, out []float32, plane int) {
	if e.empty() {
		return
	}
	for ch := 0; ch < len(out)/plane; ch++ {
		lo, hi := ch*plane, (ch+1)*plane
		e.apply(out[lo:hi], out[lo:hi], e.residual(c, b, lo, hi), ch)
	}
}
