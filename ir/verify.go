package ir

import (
	"fmt"
	"math"
)

// Verify checks the graph's invariants: IDs match positions, inputs come
// before their users, arities and attributes are sane, parameters have the
// shapes the op needs, every stored shape is what the shape rule infers and
// within the IR's limits, and node and parameter names are unique.
// Passes and backends may rely on all of these.
func (g *Graph) Verify() error {
	if g.Input == nil || len(g.Outputs) == 0 {
		return fmt.Errorf("graph %s: missing input or output", g.Name)
	}
	nodeNames := map[string]bool{}
	paramNames := map[string]bool{}
	inputs := 0
	for i, n := range g.Nodes {
		if n.ID != i {
			return fmt.Errorf("node %s: ID %d at index %d", n.Name, n.ID, i)
		}
		if err := checkNode(n); err != nil {
			return fmt.Errorf("node %s: %v", n.Name, err)
		}
		if n.Op == OpInput {
			inputs++
		}
		for _, x := range n.Inputs {
			if x.ID >= i || g.Nodes[x.ID] != x {
				return fmt.Errorf("node %s: input %s is not an earlier node of the graph", n.Name, x.Name)
			}
		}
		if n.Name == "" || nodeNames[n.Name] {
			return fmt.Errorf("node %q: name empty or not unique", n.Name)
		}
		nodeNames[n.Name] = true
		for _, p := range n.Params {
			if paramNames[p.Name] {
				return fmt.Errorf("node %s: parameter name %s not unique", n.Name, p.Name)
			}
			paramNames[p.Name] = true
		}
		if err := checkParams(n); err != nil {
			return fmt.Errorf("node %s: %v", n.Name, err)
		}
		if n.Op != OpInput {
			in := make([]Shape, len(n.Inputs))
			for j, x := range n.Inputs {
				in[j] = x.Shape
			}
			s, err := inferShape(n, in)
			if err != nil {
				return fmt.Errorf("node %s: %v", n.Name, err)
			}
			if !s.Equal(n.Shape) {
				return fmt.Errorf("node %s: shape %v, inferred %v", n.Name, n.Shape, s)
			}
		}
		if err := checkShape(n.Shape); err != nil {
			return fmt.Errorf("node %s: %v", n.Name, err)
		}
	}
	if inputs != 1 || g.Nodes[g.Input.ID] != g.Input {
		return fmt.Errorf("graph %s: want exactly one input node, have %d", g.Name, inputs)
	}
	outNames := map[string]bool{}
	for _, o := range g.Outputs {
		if o.Node == nil || o.Node.ID >= len(g.Nodes) || g.Nodes[o.Node.ID] != o.Node {
			return fmt.Errorf("graph %s: output %q is not a node of the graph", g.Name, o.Name)
		}
		if o.Name == "" || outNames[o.Name] {
			return fmt.Errorf("graph %s: output name %q empty or not unique", g.Name, o.Name)
		}
		outNames[o.Name] = true
	}
	return nil
}

// checkEpilogue allows epilogue attributes only on the ops whose
// backends implement them.
func checkEpilogue(n *Node) error {
	a := &n.Attrs
	if a.Residual && n.Op != OpConv && n.Op != OpMul {
		return fmt.Errorf("%s cannot take a residual input", n.Op)
	}
	if a.PostAffine && n.Op != OpConv {
		return fmt.Errorf("%s cannot have a post-affine epilogue", n.Op)
	}
	if a.Act >= numActs {
		return fmt.Errorf("unknown activation %d", a.Act)
	}
	if a.Act == ActLeakyRelu && (math.IsNaN(a.Alpha) || math.IsInf(a.Alpha, 0)) {
		return fmt.Errorf("fused leaky relu slope must be finite, is %g", a.Alpha)
	}
	if a.Act != ActNone {
		switch n.Op {
		case OpConv, OpMul, OpAdd, OpScaleShift:
		default:
			return fmt.Errorf("%s cannot have a fused activation", n.Op)
		}
	}
	return nil
}

// checkParams checks that the parameters a node's op and attributes call
// for are there, with their shapes, so backends can rely on them.
func checkParams(n *Node) error {
	want := map[Role][]int{}
	switch n.Op {
	case OpConv:
		in := 0
		if len(n.Inputs) > 0 && len(n.Inputs[0].Shape) == 4 && n.Attrs.Groups > 0 {
			in = n.Inputs[0].Shape[1] / n.Attrs.Groups
		}
		m := n.Attrs.OutChannels
		want[RoleWeight] = convWeightShape(n, in)
		if n.Attrs.Bias {
			want[RoleBias] = []int{m}
		}
		if n.Attrs.PostAffine {
			want[RoleScale] = []int{m}
			want[RoleShift] = []int{m}
		}
	case OpScaleShift, OpBatchNorm:
		c := 0
		if len(n.Inputs) > 0 && len(n.Inputs[0].Shape) > 1 {
			c = n.Inputs[0].Shape[1]
		}
		if n.Op == OpScaleShift {
			want[RoleScale] = []int{c}
			want[RoleShift] = []int{c}
			break
		}
		if n.Attrs.Scale {
			want[RoleGamma] = []int{c}
		}
		if n.Attrs.Center {
			want[RoleBeta] = []int{c}
		}
		want[RoleMean] = []int{c}
		want[RoleVar] = []int{c}
	case OpGemm:
		in := 0
		if len(n.Inputs) > 0 && len(n.Inputs[0].Shape) == 2 {
			in = n.Inputs[0].Shape[1]
		}
		want[RoleWeight] = []int{n.Attrs.OutChannels, in}
		if n.Attrs.Bias {
			want[RoleBias] = []int{n.Attrs.OutChannels}
		}
	case OpChannelConv:
		want[RoleWeight] = []int{1, 1, n.Attrs.Kernel[0]}
	case OpLayerNorm, OpGroupNorm:
		c := channelsOf(n)
		if n.Attrs.Scale {
			want[RoleGamma] = []int{c}
		}
		if n.Attrs.Center {
			want[RoleBeta] = []int{c}
		}
	case OpChannelScale:
		// [C], or [C,1,1] as torchvision's ConvNeXt stores it.
		if p := n.Param(RoleGamma); len(n.Params) == 1 && p != nil && len(p.Shape) > 0 && p.Shape[0] == channelsOf(n) && Shape(p.Shape).Elems() == 1 {
			return nil
		}
		return fmt.Errorf("%s needs one gamma parameter of shape [%d] or [%d,1,...]", n.Op, channelsOf(n), channelsOf(n))
	default:
		return nil
	}
	if len(n.Params) != len(want) {
		return fmt.Errorf("%s has %d parameters, want %d", n.Op, len(n.Params), len(want))
	}
	for _, p := range n.Params {
		s, ok := want[p.Role]
		if !ok {
			return fmt.Errorf("%s has an unexpected %s parameter %s", n.Op, p.Role, p.Name)
		}
		delete(want, p.Role) // a role given twice is then unexpected
		if !Shape(s).Equal(p.Shape) {
			return fmt.Errorf("parameter %s has shape %v, want %v", p.Name, Shape(p.Shape).plain(), Shape(s).plain())
		}
	}
	return nil
}

// channelsOf is the channel count of n's first input, 0 when it has none.
func channelsOf(n *Node) int {
	if len(n.Inputs) > 0 && len(n.Inputs[0].Shape) > 1 {
		return n.Inputs[0].Shape[1]
	}
	return 0
}
