package ir

import (
	"fmt"
	"math"

	"github.com/resc-dev/resc/diag"
)

// Attrs are an op's attributes. Only the fields an op uses are meaningful;
// the others stay zero. Spatial pairs are [height, width].
type Attrs struct {
	OutChannels     int     // Conv, Gemm
	Kernel          [2]int  // Conv, pools; ChannelConv uses Kernel[0]
	Strides         [2]int  // Conv, pools, SubsamplePad
	Dilations       [2]int  // Conv, pools
	Pads            [4]int  // top, left, bottom, right: Conv, pools, Pad
	Groups          int     // Conv, GroupNorm, RadixSoftmax
	Bias            bool    // Conv, Gemm: has a bias parameter
	CeilMode        bool    // pools
	CountIncludePad bool    // AvgPool
	Epsilon         float64 // BatchNorm, LayerNorm, GroupNorm
	Scale           bool    // BatchNorm, LayerNorm, GroupNorm: has gamma
	Center          bool    // BatchNorm, LayerNorm, GroupNorm: has beta
	ChannelPads     [2]int  // SubsamplePad: zero channels before, after
	Rate            float64 // Dropout, DropPath
	Alpha           float64 // LeakyRelu, and a fused ActLeakyRelu: the slope below zero
	Begin, End      int     // Slice: the channels [Begin, End)
	Factor          [2]int  // Upsample: the factors along height and width
	Size            [2]int  // Upsample to a size: the output height and width (Factor unused), nearest as torch picks it
	Block           int     // SpaceToDepth: the block size
	Radix           int     // RadixSoftmax (Groups is its cardinality)

	// The epilogue: what fusion passes attach to a node's result, applied
	// per element in this order (see Epilogue):
	//
	//	y = act((op(x) + residual)·scale[c] + shift[c])
	Residual   bool // Conv, Mul: the last input is added to the result
	PostAffine bool // Conv: a per-channel scale and shift (RoleScale, RoleShift) after the residual
	Act        Act  // Conv, Mul, Add, ScaleShift: the activation applied last (ActLeakyRelu's slope in Alpha)
}

// An Act is an activation fused into a node's epilogue: one of the
// elementwise activation ops (ActOf), applied to the node's result.
type Act uint8

const (
	ActNone Act = iota
	ActRelu
	ActSigmoid
	ActSilu
	ActHardSwish
	ActHardSigmoid
	ActRelu6
	ActGelu
	ActLeakyRelu // its slope is the fused node's Attrs.Alpha
	ActTanh
	numActs
)

var actNames = [numActs]string{"none", "relu", "sigmoid", "silu", "hardswish", "hardsigmoid", "relu6", "gelu", "leaky_relu", "tanh"}

// actOps are the ops the activations are fused from.
var actOps = [numActs]Op{ActRelu: OpRelu, ActSigmoid: OpSigmoid, ActSilu: OpSilu, ActHardSwish: OpHardSwish,
	ActHardSigmoid: OpHardSigmoid, ActRelu6: OpRelu6, ActGelu: OpGelu, ActLeakyRelu: OpLeakyRelu, ActTanh: OpTanh}

func (a Act) String() string {
	if a < numActs {
		return actNames[a]
	}
	return fmt.Sprintf("Act(%d)", uint8(a))
}

// Op is the elementwise op a computes on its own (OpInput for ActNone).
func (a Act) Op() Op {
	if a < numActs {
		return actOps[a]
	}
	return OpInput
}

// ActOf is the activation that computes op, and whether op is one.
func ActOf(op Op) (Act, bool) {
	for a, o := range actOps {
		if a != int(ActNone) && o == op {
			return Act(a), true
		}
	}
	return ActNone, false
}

