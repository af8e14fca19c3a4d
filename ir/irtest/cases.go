package irtest

import (
	"strings"

	"github.com/resc-dev/resc/ir"
)

// A Case is a small graph and what one pass must make of it.
type Case struct {
	Name   string
	Before []string // passes that set the pattern up
	Pass   string
	Build  func() *ir.Graph
	// Want is the Signature after the pass; Fires says whether the pass
	// must rewrite anything (a case where it must not keeps the graph).
	Want  string
	Fires bool
}

// Signature lists the graph's ops in order, each with its epilogue:
// "Input Conv+bias+relu Conv+bias+res".
func Signature(g *ir.Graph) string {
	var parts []string
	for _, n := range g.Nodes {
		s := n.Op.String()
		a := &n.Attrs
		if n.Op == ir.OpConv && a.Groups > 1 {
			s += "/g"
		}
		if n.Op == ir.OpConv && a.Bias {
			s += "+bias"
		}
		if a.Residual {
			s += "+res"
		}
		if a.PostAffine {
			s += "+affine"
		}
		if a.Act != ir.ActNone {
			s += "+" + a.Act.String()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// Cases covers every pass, where it fires and where it must not.
var Cases = []Case{
	{Name: "dead branch", Pass: "dead-nodes", Fires: true, Want: "Input Conv", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		b.Relu(b.Conv(x, 4, 1))
		return b.Graph(b.Conv(x, 4, 3, Pad(1)))
	}},
	{Name: "all live", Pass: "dead-nodes", Want: "Input Conv Relu", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Relu(b.Conv(x, 4, 1)))
	}},
	{Name: "dropout, zero pad, flatten of [N,C]", Pass: "drop-identity", Fires: true, Want: "Input Conv GlobalAvgPool Flatten", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		c := b.Conv(b.ZeroPad(b.Dropout(x), 0), 4, 1)
		return b.Graph(b.Flatten(b.Flatten(b.GAP(c))))
	}},
	{Name: "real pad and pool kept", Pass: "drop-identity", Want: "Input Pad MaxPool", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Pool(ir.OpMaxPool, b.ZeroPad(x, 1), 1, 2))
	}},
	{Name: "pad into conv", Pass: "fold-pad", Fires: true, Want: "Input Conv", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Conv(b.ZeroPad(x, 1), 4, 3))
	}},
	{Name: "pad into pad and average pool", Pass: "fold-pad", Fires: true, Want: "Input AvgPool", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Pool(ir.OpAvgPool, b.ZeroPad(b.ZeroPad(x, 1), 1), 3, 2))
	}},
	{Name: "pad into max pool over relu", Pass: "fold-pad", Fires: true, Want: "Input Relu MaxPool", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Pool(ir.OpMaxPool, b.ZeroPad(b.Relu(x), 1), 3, 2))
	}},
	{Name: "pad before max pool of signed values kept", Pass: "fold-pad", Want: "Input Conv Pad MaxPool", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Pool(ir.OpMaxPool, b.ZeroPad(b.Conv(x, 4, 1), 1), 3, 2))
	}},
	{Name: "pad read twice stays for the other reader", Pass: "fold-pad", Fires: true, Want: "Input Pad Conv Add", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		p := b.ZeroPad(x, 1)
		return b.Graph(b.Add(b.Conv(p, 4, 1), p))
	}},
	{Name: "four paths", Pass: "merge-paths", Fires: true, Want: "Input Conv BatchNorm Relu Conv/g Conv Conv Add", Build: func() *ir.Graph {
		b, x := New(8, 6, 6)
		var ends []*ir.Node
		for range 4 {
			ends = append(ends, b.Conv(b.Conv(b.Relu(b.BN(b.Conv(x, 2, 1))), 2, 3, Pad(1)), 8, 1))
		}
		sc := b.Conv(x, 8, 1)
		return b.Graph(b.Add(b.Add(ends...), sc))
	}},
	{Name: "paths of different kernels kept", Pass: "merge-paths", Want: "Input Conv Conv Conv Conv Add", Build: func() *ir.Graph {
		b, x := New(8, 6, 6)
		p1 := b.Conv(b.Conv(x, 2, 1), 8, 1)
		p2 := b.Conv(b.Conv(x, 2, 3, Pad(1)), 8, 1)
		return b.Graph(b.Add(p1, p2))
	}},
	{Name: "path read elsewhere kept", Pass: "merge-paths", Want: "Input Conv Relu Conv Conv Relu Conv Add Add", Build: func() *ir.Graph {
		b, x := New(8, 6, 6)
		r1 := b.Relu(b.Conv(x, 8, 1))
		p1 := b.Conv(r1, 8, 1)
		p2 := b.Conv(b.Relu(b.Conv(x, 8, 1)), 8, 1)
		return b.Graph(b.Add(b.Add(p1, p2), r1))
	}},
	{Name: "batch norm lowered", Pass: "lower-batchnorm", Fires: true, Want: "Input Conv ScaleShift", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.BN(b.Conv(x, 4, 1)))
	}},
	{Name: "layer scale of a conv", Pass: "lower-batchnorm", Fires: true, Want: "Input Conv+bias ScaleShift Add", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Add(b.LayerScale(b.Conv(x, 4, 1, Bias())), x))
	}},
	{Name: "layer scale of a relu", Pass: "lower-batchnorm", Want: "Input Conv Relu ChannelScale", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.LayerScale(b.Relu(b.Conv(x, 4, 1))))
	}},
	{Name: "layer scale of a conv read twice", Pass: "lower-batchnorm", Want: "Input Conv ChannelScale Add", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		c := b.Conv(x, 4, 1)
		return b.Graph(b.Add(b.LayerScale(c), c))
	}},
	{Name: "layer scale into the conv before", Before: []string{"lower-batchnorm"}, Pass: "fold-scale-shift", Fires: true, Want: "Input Conv+bias Add", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Add(b.LayerScale(b.Conv(x, 4, 3, Pad(1))), x))
	}},
	{Name: "two batch norms", Before: []string{"lower-batchnorm"}, Pass: "fold-constants", Fires: true, Want: "Input Relu ScaleShift", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.BN(b.BN(b.Relu(x))))
	}},
	{Name: "batch norm read twice", Before: []string{"lower-batchnorm"}, Pass: "fold-constants", Want: "Input ScaleShift ScaleShift Add", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		bn := b.BN(x)
		return b.Graph(b.Add(b.BN(bn), bn))
	}},
	{Name: "into the conv before", Before: []string{"lower-batchnorm"}, Pass: "fold-scale-shift", Fires: true, Want: "Input Conv+bias Relu", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Relu(b.BN(b.Conv(x, 4, 3, Pad(1), Stride(2), Bias()))))
	}},
	{Name: "into a grouped conv before", Before: []string{"lower-batchnorm"}, Pass: "fold-scale-shift", Fires: true, Want: "Input Conv/g+bias", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.BN(b.Conv(x, 8, 3, Groups(2))))
	}},
	{Name: "into the unpadded conv after", Before: []string{"lower-batchnorm"}, Pass: "fold-scale-shift", Fires: true, Want: "Input Relu Conv/g+bias", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Conv(b.BN(b.Relu(x)), 4, 3, Groups(2)))
	}},
	{Name: "not after relu before a padded conv", Before: []string{"lower-batchnorm"}, Pass: "fold-scale-shift", Want: "Input Relu ScaleShift Conv", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Conv(b.BN(b.Relu(x)), 4, 3, Pad(1)))
	}},
	{Name: "not into a conv read twice", Before: []string{"lower-batchnorm"}, Pass: "fold-scale-shift", Want: "Input Conv ScaleShift Add", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		c := b.Conv(x, 4, 3, Pad(1))
		return b.Graph(b.Add(b.BN(c), c))
	}},
	{Name: "residual into the branch conv", Pass: "fuse-residual", Fires: true, Want: "Input Conv Conv+res Relu", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Relu(b.Add(b.Conv(b.Conv(x, 4, 1), 4, 3, Pad(1)), x)))
	}},
	{Name: "residual into the branch conv built first", Pass: "fuse-residual", Fires: true, Want: "Input Conv Conv+res", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		branch := b.Conv(x, 8, 3, Pad(1))
		short := b.Conv(x, 8, 1)
		return b.Graph(b.Add(branch, short))
	}},
	{Name: "residual into an SE multiply", Pass: "fuse-residual", Fires: true, Want: "Input Conv GlobalAvgPool Sigmoid Mul+res", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		c := b.Conv(x, 4, 1)
		return b.Graph(b.Add(b.Mul(c, b.Sigmoid(b.GAP(c))), x))
	}},
	{Name: "not into a conv read twice", Pass: "fuse-residual", Want: "Input Conv Add Add", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		c := b.Conv(x, 4, 1)
		return b.Graph(b.Add(b.Add(c, x), c))
	}},
	{Name: "not a three-way add", Pass: "fuse-residual", Want: "Input Conv Add", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		return b.Graph(b.Add(b.Conv(x, 4, 1), x, x))
	}},
	{Name: "pre-activation after the residual", Before: []string{"lower-batchnorm", "fuse-residual"}, Pass: "fuse-scale-shift", Fires: true,
		Want: "Input Conv+res+affine Relu Conv", Build: func() *ir.Graph {
			b, x := New(4, 6, 6)
			return b.Graph(b.Conv(b.Relu(b.BN(b.Add(b.Conv(x, 4, 3, Pad(1)), x))), 4, 1))
		}},
	{Name: "not when the sum is the next shortcut", Before: []string{"lower-batchnorm", "fuse-residual"}, Pass: "fuse-scale-shift",
		Want: "Input Conv+res ScaleShift Relu Conv+res", Build: func() *ir.Graph {
			b, x := New(4, 6, 6)
			s := b.Add(b.Conv(x, 4, 3, Pad(1)), x)
			return b.Graph(b.Add(b.Conv(b.Relu(b.BN(s)), 4, 1), s))
		}},
	{Name: "relu into conv, sigmoid into conv, relu into scale-shift", Before: []string{"lower-batchnorm"}, Pass: "fuse-activation", Fires: true,
		Want: "Input ScaleShift+relu Conv+relu Conv+sigmoid", Build: func() *ir.Graph {
			b, x := New(4, 6, 6)
			return b.Graph(b.Sigmoid(b.Conv(b.Relu(b.Conv(b.Relu(b.BN(x)), 4, 1)), 4, 1)))
		}},
	{Name: "relu into add and multiply", Pass: "fuse-activation", Fires: true, Want: "Input GlobalAvgPool Mul+relu Add+relu", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		m := b.Relu(b.Mul(x, b.GAP(x)))
		return b.Graph(b.Relu(b.Add(m, x)))
	}},
	{Name: "silu, hardswish and gelu into convs, leaky relu into scale-shift", Before: []string{"lower-batchnorm"}, Pass: "fuse-activation", Fires: true,
		Want: "Input ScaleShift+leaky_relu Conv+silu Conv+hardswish Conv+gelu", Build: func() *ir.Graph {
			b, x := New(4, 6, 6)
			y := b.Activation(ir.OpSilu, b.Conv(b.Activation(ir.OpLeakyRelu, b.BN(x)), 4, 1))
			return b.Graph(b.Activation(ir.OpGelu, b.Conv(b.Activation(ir.OpHardSwish, b.Conv(y, 4, 3, Pad(1))), 4, 1)))
		}},
	{Name: "relu6 and tanh into multiply and add, hardsigmoid not into a pool", Pass: "fuse-activation", Fires: true,
		Want: "Input GlobalAvgPool HardSigmoid Mul+relu6 Add+tanh", Build: func() *ir.Graph {
			b, x := New(4, 6, 6)
			m := b.Activation(ir.OpRelu6, b.Mul(x, b.Activation(ir.OpHardSigmoid, b.GAP(x))))
			return b.Graph(b.Activation(ir.OpTanh, b.Add(m, x)))
		}},
	{Name: "not after a pool or into a conv read twice", Pass: "fuse-activation", Want: "Input GlobalAvgPool Relu Conv Relu Add Add Mul", Build: func() *ir.Graph {
		b, x := New(4, 6, 6)
		gate := b.Relu(b.GAP(x))
		c := b.Conv(x, 4, 1)
		return b.Graph(b.Mul(b.Add(b.Relu(c), b.Add(c, c)), gate))
	}},
}
