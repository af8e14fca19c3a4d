package ir

// deadNodes removes the nodes the output does not depend on (the input
// node stays: it is the graph's signature).
func deadNodes(g *Graph) int {
	live := map[*Node]bool{g.Input: true}
	var mark func(n *Node)
	mark = func(n *Node) {
		if live[n] && n != g.Input {
			return
		}
		live[n] = true
		for _, x := range n.Inputs {
			mark(x)
		}
	}
	for _, o := range g.Outputs {
		mark(o.Node)
	}
	gone := map[*Node]bool{}
	for _, n := range g.Nodes {
		if !live[n] {
			gone[n] = true
		}
	}
	g.removeNodes(gone)
	return len(gone)
}

// isIdentity reports whether n passes its input through unchanged.
func isIdentity(n *Node) bool {
	a := &n.Attrs
	if n.hasEpilogue() {
		return false
	}
	switch n.Op {
	case OpDropout, OpDropPath:
		return true
	case OpPad:
		return a.Pads == [4]int{}
	case OpMaxPool, OpAvgPool:
		return a.Kernel == [2]int{1, 1} && a.Strides == [2]int{1, 1} && a.Pads == [4]int{}
	case OpFlatten:
		return len(n.Inputs[0].Shape) == 2
	case OpSubsamplePad:
		return a.Strides == [2]int{1, 1} && a.ChannelPads == [2]int{}
	}
	return false
}

// dropIdentity bypasses the nodes that compute the identity. A graph whose
// output would become its input keeps the last such node.
func dropIdentity(g *Graph) int {
	gone := map[*Node]bool{}
	for _, n := range g.Nodes {
		if !isIdentity(n) || g.IsOutput(n) && n.Inputs[0] == g.Input {
			continue
		}
		g.replaceUses(n, n.Inputs[0])
		gone[n] = true
	}
	g.removeNodes(gone)
	return len(gone)
}

// nonNegative reports whether n's values are never negative, which makes
// zero padding before a max pool the same as the pool's own padding.
func nonNegative(n *Node) bool {
	switch {
	case n.Op == OpRelu || n.Op == OpSigmoid || n.Attrs.Act == ActRelu || n.Attrs.Act == ActSigmoid:
		return true
	case n.Op == OpMaxPool || n.Op == OpAvgPool || n.Op == OpPad || n.Op == OpDropout ||
		n.Op == OpGlobalAvgPool || n.Op == OpGlobalMaxPool || n.Op == OpFlatten:
		return nonNegative(n.Inputs[0])
	}
	return false
}

// foldPad moves a zero Pad into each reader that can pad by itself: a Pad,
// a conv, an average pool counting padding (or not padding), or a max
// pool over non-negative values whose windows all keep an input element.
// A Pad left without readers goes.
func foldPad(g *Graph) int {
	rewrites := 0
	gone := map[*Node]bool{}
	for _, p := range g.Nodes {
		if p.Op != OpPad || g.IsOutput(p) {
			continue
		}
		left := 0
		for _, r := range g.Nodes {
			for i, x := range r.Inputs {
				if x != p {
					continue
				}
				if i == 0 && absorbsPad(r, p) {
					r.Inputs[0] = p.Inputs[0]
					for k := range r.Attrs.Pads {
						r.Attrs.Pads[k] += p.Attrs.Pads[k]
					}
					if r.Op == OpAvgPool {
						r.Attrs.CountIncludePad = true
					}
					rewrites++
				} else {
					left++
				}
			}
		}
		if left == 0 {
			gone[p] = true
		}
	}
	g.removeNodes(gone)
	return rewrites
}

// absorbsPad reports whether r, reading Pad p as its first input, can
// take p's padding into its own exactly.
func absorbsPad(r, p *Node) bool {
	a := &r.Attrs
	switch r.Op {
	case OpPad, OpConv:
		return true
	case OpAvgPool:
		return !a.CeilMode && (a.CountIncludePad || a.Pads == [4]int{}) && padsFit(r, p)
	case OpMaxPool:
		// A window wholly in the padding would see −∞ instead of 0;
		// padsFit rules those out.
		return !a.CeilMode && a.Dilations == [2]int{1, 1} && nonNegative(p.Inputs[0]) && padsFit(r, p)
	}
	return false
}

// padsFit reports whether pool r keeps each side's padding, p's added,
// smaller than its kernel, as ONNX consumers require of pools.
func padsFit(r, p *Node) bool {
	for k, pad := range r.Attrs.Pads {
		if pad+p.Attrs.Pads[k] >= r.Attrs.Kernel[k%2] {
			return false
		}
	}
	return true
}