// Apply computes the activation of v; alpha is LeakyRelu's slope below
// zero (the node's Attrs.Alpha), unused by the others. It is the
// definition backends are tested against: in float64 where the function
// is transcendental, rounded once, and as PyTorch writes the piecewise
// linear ones (hardswish is x·min(max(x+3, 0), 6)/6 in float32).
func (a Act) Apply(v float32, alpha float64) float32 {
	x := float64(v)
	switch a {
	case ActRelu:
		return max(v, 0)
	case ActSigmoid:
		return float32(1 / (1 + math.Exp(-x)))
	case ActSilu:
		return float32(x / (1 + math.Exp(-x)))
	case ActHardSwish:
		return v * min(max(v+3, 0), 6) / 6
	case ActHardSigmoid:
		return min(max(v+3, 0), 6) / 6
	case ActRelu6:
		return min(max(v, 0), 6)
	case ActGelu:
		// x·(1 + erf(x/√2))/2, as erfc so that the negative tail keeps
		// its digits.
		return float32(0.5 * x * math.Erfc(-x/math.Sqrt2))
	case ActLeakyRelu:
		if v < 0 {
			return v * float32(alpha)
		}
		return v
	case ActTanh:
		return float32(math.Tanh(x))
	}
	return v
}

// A Role says what a parameter is to its node.
type Role uint8

const (
	RoleWeight Role = iota // conv or fc weight, OIHW / [out,in]
	RoleBias
	RoleGamma // batch norm scale
	RoleBeta  // batch norm shift
	RoleMean  // batch norm running mean (not trainable)
	RoleVar   // batch norm running variance (not trainable)
	RoleScale // per-channel multiplier: ScaleShift, a conv's post-affine epilogue
	RoleShift // per-channel addend, with RoleScale
)

var roleNames = [...]string{"weight", "bias", "gamma", "beta", "mean", "var", "scale", "shift"}

func (r Role) String() string { return roleNames[r] }

// Init says how a parameter is initialised before any weights are loaded,
// following the reference implementations.
type Init uint8

const (
	InitKaimingFanOut Init = iota // conv weights
	InitNormal001                 // fc weight: N(0, 0.01)
	InitZeros
	InitOnes
	InitConst // every element Param.InitValue: layer scale
)

var initNames = [...]string{"kaiming_fan_out", "normal_0.01", "zeros", "ones", "const"}

func (i Init) String() string { return initNames[i] }

// A Param is a weight tensor of a node, named as the reference
// implementation names it (a torchvision state_dict key, a Keras variable).
// Shapes are in PyTorch layout: conv OIHW, fc [out,in].
type Param struct {
	Name      string
	Role      Role
	Shape     []int
	Trainable bool
	Init      Init
	InitValue float64 // InitConst's value
	// Derived is set on parameters that passes compute from others (a
	// conv weight with a batch norm folded in); Init is then meaningless.
	Derived *Derivation
}

// A Derivation says how a parameter's values follow from other
// parameters' values. Passes record derivations instead of computing
// values, so that optimising a graph needs no weights: a weight source
// evaluates them on demand (weights.Resolve), in float64 and rounding
// once, so every platform gives the same bits.
type Derivation struct {
	From []*Param
	// Doc says what the values are, for dumps and ONNX doc strings:
	// "layer1.0.conv1.weight · layer1.0.bn1 scale".
	Doc string
	// Compute returns the values from From's values, in order. It must
	// not modify its arguments.
	Compute func(from [][]float32) []float32
}

// Param returns n's parameter with role r, or nil.
func (n *Node) Param(r Role) *Param {
	for _, p := range n.Params {
		if p.Role == r {
			return p
		}
	}
	return nil
}

// SourceParams lists the parameters whose values come from outside the
// graph: its own, and for derived ones the parameters they derive from,
// depth first, each once, in the order a reader going through the graph's
// parameters in node order first needs them. For a graph as written
// these are its parameters in node order.
func (g *Graph) SourceParams() []*Param {
	var out []*Param
	seen := map[*Param]bool{}
	var visit func(p *Param)
	visit = func(p *Param) {
		if seen[p] {
			return
		}
		seen[p] = true
		if p.Derived == nil {
			out = append(out, p)
			return
		}
		for _, q := range p.Derived.From {
			visit(q)
		}
	}
	for _, n := range g.Nodes {
		for _, p := range n.Params {
			visit(p)
		}
	}
	return out
}

// Size is the number of elements.
func (p *Param) Size() int64 {
	n := int64(1)
	for _, d := range p.Shape {
		n = MulSat(n, int64(d))
	}
	return n
}

