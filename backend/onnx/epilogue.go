package onnx

import (
	"fmt"
	"math"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
)

// Fused nodes. ONNX has no operator for a convolution with a residual,
// affine or activation epilogue, and resc writes standard operators only,
// so a fused IR node becomes the chain of nodes it was fused from:
//
//	Conv(x, W[, b]) → Add(residual) → Mul(scale) → Add(shift) → activation
//
// with the parts its attributes leave out omitted. The activation is
// written as the standalone activation op is (activations.go): Relu,
// Sigmoid, Tanh, LeakyRelu, HardSigmoid(1/6, 0.5); Silu as
// x·Sigmoid(x); HardSwish from opset 14, x·HardSigmoid(x) below; Relu6 as
// Clip(0, 6); the exact GELU from opset 20, x·(1 + Erf(x/√2))·0.5 below. Runtimes fuse such
// chains back themselves; the exported model computes what the IR
// specifies either way.

// A stage is one ONNX node of a lowered IR node: its operation proper or
// one step of its epilogue. Every stage but the first reads the previous
// stage's value as its first input.
type stage struct {
	op     string // the ONNX operator
	suffix string // appended to the IR node's name to name the stage's value, unless it is the last
	args   []string
	attrs  []*onnxpb.AttributeProto
	// act marks the activation's stages: an arg actInput among them
	// stands for the value the activation's first stage read.
	act bool
}

// actInput is the placeholder for an activation's input among its
// stages' args (a name no value can have: names never start with NUL).
const actInput = "\x00activation input"

// chain emits the stages of n in order. The last produces out, the IR
// node's value, and is named after n, as an unfused node is, so a node
// without an epilogue exports exactly as before fusion existed. Earlier
// stages are named after the values they produce, which are claimed and
// described like any other.
func (e *exporter) chain(n *ir.Node, out string, stages []stage) error {
	prev, pre := "", ""
	for i, s := range stages {
		if s.act && pre == "" {
			pre = prev
		}
		inputs := s.args
		if i > 0 {
			inputs = append([]string{prev}, s.args...)
		}
		for j, a := range inputs {
			if a == actInput {
				inputs[j] = pre
			}
		}
		name, value := n.Name, out
		if i < len(stages)-1 {
			value = n.Name + s.suffix
			name = value
			if err := e.claim(value); err != nil {
				return err
			}
			e.infos = append(e.infos, e.valueInfo(value, n.Shape))
		}
		e.emit(s.op, name, inputs, value, s.attrs...)
		prev = value
	}
	return nil
}

// checkEpilogue refuses epilogue attributes on ops whose lowering does not
// write them out: dropping one silently would export a different model.
// ir.Graph.Verify makes the same rule; a graph that skipped it still must
// not export wrongly.
func checkEpilogue(n *ir.Node) error {
	a := &n.Attrs
	switch {
	case a.Residual && n.Op != ir.OpConv && n.Op != ir.OpMul:
		return fmt.Errorf("%s with a residual input has no ONNX lowering", n.Op)
	case a.PostAffine && n.Op != ir.OpConv:
		return fmt.Errorf("%s with a post-affine epilogue has no ONNX lowering", n.Op)
	case a.Act != ir.ActNone && n.Op != ir.OpConv && n.Op != ir.OpMul && n.Op != ir.OpAdd && n.Op != ir.OpScaleShift:
		return fmt.Errorf("%s with a fused activation has no ONNX lowering", n.Op)
	}
	return nil
}

// residual is the Add of a node's accumulation input, its last input.
func residual(n *ir.Node, in []string) []stage {
	if !n.Attrs.Residual {
		return nil
	}
	return []stage{{op: "Add", suffix: "/residual", args: in[len(in)-1:]}}
}

// affine is a per-channel scale and shift, as two broadcasting nodes.
func affine(scale, shift string) []stage {
	return []stage{
		{op: "Mul", suffix: "/scaled", args: []string{scale}},
		{op: "Add", suffix: "/shifted", args: []string{shift}},
	}
}

