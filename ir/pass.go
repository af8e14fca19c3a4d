package ir

import "fmt"

// A Pass rewrites a graph in place, keeping what it computes.
type Pass struct {
	Name  string
	Level int // the lowest -O level that runs it
	Doc   string
	Run   func(g *Graph)
}

// Passes is the pipeline, in order.
var Passes = []Pass{
	{Name: "drop-dropout", Level: 1, Doc: "remove Dropout nodes, the identity at inference", Run: dropDropout},
}

// Optimize runs the passes of level and below, verifying the graph after
// each one. A panic inside a pass becomes an internal error naming it.
func Optimize(g *Graph, level int) (err error) {
	for _, p := range Passes {
		if p.Level > level {
			continue
		}
		if err := runPass(g, p); err != nil {
			return err
		}
	}
	return nil
}

func runPass(g *Graph, p Pass) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in pass %s: %v", p.Name, r)
		}
	}()
	p.Run(g)
	if verr := g.Verify(); verr != nil {
		return fmt.Errorf("internal error: pass %s left an invalid graph: %v", p.Name, verr)
	}
	return nil
}

// bypass makes every use of n (and the graph output, if n is it) read
// replacement instead, and removes n.
func (g *Graph) bypass(n, replacement *Node) {
	for _, m := range g.Nodes {
		for i, x := range m.Inputs {
			if x == n {
				m.Inputs[i] = replacement
			}
		}
	}
	if g.Output == n {
		g.Output = replacement
	}
	out := g.Nodes[:0]
	for _, m := range g.Nodes {
		if m != n {
			m.ID = len(out)
			out = append(out, m)
		}
	}
	g.Nodes = out
}

func dropDropout(g *Graph) {
	for i := 0; i < len(g.Nodes); i++ {
		if n := g.Nodes[i]; n.Op == OpDropout {
			g.bypass(n, n.Inputs[0])
			i--
		}
	}
}