// A Node is one operation and the tensor it produces.
type Node struct {
	ID     int // index in Graph.Nodes
	Op     Op
	Name   string // unique in the graph, derived from the source labels
	Inputs []*Node
	Attrs  Attrs
	Params []*Param
	Shape  Shape
	// Pos is the source statement that produced the node; Chain is the
	// instantiation chain leading to it, innermost first.
	Pos   diag.Pos
	Chain []diag.Frame
	// Scope is the path of source labels the node was made in, outermost
	// first, without its own label: Name is Scope and that label joined by
	// the naming style's separator. Pictures and summaries fold nodes by
	// it, since a Keras name ("conv2_block1_1_conv") does not say where its
	// labels end. Nodes share it; never modify it in place.
	Scope []string
}

// A Graph is a network: nodes in topological order, one input, and one or
// more named outputs.
type Graph struct {
	Name    string
	Naming  string // "torch" or "keras": how parameter names were composed
	Nodes   []*Node
	Input   *Node
	Outputs []Output
}

// An Output is one of a graph's results and the name consumers know it by
// (the ONNX graph output's name). Two outputs may be the same node.
type Output struct {
	Name string
	Node *Node
}

// IsOutput reports whether n is one of the graph's outputs.
func (g *Graph) IsOutput(n *Node) bool {
	for _, o := range g.Outputs {
		if o.Node == n {
			return true
		}
	}
	return false
}

// OutputNodes lists the outputs' nodes, in order.
func (g *Graph) OutputNodes() []*Node {
	out := make([]*Node, len(g.Outputs))
	for i, o := range g.Outputs {
		out[i] = o.Node
	}
	return out
}

// Add appends n, infers its shape from its inputs and returns it. It checks
// the node's op, arity and attribute values before applying the shape rule
// (which may then divide by strides and groups), and the shape after, so
// that a hostile model gets an error and never a panic or a wrapped
// dimension. The error is for the front end to report at the source
// position.
func (g *Graph) Add(n *Node) (*Node, error) {
	if err := checkNode(n); err != nil {
		return nil, err
	}
	if n.Op != OpInput {
		in := make([]Shape, len(n.Inputs))
		for i, x := range n.Inputs {
			in[i] = x.Shape
		}
		s, err := inferShape(n, in)
		if err != nil {
			return nil, err
		}
		n.Shape = s
	}
	if err := checkShape(n.Shape); err != nil {
		return nil, err
	}
	n.ID = len(g.Nodes)
	g.Nodes = append(g.Nodes, n)
	if n.Op == OpInput {
		g.Input = n
	}
	return n, nil
}

// inferShape applies n's shape rule; an accumulation input must have the
// shape of the result it is added to.
func inferShape(n *Node, in []Shape) (Shape, error) {
	s, err := n.Op.Info().Shape(n, in)
	if err != nil {
		return nil, err
	}
	if n.Attrs.Residual {
		if r := in[len(in)-1]; !r.Equal(s) {
			return nil, fmt.Errorf("residual input of shape %v added to a result of shape %v", r, s)
		}
	}
	return s, nil
}

func checkArity(n *Node) error {
	want := n.Op.Info().Arity
	if n.Attrs.Residual && want >= 0 {
		want++ // the accumulation input
	}
	if want >= 0 && len(n.Inputs) != want || want < 0 && len(n.Inputs) < 2 {
		return fmt.Errorf("%s has %d inputs", n.Op, len(n.Inputs))
	}
	return nil
}

// Stats are a graph's parameter and compute totals.
type Stats struct {
	Trainable int64 // learnable parameters
	Total     int64 // trainable plus batch-norm running statistics
	MACs      int64 // conv and fc multiply-accumulates per image
}

// NodeParams is the number of parameter elements of a node.
func (n *Node) NodeParams() (trainable, total int64) {
	for _, p := range n.Params {
		total = AddSat(total, p.Size())
		if p.Trainable {
			trainable = AddSat(trainable, p.Size())
		}
	}
	return
}

// MACs is the node's multiply-accumulates per image.
func (n *Node) MACs() int64 {
	if f := n.Op.Info().MACs; f != nil {
		return f(n)
	}
	return 0
}

// Stats totals parameters and MACs over the graph.
func (g *Graph) Stats() Stats {
	var s Stats
	for _, n := range g.Nodes {
		t, all := n.NodeParams()
		s.Trainable = AddSat(s.Trainable, t)
		s.Total = AddSat(s.Total, all)
		s.MACs = AddSat(s.MACs, n.MACs())
	}
	return s
}