// activation is the stages of node n's fused activation, if any, for the
// opset being written; the first reads the value the activation applies
// to. Its constants are initializers named after n.
func (e *exporter) activation(n *ir.Node) ([]stage, error) {
	act := func(op, suffix string, args ...string) stage {
		return stage{op: op, suffix: suffix, args: args, act: true}
	}
	hardSigmoid := []*onnxpb.AttributeProto{attrFloat("alpha", 1.0/6), attrFloat("beta", 0.5)}
	switch n.Attrs.Act {
	case ir.ActNone:
		return nil, nil
	case ir.ActRelu:
		return []stage{act("Relu", "/relu")}, nil
	case ir.ActSigmoid:
		return []stage{act("Sigmoid", "/sigmoid")}, nil
	case ir.ActTanh:
		return []stage{act("Tanh", "/tanh")}, nil
	case ir.ActLeakyRelu:
		s := act("LeakyRelu", "/leaky_relu")
		s.attrs = []*onnxpb.AttributeProto{attrFloat("alpha", float32(n.Attrs.Alpha))}
		return []stage{s}, nil
	case ir.ActHardSigmoid:
		s := act("HardSigmoid", "/hardsigmoid")
		s.attrs = hardSigmoid
		return []stage{s}, nil
	case ir.ActHardSwish:
		if e.opts.Opset >= 14 {
			return []stage{act("HardSwish", "/hardswish")}, nil
		}
		s := act("HardSigmoid", "/hardsigmoid")
		s.attrs = hardSigmoid
		return []stage{s, act("Mul", "/hardswish", actInput)}, nil
	case ir.ActSilu:
		return []stage{act("Sigmoid", "/sigmoid"), act("Mul", "/silu", actInput)}, nil
	case ir.ActRelu6:
		lo, err := e.constant(n.Name+"/min", nil, []float32{0})
		if err != nil {
			return nil, err
		}
		hi, err := e.constant(n.Name+"/max", nil, []float32{6})
		if err != nil {
			return nil, err
		}
		return []stage{act("Clip", "/relu6", lo, hi)}, nil
	case ir.ActGelu:
		if e.opts.Opset >= 20 {
			return []stage{act("Gelu", "/gelu")}, nil
		}
		var names [3]string
		for i, c := range []struct {
			suffix string
			v      float32
		}{{"/sqrt2", math.Sqrt2}, {"/one", 1}, {"/half", 0.5}} {
			name, err := e.constant(n.Name+c.suffix, nil, []float32{c.v})
			if err != nil {
				return nil, err
			}
			names[i] = name
		}
		return []stage{act("Div", "/gelu_scaled", names[0]), act("Erf", "/gelu_erf"), act("Add", "/gelu_plus_one", names[1]),
			act("Mul", "/gelu_times_x", actInput), act("Mul", "/gelu", names[2])}, nil
	}
	return nil, fmt.Errorf("activation %s has no ONNX lowering", n.Attrs.Act)
}

// conv lowers a convolution and its epilogue:
// act((conv(x) + bias + residual)·scale + shift).
func (e *exporter) conv(n *ir.Node, in []string, out string) error {
	ps, err := e.paramsByRole(n)
	if err != nil {
		return err
	}
	a := &n.Attrs
	roles := []ir.Role{ir.RoleWeight}
	if a.Bias {
		roles = append(roles, ir.RoleBias)
	}
	if a.PostAffine {
		roles = append(roles, ir.RoleScale, ir.RoleShift)
	}
	if err := need(n, ps, roles...); err != nil {
		return err
	}
	weight := ps[ir.RoleWeight]
	if ir.LinearWeight(n) {
		if weight, err = e.linearWeight(n, weight); err != nil {
			return err
		}
	}
	inputs := []string{in[0], weight}
	if a.Bias {
		inputs = append(inputs, ps[ir.RoleBias])
	}
	stages := []stage{{op: "Conv", suffix: "/conv", args: inputs, attrs: []*onnxpb.AttributeProto{
		attrInts("dilations", a.Dilations[0], a.Dilations[1]),
		attrInt("group", a.Groups),
		attrInts("kernel_shape", a.Kernel[0], a.Kernel[1]),
		attrInts("pads", a.Pads[0], a.Pads[1], a.Pads[2], a.Pads[3]),
		attrInts("strides", a.Strides[0], a.Strides[1]),
	}}}
	stages = append(stages, residual(n, in)...)
	if a.PostAffine {
		stages = append(stages, affine(ps[ir.RoleScale], ps[ir.RoleShift])...)
	}
	act, err := e.activation(n)
	if err != nil {
		return err
	}
	return e.chain(n, out, append(stages, act...))
}

