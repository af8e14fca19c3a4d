// Package fold groups a graph's nodes by label scope, to a depth, as
// torchinfo folds a summary and as `resc graph` draws blocks and stages:
// at depth 1 every node made under label layer1 becomes one box
// "layer1", at depth 2 one box per "layer1.0", and at depth 0 every node
// is its own box.
package fold

import (
	"container/heap"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/ir"
)

// A Graph is a folded graph: boxes in topological order.
type Graph struct {
	Name  string
	Depth int
	Boxes []*Box
}

// A Box is one node, or the nodes of one label scope folded together.
type Box struct {
	ID     int    // index in Graph.Boxes
	Name   string // the node's name, or the scope's labels joined as names join them
	Kind   string // the op with its fused epilogue ("Conv+BN+ReLU"), or the folded scope's block ("bottleneck")
	Folded bool   // a scope rather than a single node
	Nodes  []*ir.Node
	Shape  ir.Shape // the output shape of its last node
	Params int64    // parameter elements of all its nodes, running statistics included
	Inputs []Edge   // the boxes it reads, in the order first read: each once, or for a single node once each way
}

// An Edge is a box's input from another box.
type Edge struct {
	From *Box
	// Shortcut marks a residual shortcut: the second input of a residual
	// Add, or the accumulation input of a node the Add was fused into.
	Shortcut bool
}

// Fold groups g's nodes at depth: a node whose scope has at least depth
// labels goes into the box of the first depth of them; others stay
// single. A scope's nodes need not be contiguous in graph order (a fused
// residual pulls a projection shortcut into the middle of a block's SE
// gate): the boxes are put in a topological order, earliest first node
// first. Should folding a scope whole make a cycle, which no stdlib model
// does, each contiguous run of a scope becomes a box of its own.
func Fold(g *ir.Graph, depth int) *Graph {
	sep := compiler.NameSeparator(g.Naming)
	fg := &Graph{Name: g.Name, Depth: depth}
	boxOf := group(g, depth, sep, false)
	boxes, ok := sortBoxes(g, boxOf)
	if !ok {
		boxOf = group(g, depth, sep, true)
		boxes, _ = sortBoxes(g, boxOf)
	}
	fg.Boxes = boxes
	for _, b := range fg.Boxes {
		b.finish(boxOf)
	}
	return fg
}

// group puts each node in its box; runs makes a box per contiguous run of
// a scope instead of one per scope.
func group(g *ir.Graph, depth int, sep string, runs bool) map[*ir.Node]*Box {
	boxOf := make(map[*ir.Node]*Box, len(g.Nodes))
	byKey := map[string]*Box{}
	var prev *Box
	for _, n := range g.Nodes {
		var b *Box
		if depth > 0 && len(n.Scope) >= depth {
			key := strings.Join(n.Scope[:depth], sep)
			b = byKey[key]
			if b == nil || runs && b != prev {
				b = &Box{Name: key, Folded: true}
				byKey[key] = b
			}
		} else {
			b = &Box{Name: n.Name}
		}
		b.Nodes = append(b.Nodes, n)
		boxOf[n] = b
		prev = b
	}
	return boxOf
}

// sortBoxes orders the boxes topologically, by their first node where
// several are ready, and numbers them; false if they form a cycle.
func sortBoxes(g *ir.Graph, boxOf map[*ir.Node]*Box) ([]*Box, bool) {
	var boxes []*Box
	first := map[*Box]int{}
	for i, n := range g.Nodes {
		if b := boxOf[n]; b.Nodes[0] == n {
			first[b] = i
			boxes = append(boxes, b)
		}
	}
	indeg := map[*Box]int{}
	succ := map[*Box][]*Box{}
	seen := map[[2]*Box]bool{}
	for _, n := range g.Nodes {
		b := boxOf[n]
		for _, x := range n.Inputs {
			a := boxOf[x]
			if a == nil || a == b || seen[[2]*Box{a, b}] {
				continue
			}
			seen[[2]*Box{a, b}] = true
			succ[a] = append(succ[a], b)
			indeg[b]++
		}
	}
	ready := &boxHeap{first: first}
	for _, b := range boxes {
		if indeg[b] == 0 {
			heap.Push(ready, b)
		}
	}
	out := make([]*Box, 0, len(boxes))
	for ready.Len() > 0 {
		b := heap.Pop(ready).(*Box)
		b.ID = len(out)
		out = append(out, b)
		for _, c := range succ[b] {
			if indeg[c]--; indeg[c] == 0 {
				heap.Push(ready, c)
			}
		}
	}
	return out, len(out) == len(boxes)
}

// boxHeap is a min-heap of boxes by the index of their first node.
type boxHeap struct {
	boxes []*Box
	first map[*Box]int
}

