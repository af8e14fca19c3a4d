package lsp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/lang"
)

// hover describes what is under the cursor: the name's declaration or
// signature, and for a statement (a label, a layer, a block call, a
// residual...) what it produced in each network: output shape, parameters
// and weight names, read from the elaborated graphs.
func (s *server) hover(d *document, off int) *Hover {
	a := d.a
	var parts []string
	var rng *Range
	if t, ti, ok := a.nameTokenAt(off); ok {
		r := rangeOf(a.text, t.Offset, t.Offset+len(t.Text), s.enc)
		rng = &r
		if b := d.nameAt(t, ti); b != nil {
			parts = append(parts, describe(b))
			if bd, ok := b.decl.(*lang.BlockDecl); ok && bd.Network {
				parts = append(parts, networkSummary(d.a, bd.Name)...)
			}
		}
	}
	if a.file != nil {
		if from, to, ok := statementAt(a.file, a.text, off); ok {
			parts = append(parts, s.produced(d, from, to)...)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return &Hover{Contents: MarkupContent{Kind: "markdown", Value: strings.Join(parts, "\n\n")}, Range: rng}
}

// nameAt resolves the name token t, toks[ti] (ti is -1 for a name in a
// string's interpolation): a named argument is the callee's parameter, a
// label names nothing, any other name is resolved in scope.
func (d *document) nameAt(t lang.Token, ti int) *binding {
	toks := d.a.toks
	if ti >= 0 && ti+1 < len(toks) && toks[ti+1].Text == ":" {
		cc := callContext(toks, t.Offset)
		if cc.callee != "" && ti > 0 && (toks[ti-1].Text == "(" || toks[ti-1].Text == ",") {
			return d.calleeParam(cc.callee, t.Text, t.Offset)
		}
		if isLabel(d.a.text, toks, ti) {
			return nil
		}
	}
	return d.resolve(t.Text, t.Offset)
}

// isLabel reports whether toks[ti], followed by ':', is a statement's
// label: it starts a statement (after a brace, a semicolon, a shortcut
// keyword or at the start of a line).
func isLabel(text string, toks []lang.Token, ti int) bool {
	if ti == 0 {
		return true
	}
	p := toks[ti-1]
	switch p.Text {
	case "{", "}", ";", "shortcut":
		return true
	}
	return strings.Contains(text[p.Offset:toks[ti].Offset], "\n")
}

func code(s string) string { return "```res\n" + s + "\n```" }

// describe renders what a name is bound to.
func describe(b *binding) string {
	switch {
	case b.decl != nil:
		if b.doc != "" {
			return code(signature(b.decl)) + "\n\n" + b.doc
		}
		return code(signature(b.decl))
	case b.param != nil:
		return code("(parameter) " + param(b.param))
	case b.let != nil:
		return code("let " + b.let.Name + " = " + lang.FormatExpr(b.let.Value))
	case b.loop != nil:
		over := lang.FormatExpr(b.loop.From)
		if b.loop.To != nil {
			over += ".." + lang.FormatExpr(b.loop.To)
		}
		return code("for " + b.loop.Var + " in " + over)
	case b.paths != nil:
		return code("paths " + lang.FormatExpr(b.paths.Count) + " as " + b.paths.Var)
	case b.bparam != nil:
		return code("(parameter of " + b.builtin.Name + ") " + builtinParam(*b.bparam))
	case b.builtin != nil:
		return builtinDoc(b.builtin)
	case b.input:
		return "the size of the block's input (`channels`, `height`, `width`)"
	}
	return ""
}

func builtinParam(p compiler.BuiltinParam) string {
	s := p.Name + ": " + p.Type
	if !p.Required {
		s += " = " + p.Default
	}
	return s
}

// networkSummary is a network's input, named outputs and size, when it
// elaborated.
func networkSummary(a *analysis, name string) []string {
	for _, g := range a.graphs {
		if g.Name != name {
			continue
		}
		var n, fixed int64
		for _, nd := range g.Nodes {
			for _, p := range nd.Params {
				n += p.Size()
				if !p.Trainable {
					fixed += p.Size()
				}
			}
		}
		var outs []string
		for _, o := range g.Outputs {
			outs = append(outs, fmt.Sprintf("`%s` `%v`", o.Name, o.Node.Shape))
		}
		in := "?"
		if g.Input != nil {
			in = "`" + g.Input.Shape.String() + "`"
		}
		return []string{fmt.Sprintf("input %s → output %s · %s parameters (%s non-trainable)",
			in, strings.Join(outs, ", "), thousands(n), thousands(fixed))}
	}
	return nil
}

// statementAt finds the statement under the cursor: the last one that
// starts on the cursor's line at or before it. Statements are one line
// but for their bodies, so this is the label, layer or block call the
// cursor is on, or the residual, gate or loop whose first line it is. A
// residual's shortcut clause counts as a statement of its own. It
// returns the source range whose nodes the statement produced (extent).
func statementAt(f *lang.File, text string, off int) (from, to int, ok bool) {
	line := strings.Count(text[:min(off, len(text))], "\n")
	best := -1
	consider := func(p, f, t int) {
		if p <= off && p > best && strings.Count(text[:p], "\n") == line {
			best, from, to, ok = p, f, t, true
		}
	}
	for _, dc := range f.Decls {
		bd, isBlock := dc.(*lang.BlockDecl)
		if !isBlock {
			continue
		}
		stmts(bd.Body, func(s lang.Stmt) {
			f, t := extent(s)
			consider(s.Pos().Offset, f, t)
			if r, isRes := s.(*lang.ResidualStmt); isRes && r.Shortcut != nil {
				// From the closing brace on: "} shortcut name: kind".
				f, t := shortcutExtent(r.Shortcut)
				consider(r.End.Offset, f, t)
			}
		})
	}
	return from, to, ok
}

// extent is the source range whose nodes a statement produces: a simple
// statement's own position, a compound one's text to its closing brace
// (and a residual's shortcut clause).
func extent(s lang.Stmt) (from, to int) {
	from = s.Pos().Offset
	to = from
	switch s := s.(type) {
	case *lang.ResidualStmt:
		to = s.End.Offset
		if s.Shortcut != nil {
			_, to = shortcutExtent(s.Shortcut)
		}
	case *lang.PreactStmt:
		to = s.End.Offset
	case *lang.GateStmt:
		to = s.End.Offset
	case *lang.PathsStmt:
		to = s.End.Offset
	case *lang.ForStmt:
		to = s.End.Offset
	case *lang.IfStmt:
		to = max(s.ThenEnd.Offset, s.ElseEnd.Offset)
		for e := s; e.ElseIf && len(e.Else) == 1; {
			next, ok := e.Else[0].(*lang.IfStmt)
			if !ok {
				break
			}
			to = max(to, next.ThenEnd.Offset, next.ElseEnd.Offset)
			e = next
		}
	}
	return from, to
}

// shortcutExtent is the range of a shortcut clause's nodes: its own
// position for a kind, its body for a custom one.
func shortcutExtent(sc *lang.Shortcut) (from, to int) {
	if sc.Body != nil {
		return sc.P.Offset, sc.End.Offset
	}
	return sc.P.Offset, sc.P.Offset
}

// An instance is one execution of a statement in a network: the nodes
// it added, contiguous in the graph.
type instance struct {
	what  string // the block call's frame, or the output node's name and op
	nodes []*ir.Node
}

// instances lists the executions of the statement spanning [from, to] of
// src in g. A node belongs to one when it was made there directly, or
// inside a block called from there (a chain frame there). Executions are
// told apart by the chain outside the statement (the block instance it
// ran in, a labelled call's scope) and by position in the graph: their
// nodes are contiguous.
func instances(g *ir.Graph, src *diag.Source, from, to int) []instance {
	in := func(p diag.Pos) bool { return p.Src == src && p.Offset >= from && p.Offset <= to }
	var out []instance
	var key string
	last := -2
	roles := map[ir.Role]bool{}
	for _, n := range g.Nodes {
		k, what := "", ""
		switch {
		case in(n.Pos):
			k = chainKey(n.Chain)
		default:
			i := -1
			for j, f := range n.Chain {
				if in(f.Pos) {
					i = j // the outermost frame in the statement: its call
				}
			}
			if i < 0 {
				continue
			}
			k, what = chainKey(n.Chain[i:]), n.Chain[i].What
		}
		// A new execution: a gap, another chain, or for a simple
		// statement a second weight of the same role (a loop of
		// unlabelled layers).
		repeat := false
		for _, p := range n.Params {
			repeat = repeat || roles[p.Role]
		}
		if n.ID != last+1 || k != key || from == to && what == "" && repeat {
			out = append(out, instance{what: what})
			key = k
			clear(roles)
		}
		for _, p := range n.Params {
			roles[p.Role] = true
		}
		cur := &out[len(out)-1]
		cur.nodes = append(cur.nodes, n)
		last = n.ID
	}
	for i := range out {
		if out[i].what == "" {
			o := out[i].nodes[len(out[i].nodes)-1]
			out[i].what = fmt.Sprintf("%s (%s)", o.Name, o.Op)
		}
	}
	return out
}

func chainKey(fs []diag.Frame) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s@%d|", f.What, f.Pos.Offset)
	}
	return b.String()
}

