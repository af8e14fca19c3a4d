package onnx

import (
	"fmt"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
)

// Fused nodes. ONNX has no operator for a convolution with a residual,
// affine or activation epilogue, and resc writes standard operators only,
// so a fused IR node becomes the chain of nodes it was fused from:
//
//	Conv(x, W[, b]) → Add(residual) → Mul(scale) → Add(shift) → Relu|Sigmoid
//
// with the parts its attributes leave out omitted. Runtimes fuse such
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
}

// chain emits the stages of n in order. The last produces out, the IR
// node's value, and is named after n, as an unfused node is, so a node
// without an epilogue exports exactly as before fusion existed. Earlier
// stages are named after the values they produce, which are claimed and
// described like any other.
func (e *exporter) chain(n *ir.Node, out string, stages []stage) error {
	prev := ""
	for i, s := range stages {
		inputs := s.args
		if i > 0 {
			inputs = append([]string{prev}, s.args...)
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

// activation is the node of a fused activation, if any.
func activation(a ir.Act) ([]stage, error) {
	switch a {
	case ir.ActNone:
		return nil, nil
	case ir.ActRelu:
		return []stage{{op: "Relu", suffix: "/relu"}}, nil
	case ir.ActSigmoid:
		return []stage{{op: "Sigmoid", suffix: "/sigmoid"}}, nil
	}
	return nil, fmt.Errorf("activation %d has no ONNX lowering", a)
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
	inputs := []string{in[0], ps[ir.RoleWeight]}
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
	act, err := activation(a.Act)
	if err != nil {
		return err
	}
	return e.chain(n, out, append(stages, act...))
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
	act, err := activation(n.Attrs.Act)
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
	act, err := activation(n.Attrs.Act)
	if err != nil {
		return err
	}
	return e.chain(n, out, append([]stage{{op: op, suffix: "/sum", args: in}}, act...))
}

// mul lowers act(x·gate + residual), a squeeze-excitation gate.
func (e *exporter) mul(n *ir.Node, in []string, out string) error {
	stages := append([]stage{{op: "Mul", suffix: "/mul", args: in[:2]}}, residual(n, in)...)
	act, err := activation(n.Attrs.Act)
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