func (h *boxHeap) Len() int           { return len(h.boxes) }
func (h *boxHeap) Less(i, j int) bool { return h.first[h.boxes[i]] < h.first[h.boxes[j]] }
func (h *boxHeap) Swap(i, j int)      { h.boxes[i], h.boxes[j] = h.boxes[j], h.boxes[i] }
func (h *boxHeap) Push(x any)         { h.boxes = append(h.boxes, x.(*Box)) }
func (h *boxHeap) Pop() any {
	b := h.boxes[len(h.boxes)-1]
	h.boxes = h.boxes[:len(h.boxes)-1]
	return b
}

func (b *Box) finish(boxOf map[*ir.Node]*Box) {
	last := b.Nodes[len(b.Nodes)-1]
	b.Shape = last.Shape
	type key struct {
		from     *Box
		shortcut bool
	}
	index := map[key]int{}
	for _, n := range b.Nodes {
		_, total := n.NodeParams()
		b.Params = ir.AddSat(b.Params, total)
		for i, x := range n.Inputs {
			from := boxOf[x]
			if from == nil || from == b {
				continue
			}
			sc := IsShortcut(n, i)
			// A single node reading one tensor both ways (a conv with the
			// residual add of its own input fused in) has both edges; a
			// folded scope read both ways (a block's input feeds its branch
			// and its shortcut) has one ordinary edge.
			k := key{from, sc && !b.Folded}
			if j, ok := index[k]; ok {
				b.Inputs[j].Shortcut = b.Inputs[j].Shortcut && sc
				continue
			}
			index[k] = len(b.Inputs)
			b.Inputs = append(b.Inputs, Edge{From: from, Shortcut: sc})
		}
	}
	if b.Folded {
		b.Kind = blockName(b.Nodes, b.Name)
		if b.Kind == "" {
			b.Kind = opsKind(b.Nodes)
		}
	} else {
		b.Kind = NodeKind(last)
	}
}

// IsShortcut reports whether n's input i is a residual shortcut: the
// accumulation input of a fused residual, or the second input of a
// two-input Add that does not sum paths (the residual statement's merge
// reads the branch first, the shortcut second).
func IsShortcut(n *ir.Node, i int) bool {
	if n.Attrs.Residual {
		return i == len(n.Inputs)-1
	}
	return n.Op == ir.OpAdd && len(n.Inputs) == 2 && i == 1 && !isPathsSum(n)
}

// isPathsSum reports whether Add n sums the paths of a paths statement:
// input j was made under the Add's scope followed by the path index j.
func isPathsSum(n *ir.Node) bool {
	k := len(n.Scope)
	for j, x := range n.Inputs {
		if len(x.Scope) <= k || x.Scope[k] != strconv.Itoa(j) {
			return false
		}
		for i := range k {
			if x.Scope[i] != n.Scope[i] {
				return false
			}
		}
	}
	return true
}

// NodeKind is n's op with what fusion passes folded into it, in the order
// they apply: "Conv+BN+Add+ReLU" for a conv with a batch norm folded into
// its weights, a fused residual and a fused activation.
func NodeKind(n *ir.Node) string {
	s := n.Op.String()
	for _, p := range n.Params {
		if p.Derived != nil && n.Op != ir.OpScaleShift {
			// Only batch norms (lowered to ScaleShifts) are folded into
			// weights; a ScaleShift's own are the batch norm it is.
			s += "+BN"
			break
		}
	}
	if n.Attrs.Residual {
		s += "+Add"
	}
	if n.Attrs.PostAffine {
		s += "+BN"
	}
	if n.Attrs.Act != ir.ActNone {
		s += "+" + actName(n.Attrs.Act)
	}
	return s
}

func actName(a ir.Act) string {
	s := a.String()
	if s == "relu" {
		return "ReLU"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// blockName finds the block instantiated under scope name in the nodes'
// instantiation chains: a frame reads `block NAME "SCOPE"`. The outermost
// such frame is the block the label was given to; blocks it calls without
// a label share its scope.
func blockName(nodes []*ir.Node, scope string) string {
	want := " " + strconv.Quote(scope)
	for _, n := range nodes {
		for i := len(n.Chain) - 1; i >= 0; i-- {
			f := n.Chain[i]
			if rest, ok := strings.CutPrefix(f.What, "block "); ok {
				if name, ok := strings.CutSuffix(rest, want); ok && !strings.Contains(name, " ") {
					return name
				}
			}
		}
	}
	return ""
}

// maxKindOps bounds the op list of a folded scope that is not a block.
const maxKindOps = 3

// opsKind describes a folded scope that is no block instantiation (a
// projection shortcut, a labelled residual) by its ops: "Conv+BatchNorm".
func opsKind(nodes []*ir.Node) string {
	var ops []string
	for _, n := range nodes {
		s := n.Op.String()
		if len(ops) > 0 && ops[len(ops)-1] == s {
			continue
		}
		if len(ops) == maxKindOps {
			return strings.Join(ops, "+") + "+…"
		}
		ops = append(ops, s)
	}
	return strings.Join(ops, "+")
}
