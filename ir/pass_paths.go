package ir

import (
	"fmt"
	"strings"
)

// mergePaths finds Adds that sum N ≥ 2 identical paths from one tensor —
// cardinality written as explicit paths — and replaces the paths with one
// path over N times the channels: the first convs (groups 1) concatenate
// their output channels, the convs between become grouped convs with N
// times the groups, per-channel nodes concatenate their parameters, and
// the last convs (groups 1) become one conv over the concatenated channels,
// which is what the sum of their outputs is.
func mergePaths(g *Graph) int {
	rewrites := 0
	for {
		add, group := findPaths(g)
		if add == nil {
			return rewrites
		}
		mergeGroup(g, add, group)
		rewrites++
	}
}

// A path is a chain of single-reader, single-input nodes, in order.
type path []*Node

// pathOps are the ops a path may contain: per-channel or per-path work.
var pathOps = map[Op]bool{OpConv: true, OpBatchNorm: true, OpScaleShift: true, OpRelu: true,
	OpSigmoid: true, OpMaxPool: true, OpAvgPool: true, OpPad: true, OpDropout: true}

// traceBack returns the longest path ending at end.
func traceBack(end *Node, uses map[*Node]int) path {
	var p path
	for n := end; uses[n] == 1 && pathOps[n.Op] && len(n.Inputs) == 1 && !n.hasEpilogue(); n = n.Inputs[0] {
		p = append(path{n}, p...)
	}
	return p
}

// findPaths returns the first Add with a group of mergeable paths.
func findPaths(g *Graph) (*Node, []path) {
	uses := g.uses()
	for _, add := range g.Nodes {
		if add.Op != OpAdd || add.hasEpilogue() {
			continue
		}
		var paths []path
		for _, x := range add.Inputs {
			if p := traceBack(x, uses); len(p) >= 2 {
				paths = append(paths, p)
			}
		}
		for i, p := range paths {
			group := []path{p}
			for _, q := range paths[i+1:] {
				if samePath(p, q) {
					group = append(group, q)
				}
			}
			if len(group) >= 2 && mergeable(p) {
				return add, group
			}
		}
	}
	return nil, nil
}

// samePath reports whether p and q start from the same tensor and do the
// same thing with parameters of the same shapes.
func samePath(p, q path) bool {
	if len(p) != len(q) || p[0].Inputs[0] != q[0].Inputs[0] {
		return false
	}
	for i := range p {
		a, b := p[i], q[i]
		if a.Op != b.Op || a.Attrs != b.Attrs || !a.Shape.Equal(b.Shape) || len(a.Params) != len(b.Params) {
			return false
		}
		for j := range a.Params {
			if a.Params[j].Role != b.Params[j].Role || !Shape(a.Params[j].Shape).Equal(b.Params[j].Shape) {
				return false
			}
		}
	}
	return true
}

// mergeable reports whether a path's shape allows merging: convs at both
// ends, without groups there, the first not the last.
func mergeable(p path) bool {
	first, last := p[0], p[len(p)-1]
	return first.Op == OpConv && last.Op == OpConv && first.Attrs.Groups == 1 && last.Attrs.Groups == 1
}

// mergeGroup replaces the paths of group, summed by add, with one.
func mergeGroup(g *Graph, add *Node, group []path) {
	n := len(group)
	var merged []*Node
	prev := group[0][0].Inputs[0]
	taken := g.names()
	for k := range group[0] {
		nodes := make([]*Node, n)
		for i, p := range group {
			nodes[i] = p[k]
		}
		m := mergeNodes(nodes, prev, k == 0, k == len(group[0])-1)
		m.Name = taken.unique(m.Name)
		for _, p := range m.Params {
			p.Name = taken.unique(p.Name)
		}
		merged = append(merged, m)
		prev = m
	}
	// The merged path goes where the first path began; it reads only the
	// shared input, and only add reads it.
	gone := map[*Node]bool{}
	first := len(g.Nodes)
	for _, p := range group {
		for _, x := range p {
			gone[x] = true
			first = min(first, x.ID)
		}
	}
	out := make([]*Node, 0, len(g.Nodes)+len(merged))
	for i, x := range g.Nodes {
		if i == first {
			out = append(out, merged...)
		}
		if !gone[x] {
			out = append(out, x)
		}
	}
	g.Nodes = out
	g.renumber()
	ends := map[*Node]bool{}
	for _, p := range group {
		ends[p[len(p)-1]] = true
	}
	var inputs []*Node
	placed := false
	for _, x := range add.Inputs {
		if !ends[x] {
			inputs = append(inputs, x)
		} else if !placed {
			inputs = append(inputs, prev)
			placed = true
		}
	}
	add.Inputs = inputs
	if len(inputs) == 1 {
		g.bypass(add, prev)
	}
}

