// Package irtest builds small IR graphs for tests: a compact builder and
// the pass test cases that both the IR's structural tests and the
// backends' numerical tests run.
package irtest

import (
	"fmt"

	"github.com/resc-dev/resc/ir"
)

// A B builds a graph node by node; a shape error panics (tests build
// graphs they know to be valid).
type B struct {
	G *ir.Graph
	n int
}

// New starts a graph with an input [N,c,h,w].
func New(c, h, w int) (*B, *ir.Node) {
	b := &B{G: &ir.Graph{Name: "test", Naming: "torch"}}
	return b, b.add(&ir.Node{Op: ir.OpInput, Name: "input", Shape: ir.Shape{ir.Batch, c, h, w}})
}

func (b *B) add(n *ir.Node) *ir.Node {
	if n.Name == "" {
		b.n++
		n.Name = fmt.Sprintf("%s%d", n.Op, b.n)
	}
	m, err := b.G.Add(n)
	if err != nil {
		panic(fmt.Sprintf("irtest: %s: %v", n.Name, err))
	}
	return m
}

// Graph sets the output, named "logits", and returns the graph.
func (b *B) Graph(out *ir.Node) *ir.Graph {
	b.G.Outputs = []ir.Output{{Name: "logits", Node: out}}
	if err := b.G.Verify(); err != nil {
		panic(err)
	}
	return b.G
}

func param(node string, role ir.Role, suffix string, shape ...int) *ir.Param {
	return &ir.Param{Name: node + "." + suffix, Role: role, Shape: shape, Trainable: role != ir.RoleMean && role != ir.RoleVar}
}

// ConvOpt adjusts a conv.
type ConvOpt func(a *ir.Attrs)

// Stride sets the stride.
func Stride(s int) ConvOpt { return func(a *ir.Attrs) { a.Strides = [2]int{s, s} } }

// Groups sets the groups.
func Groups(g int) ConvOpt { return func(a *ir.Attrs) { a.Groups = g } }

// Pad sets the padding on every side.
func Pad(p int) ConvOpt { return func(a *ir.Attrs) { a.Pads = [4]int{p, p, p, p} } }

// Bias gives the conv a bias.
func Bias() ConvOpt { return func(a *ir.Attrs) { a.Bias = true } }

// Conv is a k×k conv to out channels, unpadded unless Pad says.
func (b *B) Conv(x *ir.Node, out, k int, opts ...ConvOpt) *ir.Node {
	a := ir.Attrs{OutChannels: out, Kernel: [2]int{k, k}, Strides: [2]int{1, 1}, Dilations: [2]int{1, 1}, Groups: 1}
	for _, o := range opts {
		o(&a)
	}
	b.n++
	name := fmt.Sprintf("conv%d", b.n)
	ps := []*ir.Param{param(name, ir.RoleWeight, "weight", out, x.Shape[1]/a.Groups, k, k)}
	if a.Bias {
		ps = append(ps, param(name, ir.RoleBias, "bias", out))
	}
	return b.add(&ir.Node{Op: ir.OpConv, Name: name, Inputs: []*ir.Node{x}, Attrs: a, Params: ps})
}

// BN is a batch norm with γ and β.
func (b *B) BN(x *ir.Node) *ir.Node {
	b.n++
	name := fmt.Sprintf("bn%d", b.n)
	c := x.Shape[1]
	return b.add(&ir.Node{Op: ir.OpBatchNorm, Name: name, Inputs: []*ir.Node{x},
		Attrs: ir.Attrs{Epsilon: 1e-5, Scale: true, Center: true},
		Params: []*ir.Param{param(name, ir.RoleGamma, "weight", c), param(name, ir.RoleBeta, "bias", c),
			param(name, ir.RoleMean, "running_mean", c), param(name, ir.RoleVar, "running_var", c)}})
}

// LayerScale is a layer scale whose γ is [C,1,1], as torchvision's
// ConvNeXt stores it.
func (b *B) LayerScale(x *ir.Node) *ir.Node {
	b.n++
	name := fmt.Sprintf("ls%d", b.n)
	return b.add(&ir.Node{Op: ir.OpChannelScale, Name: name, Inputs: []*ir.Node{x},
		Params: []*ir.Param{param(name, ir.RoleGamma, "gamma", x.Shape[1], 1, 1)}})
}

// Relu, Sigmoid, Dropout, Flatten, GAP: the unary ops.
func (b *B) Relu(x *ir.Node) *ir.Node    { return b.unary(ir.OpRelu, x) }
func (b *B) Sigmoid(x *ir.Node) *ir.Node { return b.unary(ir.OpSigmoid, x) }
func (b *B) Dropout(x *ir.Node) *ir.Node {
	return b.add(&ir.Node{Op: ir.OpDropout, Inputs: []*ir.Node{x}, Attrs: ir.Attrs{Rate: 0.5}})
}
func (b *B) Flatten(x *ir.Node) *ir.Node { return b.unary(ir.OpFlatten, x) }
func (b *B) GAP(x *ir.Node) *ir.Node     { return b.unary(ir.OpGlobalAvgPool, x) }

// Activation applies the activation op (a LeakyRelu with slope 0.1).
func (b *B) Activation(op ir.Op, x *ir.Node) *ir.Node {
	a := ir.Attrs{}
	if op == ir.OpLeakyRelu {
		a.Alpha = 0.1
	}
	return b.add(&ir.Node{Op: op, Inputs: []*ir.Node{x}, Attrs: a})
}

func (b *B) unary(op ir.Op, x *ir.Node) *ir.Node {
	return b.add(&ir.Node{Op: op, Inputs: []*ir.Node{x}})
}

// Add sums xs.
func (b *B) Add(xs ...*ir.Node) *ir.Node { return b.add(&ir.Node{Op: ir.OpAdd, Inputs: xs}) }

// Mul scales x by gate [N,C,1,1].
func (b *B) Mul(x, gate *ir.Node) *ir.Node {
	return b.add(&ir.Node{Op: ir.OpMul, Inputs: []*ir.Node{x, gate}})
}

// ZeroPad pads every side by p.
func (b *B) ZeroPad(x *ir.Node, p int) *ir.Node {
	return b.add(&ir.Node{Op: ir.OpPad, Inputs: []*ir.Node{x}, Attrs: ir.Attrs{Pads: [4]int{p, p, p, p}}})
}

// Pool is a k×k max or average pool with stride s, unpadded.
func (b *B) Pool(op ir.Op, x *ir.Node, k, s int) *ir.Node {
	return b.add(&ir.Node{Op: op, Inputs: []*ir.Node{x}, Attrs: ir.Attrs{Kernel: [2]int{k, k}, Strides: [2]int{s, s},
		Dilations: [2]int{1, 1}, CountIncludePad: true}})
}
