package ir

// fusable reports whether n can take a residual input: a conv or SE Mul
// read only once, without an epilogue yet.
func fusable(n *Node, uses map[*Node]int) bool {
	return (n.Op == OpConv || n.Op == OpMul) && !n.hasEpilogue() && uses[n] == 1
}

// fuseResidual fuses a two-way Add into the conv (or SE Mul) producing one
// of its operands, which then reads the other as an accumulation input.
// It prefers the first operand, the residual branch as the front end
// builds it (the shortcut is the second), and moves the fused node after
// the other operand when it came first.
func fuseResidual(g *Graph) int {
	rewrites := 0
	uses := g.uses()
	for i := 0; i < len(g.Nodes); i++ {
		add := g.Nodes[i]
		if add.Op != OpAdd || len(add.Inputs) != 2 || add.hasEpilogue() {
			continue
		}
		a, b := add.Inputs[0], add.Inputs[1]
		switch {
		case a == b:
			continue
		case fusable(a, uses):
		case fusable(b, uses):
			a, b = b, a
		default:
			continue
		}
		// a becomes a + b; it must come after b.
		a.Attrs.Residual = true
		a.Inputs = append(a.Inputs, b)
		if a.ID < b.ID {
			g.moveBefore(a, add)
		}
		uses[a] = uses[add]
		g.bypass(add, a)
		i = a.ID
		rewrites++
	}
	return rewrites
}

// moveBefore moves n, whose only reader is before's, to just before it.
func (g *Graph) moveBefore(n, before *Node) {
	out := make([]*Node, 0, len(g.Nodes))
	for _, m := range g.Nodes {
		if m == n {
			continue
		}
		if m == before {
			out = append(out, n)
		}
		out = append(out, m)
	}
	g.Nodes = out
	g.renumber()
}

// fusePostAffine fuses a plain ScaleShift into the epilogue of the conv it
// reads when nothing else reads the conv: after the residual add, the
// pre-activation batch norm of the next block.
func fusePostAffine(g *Graph) int {
	uses := g.uses()
	gone := map[*Node]bool{}
	for _, s := range g.Nodes {
		if !plainScaleShift(s) {
			continue
		}
		c := s.Inputs[0]
		if c.Op != OpConv || c.Attrs.PostAffine || c.Attrs.Act != ActNone || uses[c] != 1 || gone[c] {
			continue
		}
		c.Attrs.PostAffine = true
		c.Params = append(c.Params, s.Param(RoleScale), s.Param(RoleShift))
		g.replaceUses(s, c)
		uses[c] = uses[s]
		gone[s] = true
	}
	g.removeNodes(gone)
	return len(gone)
}

// fuseActivation fuses an elementwise activation op (Relu, Sigmoid, Silu,
// HardSwish, HardSigmoid, Relu6, Gelu, LeakyRelu, Tanh) into the epilogue
// of the node it reads when nothing else reads that node. A LeakyRelu's
// slope moves into the node's Alpha, which nothing else there uses.
func fuseActivation(g *Graph) int {
	uses := g.uses()
	gone := map[*Node]bool{}
	for _, r := range g.Nodes {
		act, ok := ActOf(r.Op)
		if !ok {
			continue
		}
		p := r.Inputs[0]
		switch p.Op {
		case OpConv, OpScaleShift, OpMul, OpAdd:
		default:
			continue
		}
		if p.Attrs.Act != ActNone || uses[p] != 1 || gone[p] {
			continue
		}
		p.Attrs.Act = act
		if act == ActLeakyRelu {
			p.Attrs.Alpha = r.Attrs.Alpha
		}
		g.replaceUses(r, p)
		uses[p] = uses[r]
		gone[r] = true
	}
	g.removeNodes(gone)
	return len(gone)
}