// linearWeight reshapes the [out,in] initializer w of a per-pixel linear
// layer (ir.LinearWeight), kept under its reference name and shape, to
// the [out,in,1,1] weight of the 1×1 Conv that computes it. A Reshape of
// an initializer is constant: onnxruntime folds it when the session
// loads, and OpenCV's importer folds constant subgraphs too.
func (e *exporter) linearWeight(n *ir.Node, w string) (string, error) {
	shape, err := e.ints(n.Name+"/weight_shape", []int64{int64(n.Attrs.OutChannels), -1, 1, 1})
	if err != nil {
		return "", err
	}
	return e.temp(n, "/weight", "Reshape", []string{w, shape})
}

// scaleShift lowers act(x·scale + shift), an inference batch norm.
func (e *exporter) scaleShift(n *ir.Node, in []string, out string) error {
	ps, err := e.paramsByRole(n)
	if err != nil {
		return err
	}
	if err := need(n, ps, ir.RoleScale, ir.RoleShift); err != nil {
		return err
	}
	stages := affine(ps[ir.RoleScale], ps[ir.RoleShift])
	stages[0].args = []string{in[0], ps[ir.RoleScale]}
	act, err := e.activation(n)
	if err != nil {
		return err
	}
	return e.chain(n, out, append(stages, act...))
}

// sum lowers an n-ary Add and its activation: Add for two operands, Sum
// for more.
func (e *exporter) sum(n *ir.Node, in []string, out string) error {
	op := "Sum"
	if len(in) == 2 {
		op = "Add"
	}
	act, err := e.activation(n)
	if err != nil {
		return err
	}
	return e.chain(n, out, append([]stage{{op: op, suffix: "/sum", args: in}}, act...))
}

// mul lowers act(x·gate + residual), a squeeze-excitation gate. A gate
// broadcast over space is written first: OpenCV 4.6 mistakes
// Mul(x, HardSigmoid(g)) for its fused HardSwish pattern and computes
// x·hardsigmoid(x), ignoring g (MobileNetV3's squeeze-excitation), while
// Mul(HardSigmoid(g), x) it computes right. The product is the same.
func (e *exporter) mul(n *ir.Node, in []string, out string) error {
	args := in[:2]
	if broadcastGate(n) {
		args = []string{in[1], in[0]}
	}
	stages := append([]stage{{op: "Mul", suffix: "/mul", args: args}}, residual(n, in)...)
	act, err := e.activation(n)
	if err != nil {
		return err
	}
	return e.chain(n, out, append(stages, act...))
}

// paramsByRole adds n's parameters as initializers, in the IR's order (the
// order a streaming weight source produces them in), and returns their
// names by role. Per-channel scales and shifts get a trailing 1 for each
// spatial axis of n's output: ONNX broadcasts from the last axis, so a
// bare [C] would be laid along the width.
func (e *exporter) paramsByRole(n *ir.Node) (map[ir.Role]string, error) {
	names := map[ir.Role]string{}
	for _, p := range n.Params {
		dims := p.Shape
		if p.Role == ir.RoleScale || p.Role == ir.RoleShift {
			dims = channelDims(p, len(n.Shape))
		}
		name, err := e.paramAs(p, dims)
		if err != nil {
			return nil, err
		}
		names[p.Role] = name
	}
	return names, nil
}

// need checks that n has parameters of the roles its attributes call for:
// a missing one would become an empty input name, which ONNX reads as an
// omitted optional input rather than as an error.
func need(n *ir.Node, ps map[ir.Role]string, roles ...ir.Role) error {
	for _, r := range roles {
		if ps[r] == "" {
			return fmt.Errorf("%s has no %s parameter", n.Op, r)
		}
	}
	return nil
}

// channelDims is the shape of a per-channel parameter [C] that broadcasts
// along axis 1 of a tensor of the given rank: [C,1,1] for NCHW.
func channelDims(p *ir.Param, rank int) []int {
	dims := append([]int(nil), p.Shape...)
	for range rank - 2 {
		dims = append(dims, 1)
	}
	return dims
}

// broadcastGate reports whether n's second factor is a [N,C,1,1] gate on a
// first factor with space.
func broadcastGate(n *ir.Node) bool {
	x, g := n.Inputs[0].Shape, n.Inputs[1].Shape
	return len(x) == 4 && len(g) == 4 && g[2] == 1 && g[3] == 1 && (x[2] != 1 || x[3] != 1)
}
