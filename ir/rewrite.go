package ir

// Graph surgery shared by the passes.

// uses counts, for every node, how many inputs read it; the graph output
// counts as one more use for each output it is.
func (g *Graph) uses() map[*Node]int {
	u := map[*Node]int{}
	for _, n := range g.Nodes {
		for _, x := range n.Inputs {
			u[x]++
		}
	}
	for _, o := range g.Outputs {
		u[o.Node]++
	}
	return u
}

// replaceUses makes every reader of old (and the graph outputs) read
// replacement instead.
func (g *Graph) replaceUses(old, replacement *Node) {
	for _, m := range g.Nodes {
		for i, x := range m.Inputs {
			if x == old {
				m.Inputs[i] = replacement
			}
		}
	}
	for i, o := range g.Outputs {
		if o.Node == old {
			g.Outputs[i].Node = replacement
		}
	}
}

// removeNodes drops the nodes in gone and renumbers the rest.
func (g *Graph) removeNodes(gone map[*Node]bool) {
	if len(gone) == 0 {
		return
	}
	out := g.Nodes[:0]
	for _, n := range g.Nodes {
		if !gone[n] {
			out = append(out, n)
		}
	}
	clear(g.Nodes[len(out):])
	g.Nodes = out
	g.renumber()
}

func (g *Graph) renumber() {
	for i, n := range g.Nodes {
		n.ID = i
	}
}

// bypass makes every use of n read replacement instead, and removes n.
func (g *Graph) bypass(n, replacement *Node) {
	g.replaceUses(n, replacement)
	g.removeNodes(map[*Node]bool{n: true})
}

// hasEpilogue reports whether a fusion pass has given n an epilogue.
func (n *Node) hasEpilogue() bool {
	a := &n.Attrs
	return a.Residual || a.PostAffine || a.Act != ActNone
}
