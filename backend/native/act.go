package native

import "github.com/resc-dev/resc/ir"

// Activations. activate is the one implementation of every ir.Act that
// the steps use, standalone (an activation node) or fused (an epilogue),
// so that a fused graph computes the same bits as the unfused one. The
// piecewise linear activations are float32 loops of min and max, as
// ir.Act.Apply writes them; the transcendental ones go through float64
// math.Exp, math.Erf and math.Tanh and round once. actRef is the
// element-by-element definition the tests compare them with.

// activate applies act, with LeakyRelu's slope alpha, to src into dst,
// which may be src.
func activate(dst, src []float32, act ir.Act, alpha float32) {
	dst = dst[:len(src)]
	switch act {
	case ir.ActNone:
		copy(dst, src)
	case ir.ActRelu:
		transcend(dst, src, fnRelu, 0)
	case ir.ActSigmoid:
		transcend(dst, src, fnSigmoid, 0)
	case ir.ActRelu6:
		transcend(dst, src, fnRelu6, 0)
	case ir.ActHardSigmoid:
		transcend(dst, src, fnHardSigmoid, 0)
	case ir.ActHardSwish:
		transcend(dst, src, fnHardSwish, 0)
	case ir.ActLeakyRelu:
		transcend(dst, src, fnLeakyRelu, alpha)
	case ir.ActSilu:
		transcend(dst, src, fnSilu, 0)
	case ir.ActGelu:
		transcend(dst, src, fnGelu, 0)
	case ir.ActTanh:
		transcend(dst, src, fnTanh, 0)
	default:
		panic("native: unknown activation " + act.String())
	}
}

// actRef is activate element by element, from ir.Act.Apply.
func actRef(dst, src []float32, act ir.Act, alpha float32) {
	for i, v := range src {
		dst[i] = act.Apply(v, float64(alpha))
	}
}

// An actStep is an activation node on its own. Its rows are the input's.
type actStep struct {
	rows
	x, out *tensor
	act    ir.Act
	alpha  float32
	ref    bool
}

func (s *actStep) run(c *execCtx, _, task int) {
	b, lo, hi := s.bounds(task)
	x, out := c.image(s.x, b)[lo*s.length:hi*s.length], c.image(s.out, b)[lo*s.length:hi*s.length]
	if s.ref {
		actRef(out, x, s.act, s.alpha)
		return
	}
	activate(out, x, s.act, s.alpha)
}