// mergeNodes makes the node doing what nodes do side by side, reading in.
func mergeNodes(nodes []*Node, in *Node, first, last bool) *Node {
	n := len(nodes)
	a := nodes[0]
	m := &Node{Op: a.Op, Name: mergedName(nodes), Inputs: []*Node{in}, Attrs: a.Attrs, Pos: a.Pos, Chain: a.Chain, Scope: commonScope(nodes)}
	for j, p := range a.Params {
		ps := make([]*Param, n)
		for i, x := range nodes {
			ps[i] = x.Params[j]
		}
		name := mergedParamName(ps)
		switch {
		case a.Op == OpConv && last && p.Role == RoleWeight:
			m.Params = append(m.Params, concatInputs(name, ps))
		case a.Op == OpConv && last && p.Role == RoleBias:
			m.Params = append(m.Params, sumParams(name, ps))
		default:
			m.Params = append(m.Params, concatParams(name, ps))
		}
		if w := m.Params[len(m.Params)-1]; a.Op == OpConv && w.Role == RoleWeight && len(w.Shape) == 2 {
			// A merged per-pixel linear layer may be grouped: OIHW.
			w.Shape = append(w.Shape, 1, 1)
		}
	}
	if a.Op == OpConv && !last {
		m.Attrs.OutChannels *= n
		if !first {
			m.Attrs.Groups *= n
		}
	}
	s, err := inferShape(m, []Shape{in.Shape})
	if err != nil {
		panic(fmt.Sprintf("merging %s: %v", m.Name, err))
	}
	m.Shape = s
	return m
}

// mergedName drops the part the names of side-by-side nodes differ in:
// "layer1.0.path.0.conv1", "layer1.0.path.1.conv1" → "layer1.0.path.conv1".
// commonScope is the scope the nodes share: the paths' scope, without
// the path index.
func commonScope(nodes []*Node) []string {
	s := nodes[0].Scope
	for _, x := range nodes[1:] {
		n := 0
		for n < len(s) && n < len(x.Scope) && s[n] == x.Scope[n] {
			n++
		}
		s = s[:n:n]
	}
	return s
}

func mergedName(nodes []*Node) string {
	names := make([]string, len(nodes))
	for i, x := range nodes {
		names[i] = x.Name
	}
	return mergeNames(names)
}

func mergedParamName(ps []*Param) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return mergeNames(names)
}

func mergeNames(names []string) string {
	pre, suf := names[0], names[0]
	for _, s := range names[1:] {
		for !strings.HasPrefix(s, pre) {
			pre = pre[:len(pre)-1]
		}
		for !strings.HasSuffix(s, suf) {
			suf = suf[1:]
		}
	}
	if len(pre)+len(suf) > len(names[0]) {
		suf = suf[len(pre)+len(suf)-len(names[0]):]
	}
	// Join at one separator: "path." + ".conv1" → "path.conv1".
	if strings.HasSuffix(pre, ".") || strings.HasSuffix(pre, "_") || strings.HasSuffix(pre, "/") {
		suf = strings.TrimLeft(suf, "._/")
	}
	return pre + suf
}

// nameSet holds the node and parameter names in use.
type nameSet map[string]bool

func (g *Graph) names() nameSet {
	s := nameSet{}
	for _, n := range g.Nodes {
		s[n.Name] = true
		for _, p := range n.Params {
			s[p.Name] = true
		}
	}
	return s
}

// unique returns name, or name with the first free "_k" suffix when
// taken, and marks the result used.
func (s nameSet) unique(name string) string {
	out := name
	for k := 1; out == "" || s[out]; k++ {
		out = fmt.Sprintf("%s_%d", name, k)
	}
	s[out] = true
	return out
}
