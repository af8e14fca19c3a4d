package ir

// lowerBatchNorm turns every inference batch norm into a ScaleShift whose
// parameters derive from the batch norm's, and a layer scale of a conv's
// output that nothing else reads into a ScaleShift with a zero shift,
// which fold-scale-shift folds into that conv (ConvNeXt's layer_scale
// into the Linear before it; the residual Add then fuses too).
func lowerBatchNorm(g *Graph) int {
	rewrites := 0
	taken := g.names()
	uses := g.uses()
	for _, n := range g.Nodes {
		var scale, shift *Param
		switch {
		case n.Op == OpBatchNorm:
			scale, shift = batchNormScaleShift(n)
		case n.Op == OpChannelScale && n.Inputs[0].Op == OpConv && !n.Inputs[0].hasEpilogue() && uses[n.Inputs[0]] == 1:
			scale, shift = layerScaleScaleShift(n)
		default:
			continue
		}
		scale.Name, shift.Name = taken.unique(scale.Name), taken.unique(shift.Name)
		n.Op = OpScaleShift
		n.Attrs = Attrs{}
		n.Params = []*Param{scale, shift}
		rewrites++
	}
	return rewrites
}

// plainScaleShift reports whether n is a ScaleShift without an epilogue.
func plainScaleShift(n *Node) bool { return n.Op == OpScaleShift && !n.hasEpilogue() }

// foldConstants composes a ScaleShift with the ScaleShift before it when
// nothing else reads the first: two per-channel affine maps are one.
func foldConstants(g *Graph) int {
	uses := g.uses()
	gone := map[*Node]bool{}
	for _, n := range g.Nodes {
		if n.Op != OpScaleShift {
			continue
		}
		inner := n.Inputs[0]
		if !plainScaleShift(inner) || uses[inner] != 1 {
			continue
		}
		scale, shift := composeAffine(inner.Param(RoleScale), inner.Param(RoleShift), n.Param(RoleScale), n.Param(RoleShift),
			inner.Name+" then "+n.Name)
		n.Params = []*Param{scale, shift}
		n.Inputs[0] = inner.Inputs[0]
		gone[inner] = true
	}
	g.removeNodes(gone)
	return len(gone)
}

// foldScaleShift folds a plain ScaleShift into a neighbouring conv's
// weights and bias: into the conv it reads when nothing else reads that
// conv (and the conv has no epilogue yet), else into the one conv reading
// it when that conv has no padding (padding would see zeros where the
// unfolded conv saw the shift).
func foldScaleShift(g *Graph) int {
	uses := g.uses()
	taken := g.names()
	gone := map[*Node]bool{}
	readers := map[*Node][]*Node{}
	for _, n := range g.Nodes {
		for _, x := range n.Inputs {
			readers[x] = append(readers[x], n)
		}
	}
	for _, s := range g.Nodes {
		if !plainScaleShift(s) {
			continue
		}
		scale, shift := s.Param(RoleScale), s.Param(RoleShift)
		if c := s.Inputs[0]; c.Op == OpConv && !c.hasEpilogue() && uses[c] == 1 && !gone[c] {
			w, b := foldAfterConv(c, scale, shift, s.Name)
			b.Name = newBiasName(c, b, taken)
			c.Params = []*Param{w, b}
			c.Attrs.Bias = true
			g.replaceUses(s, c)
			uses[c] = uses[s]
			readers[c] = readers[s]
			gone[s] = true
			continue
		}
		if uses[s] != 1 || len(readers[s]) != 1 || g.IsOutput(s) {
			continue
		}
		c := readers[s][0]
		if c.Op != OpConv || c.Inputs[0] != s || c.Attrs.Residual || c.Attrs.Pads != [4]int{} {
			continue
		}
		w, b := foldBeforeConv(c, scale, shift, s.Name)
		b.Name = newBiasName(c, b, taken)
		params := []*Param{w, b}
		for _, p := range c.Params {
			if p.Role == RoleScale || p.Role == RoleShift {
				params = append(params, p)
			}
		}
		c.Params = params
		c.Attrs.Bias = true
		c.Inputs[0] = s.Inputs[0]
		gone[s] = true
	}
	g.removeNodes(gone)
	return len(gone)
}

// newBiasName keeps the name of the bias conv c had, or gives a new one
// a name no other parameter has.
func newBiasName(c *Node, bias *Param, taken nameSet) string {
	if old := c.Param(RoleBias); old != nil {
		return old.Name
	}
	return taken.unique(bias.Name)
}