// maxInstances and maxWeights bound a hover's length.
const (
	maxNetworks  = 4
	maxInstances = 8
	maxWeights   = 12
)

// produced renders what the statement spanning [from, to] produced in
// the document's networks.
func (s *server) produced(d *document, from, to int) []string {
	var out []string
	more := 0
	for _, g := range d.a.graphs {
		insts := instances(g, d.a.file.Src, from, to)
		if len(insts) == 0 {
			continue
		}
		if len(out) == maxNetworks {
			more++
			continue
		}
		var b strings.Builder
		if len(d.a.graphs) > 1 {
			fmt.Fprintf(&b, "in network **%s**", g.Name)
			if len(insts) > 1 {
				fmt.Fprintf(&b, ", %d times", len(insts))
			}
			b.WriteString(":\n\n")
		} else if len(insts) > 1 {
			fmt.Fprintf(&b, "%d times:\n\n", len(insts))
		}
		for i, in := range insts {
			if i == maxInstances {
				fmt.Fprintf(&b, "- … and %d more\n", len(insts)-i)
				break
			}
			writeInstance(&b, in, i == 0)
		}
		out = append(out, strings.TrimRight(b.String(), "\n"))
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("… and in %d more networks", more))
	}
	return out
}

// writeInstance writes one execution: output shape and parameter count,
// and for the first its weights' names and shapes.
func writeInstance(b *strings.Builder, in instance, weights bool) {
	o := in.nodes[len(in.nodes)-1]
	var n, fixed int64
	var ps []*ir.Param
	for _, nd := range in.nodes {
		for _, p := range nd.Params {
			n += p.Size()
			if !p.Trainable {
				fixed += p.Size()
			}
			ps = append(ps, p)
		}
	}
	fmt.Fprintf(b, "- `%s` → `%v`", in.what, o.Shape)
	if n > 0 {
		fmt.Fprintf(b, " · %s parameters", thousands(n))
	}
	if fixed > 0 {
		fmt.Fprintf(b, " (%s non-trainable)", thousands(fixed))
	}
	b.WriteByte('\n')
	if !weights {
		return
	}
	for i, p := range ps {
		if i == maxWeights {
			fmt.Fprintf(b, "  - … and %d more weights\n", len(ps)-i)
			break
		}
		fmt.Fprintf(b, "  - `%s` %v\n", p.Name, ir.Shape(p.Shape))
	}
}

// thousands writes n with comma separators, as resc summary does.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
