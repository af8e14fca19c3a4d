package ir

// BytesPerElement is the size of an activation or weight element: the
// backends compute in float32.
const BytesPerElement = 4

// Bytes is the size of one image's slice of a tensor of shape s,
// math.MaxInt64 when it does not fit.
func (s Shape) Bytes() int64 { return MulSat(s.Elems(), BytesPerElement) }

// PeakActivations estimates the activation memory a forward pass needs per
// image: going through the nodes in order, each tensor is live from the
// node that makes it to its last reader (the output to the end), and the
// peak is the largest total live at once, reached at node At. It is what a
// planned arena needs, give or take fusion; a batch of B needs B times it.
func (g *Graph) PeakActivations() (bytes int64, at *Node) {
	last := make([]int, len(g.Nodes))
	for i, n := range g.Nodes {
		last[i] = i
		for _, x := range n.Inputs {
			last[x.ID] = max(last[x.ID], i)
		}
	}
	for _, o := range g.Outputs {
		last[o.Node.ID] = len(g.Nodes)
	}
	free := make([][]*Node, len(g.Nodes))
	for i, n := range g.Nodes {
		if last[i] < len(g.Nodes) {
			free[last[i]] = append(free[last[i]], n)
		}
	}
	var live int64
	for i, n := range g.Nodes {
		live = AddSat(live, n.Shape.Bytes())
		if live > bytes || at == nil {
			bytes, at = live, n
		}
		for _, x := range free[i] {
			if live != maxInt64 {
				live -= x.Shape.Bytes()
			}
		}
	}
	return bytes, at
}

const maxInt64 = 1<<63 - 1
