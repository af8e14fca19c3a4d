package compiler

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/lang"
)

// elab elaborates one network into a graph. Tensors are *ir.Node; nil
// stands for a tensor whose computation already failed, which later
// statements pass through silently.
type elab struct {
	evaluator
	g          *ir.Graph
	style      *namingStyle
	usedNames  map[string]bool // node names given out
	nameCount  map[string]int  // last suffix used for a name
	layerNames map[string]diag.Pos
	// weightNames are the weights' names given out, with their layer's
	// position (onnxnames.go).
	weightNames map[string]diag.Pos
	inputSeen   bool // an input statement ran, even if it failed
	// outputs are the tensors output statements named, in order.
	outputs []namedOutput
	tooBig  bool // maxNodes was exceeded and said so
	limits  Limits
	params  int64 // parameters so far, for limits.Params
	// tooManyParams: limits.Params was exceeded and said so.
	tooManyParams bool

	// outputMark is where the outputs of the block body being elaborated
	// begin: take_outputs() takes those (take_outputs.go).
	outputMark int
}

// maxNodes bounds a graph's size; cifar_resnet1202, the largest stdlib
// model, has 4,209 nodes.
const maxNodes = 200_000

// maxPaths bounds a paths statement's count: the widest ResNeXt has 64
// paths, and each path is a copy of the body.
const maxPaths = 4096

// A frame is where statements run: their bindings and label scope.
type frame struct {
	env   *env
	scope []string
}

func (f frame) child() frame { return frame{env: newEnv(f.env), scope: f.scope} }

func (f frame) sub(label string) frame {
	if label == "" {
		return f
	}
	s := make([]string, len(f.scope), len(f.scope)+1)
	copy(s, f.scope)
	return frame{env: f.env, scope: append(s, label)}
}

// Build elaborates network name with argument overrides (name → source
// text of a value, as given on the command line) into a verified graph.
func (p *Program) Build(name string, args map[string]string) (*ir.Graph, error) {
	net, err := p.Network(name)
	if err != nil {
		return nil, err
	}
	var errs diag.List
	e := &elab{
		evaluator:   evaluator{prog: p, errs: &errs},
		g:           &ir.Graph{Name: net.Name},
		style:       namingStyles["torch"],
		usedNames:   map[string]bool{},
		nameCount:   map[string]int{},
		layerNames:  map[string]diag.Pos{},
		weightNames: map[string]diag.Pos{},
		limits:      p.Limits.orDefault(),
	}
	e.chain = []diag.Frame{{What: "network " + net.Name, Pos: net.P}}
	e.ts.el = e
	root := p.rootLayer(&e.evaluator, net)
	if root == nil {
		l, _ := errs.Normalize()
		return nil, l
	}
	bound := map[string]Value{}
	for k, v := range root.Bound {
		bound[k] = v
	}
	if len(args) > 0 {
		// A network's bound arguments are its defaults: --set may change them.
		specs := root.Params
		keys := make([]string, 0, len(args))
		for k := range args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, err := parseArg(net, specs, k, args[k])
			if err != nil {
				return nil, err
			}
			bound[k] = v
		}
	}
	local := newEnv(root.Env)
	e.fillDefaults(net.Name, root.Params, bound, local, local, net.P)
	out := e.stmts(frame{env: local}, root.Block.Body, nil)
	if out == nil && len(errs) == 0 {
		if !e.inputSeen {
			errs.Add(net.P, e.chain, "network %s declares no input: start it with input(channels, height, width)", net.Name)
		} else {
			errs.Add(net.End, e.chain, "network %s produces no tensor", net.Name)
		}
	}
	if e.tooMany {
		// At the network, so that it sorts before the errors it cut short.
		errs.Add(net.P, nil, "more than %d errors: elaboration of %s stopped", maxReported, net.Name)
	}
	if len(errs) == 0 {
		e.setOutputs(out, net)
		e.checkMemory()
	}
	if len(errs) > 0 {
		l, _ := errs.Normalize()
		return nil, l
	}
	e.g.Naming = e.style.name
	if err := e.g.Verify(); err != nil {
		return nil, fmt.Errorf("internal error: the graph of %s fails verification: %v", net.Name, err)
	}
	return e.g, nil
}

// rootLayer is the block a network elaborates: the network itself, or for
// `network NAME = EXPR` the block instance EXPR evaluates to.
func (p *Program) rootLayer(ev *evaluator, net *lang.BlockDecl) *Layer {
	if net.Alias == nil {
		return &Layer{Name: net.Name, Block: net, Params: blockParams(net), Env: p.genv}
	}
	v := ev.eval(net.Alias, p.genv)
	l, ok := v.(*Layer)
	if !ok || l.Block == nil {
		if !isPoison(v) {
			what := typeName(v) + " " + show(v)
			if ok {
				what = "the builtin layer " + l.Name
			}
			ev.errorf(net.Alias.Pos(), "network %s must be an instance of a block, such as resnet(bottleneck, [3, 4, 6, 3]); got %s", net.Name, what)
		}
		return nil
	}
	return l
}

// A NetworkParam describes a parameter a user may set on a network.
type NetworkParam struct {
	Name, Type, Default string
}

// NetworkParams lists the parameters of network name that --set can change
// (those of type int, float, bool or string, and lists of the first three), with their values: the
// argument the network binds, else the default as written in the source.
func (p *Program) NetworkParams(name string) ([]NetworkParam, error) {
	net, err := p.Network(name)
	if err != nil {
		return nil, err
	}
	var errs diag.List
	ev := &evaluator{prog: p, errs: &errs}
	root := p.rootLayer(ev, net)
	if root == nil {
		return nil, errs
	}
	var out []NetworkParam
	for _, s := range root.Params {
		if !settableType(s.Type) {
			continue
		}
		d := "(required)"
		if v, ok := root.Bound[s.Name]; ok {
			d = show(v)
		} else if s.Default != nil {
			d = lang.FormatExpr(s.Default)
		}
		out = append(out, NetworkParam{Name: s.Name, Type: s.Type, Default: d})
	}
	return out, nil
}

// parseArg reads a command-line override "name=value" for a network parameter.
func parseArg(net *lang.BlockDecl, specs []paramSpec, name, text string) (Value, error) {
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
		if s.Name != name {
			continue
		}
		var v Value
		switch {
		case s.Type == "int":
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return nil, argErrorf("--set %s=%s: %s of %s is an int", name, text, name, net.Name)
			}
			v = n
		case s.Type == "float":
			f, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return nil, argErrorf("--set %s=%s: %s of %s is a float", name, text, name, net.Name)
			}
			v = f
		case s.Type == "bool":
			b, err := strconv.ParseBool(text)
			if err != nil {
				return nil, argErrorf("--set %s=%s: %s of %s is a bool (true or false)", name, text, name, net.Name)
			}
			v = b
		case s.Type == "string":
			v = text
		default:
			l, ok, err := parseListArg(net.Name, name, s.Type, text)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, argErrorf("--set %s: parameters of type %s cannot be set from the command line", name, s.Type)
			}
			v = l
		}
		return v, nil
	}
	msg := fmt.Sprintf("--set %s: network %s has no parameter %s", name, net.Name, name)
	if s := diag.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return nil, &ArgError{msg}
}

// An ArgError is a bad --set argument: a mistake on the command line, not
// in the source.
type ArgError struct{ Msg string }

func (e *ArgError) Error() string { return e.Msg }

func argErrorf(format string, args ...any) error { return &ArgError{fmt.Sprintf(format, args...)} }

func (e *elab) stmts(f frame, body []lang.Stmt, x *ir.Node) *ir.Node {
	for _, s := range body {
		x = e.stmt(f, s, x)
	}
	return x
}

func (e *elab) label(f frame, l *lang.Label) string {
	if l == nil {
		return ""
	}
	v := e.eval(l.Value, f.env)
	s, ok := v.(string)
	if !ok {
		return ""
	}
	if s == "" || strings.ContainsAny(s, " \t\n/") {
		e.errorf(l.P, "label %q must be non-empty, without spaces or slashes", s)
		return ""
	}
	return s
}

// needInput reports a tensor statement before the network's input.
func (e *elab) needInput(pos diag.Pos) {
	if !e.inputSeen {
		e.errorf(pos, "no input yet: a network starts with input(channels, height, width)")
	}
}

func (e *elab) stmt(f frame, s lang.Stmt, x *ir.Node) *ir.Node {
	if e.tick(s.Pos()) {
		return nil
	}
	if len(e.g.Nodes) > maxNodes {
		if !e.tooBig {
			e.errorf(s.Pos(), "the network has more than %d nodes", maxNodes)
			e.tooBig = true
		}
		return nil
	}
	// Expressions in the statement see its current tensor and scope.
	saved := e.ts
	e.ts.cur, e.ts.scope = x, f.scope
	defer func() { e.ts = saved }()
	switch s := s.(type) {
	case *lang.LetStmt:
		f.env.vars[s.Name] = e.eval(s.Value, f.env)
	case *lang.AssignStmt:
		e.assign(f, s)
	case *lang.OutputStmt:
		e.output(f, s, x)
	case *lang.NamingStmt:
		st, ok := namingStyles[s.Style]
		switch {
		case !ok:
			msg := fmt.Sprintf("unknown naming style %s (want torch or keras)", s.Style)
			e.errorf(s.P, "%s", msg)
		case len(e.g.Nodes) > 0:
			e.errorf(s.P, "naming must come before the network's first layer")
		default:
			e.style = st
		}
	case *lang.InputStmt:
		return e.input(f, s, x)
	case *lang.ApplyStmt:
		return e.apply(f, s, x)
	case *lang.AssertStmt:
		c := e.eval(s.Cond, f.env)
		b, ok := c.(bool)
		switch {
		case isPoison(c):
		case !ok:
			e.errorf(s.Cond.Pos(), "assert needs a bool condition, got %s %s", typeName(c), show(c))
		case !b:
			msg := "assertion failed"
			if s.Message != nil {
				if m, ok := e.eval(s.Message, f.env).(string); ok {
					msg = m
				}
			}
			e.errorf(s.P, "%s", msg)
		}
	case *lang.ResidualStmt:
		return e.residual(f, s, x)
	case *lang.PreactStmt:
		e.errorf(s.P, "preact must be the first statement of a residual body")
	case *lang.GateStmt:
		return e.gate(f, s, x)
	case *lang.PathsStmt:
		return e.paths(f, s, x)
	case *lang.ForStmt:
		if s.To == nil {
			return e.forList(f, s, x)
		}
		from, to := e.eval(s.From, f.env), e.eval(s.To, f.env)
		a, ok1 := from.(int64)
		b, ok2 := to.(int64)
		if !ok1 || !ok2 {
			if !isPoison(from, to) {
				e.errorf(s.P, "for needs an int range, got %s..%s", show(from), show(to))
			}
			return nil
		}
		for i := a; i < b; i++ {
			if e.tick(s.P) {
				return nil
			}
			c := f.child()
			c.env.vars[s.Var] = i
			x = e.stmts(c, s.Body, x)
		}
	case *lang.IfStmt:
		c := e.eval(s.Cond, f.env)
		b, ok := c.(bool)
		if !ok {
			if !isPoison(c) {
				e.errorf(s.Cond.Pos(), "condition must be a bool, got %s %s", typeName(c), show(c))
			}
			return x
		}
		if b {
			return e.stmts(f.child(), s.Then, x)
		}
		return e.stmts(f.child(), s.Else, x)
	}
	return x
}

func (e *elab) input(f frame, s *lang.InputStmt, x *ir.Node) *ir.Node {
	if e.inputSeen {
		e.errorf(s.P, "a network has one input")
		return x
	}
	e.inputSeen = true
	specs := []paramSpec{req("channels", "int"), req("height", "int"), req("width", "int")}
	bound, ok := e.bindArgs("input", specs, nil, s.Args, f.env, s.P)
	local := newEnv(nil)
	if !ok || !e.fillDefaults("input", specs, bound, local, nil, s.P) {
		return nil
	}
	shape := ir.Shape{ir.Batch, 0, 0, 0}
	for i, n := range []string{"channels", "height", "width"} {
		v := int(local.vars[n].(int64))
		if v <= 0 || v > ir.MaxDim {
			e.errorf(s.P, "input %s must be positive and at most %d, got %d", n, ir.MaxDim, v)
			return nil
		}
		shape[i+1] = v
	}
	// As in a block, the statements that follow see the input's shape. A
	// parameter or let of the network with one of those names and another
	// value would be silently replaced here, so that is an error.
	for i, n := range []string{"channels", "height", "width"} {
		if old, ok := f.env.vars[n]; ok && old != any(int64(shape[i+1])) {
			e.errorf(s.P, "input(...) makes %s the input's %d, hiding the network's own %s (%s) from the statements after it; rename that parameter or let", n, shape[i+1], n, show(old))
			return nil
		}
		f.env.vars[n] = int64(shape[i+1])
	}
	return e.node(ir.OpInput, nil, "input", nil, ir.Attrs{}, nil, s.P, shape)
}

// freshName returns name, or name_1, name_2, ... if it is taken.
func (e *elab) freshName(name string) string {
	if !e.usedNames[name] {
		return name
	}
	for i := e.nameCount[name] + 1; ; i++ {
		if c := fmt.Sprintf("%s_%d", name, i); !e.usedNames[c] {
			e.nameCount[name] = i
			return c
		}
	}
}

// node adds a node named after name (made unique) in label scope, reporting shape errors at pos.
func (e *elab) node(op ir.Op, scope []string, name string, in []*ir.Node, a ir.Attrs, params []*ir.Param, pos diag.Pos, shape ...ir.Shape) *ir.Node {
	for _, x := range in {
		if x == nil {
			return nil
		}
	}
	if len(params) > 0 {
		if prev, dup := e.layerNames[name]; dup {
			e.errorf(pos, "layer name %s is used twice (first at %s); give the layers different labels", name, prev)
			return nil
		}
		e.layerNames[name] = pos
	}
	unique := name
	if len(params) == 0 {
		unique = e.freshName(name)
	} else if e.usedNames[name] {
		e.errorf(pos, "layer name %s is already taken by another node; give this layer a different label", name)
		return nil
	}
	if !e.claimWeights(unique, params, pos) {
		return nil
	}
	e.usedNames[unique] = true
	// Nodes share the chain: e.chain is only ever replaced (a new frame
	// is prepended into a new slice, popping reslices), never written in
	// place, so a copy per node would only cost memory, 400 MB for a
	// 200,000-node graph built 60 blocks deep.
	n := &ir.Node{Op: op, Name: unique, Inputs: in, Attrs: a, Params: params, Pos: pos, Chain: e.chain, Scope: scope}
	if len(shape) > 0 {
		n.Shape = shape[0]
	}
	if _, err := e.g.Add(n); err != nil {
		var big *ir.TooLargeError
		if errors.As(err, &big) {
			e.tensorTooLarge(big.Shape, pos)
		} else {
			e.errorf(pos, "%v", err)
		}
		return nil
	}
	if !e.checkNode(n, pos) {
		return nil
	}
	return n
}

func (e *elab) apply(f frame, s *lang.ApplyStmt, x *ir.Node) *ir.Node {
	v := e.eval(s.Layer, f.env)
	if t, ok := v.(*ir.Node); ok {
		if s.Label != nil {
			e.errorf(s.Label.P, "a label names a layer; this statement makes tensor %s the current tensor", t.Name)
		}
		return t
	}
	label := e.label(f, s.Label)
	l, ok := v.(*Layer)
	if !ok {
		if !isPoison(v) {
			e.errorf(s.Layer.Pos(), "%s %s is not a layer or block; a statement applies one to the current tensor", typeName(v), show(v))
		}
		return nil
	}
	if x == nil && !(l.Block != nil && !e.inputSeen) {
		e.needInput(s.P)
		return nil
	}
	// Before the input, a block may start the network: a family such as
	// resnet(...), whose body begins with input, applied as a backbone.
	return e.applyLayer(f, l, label, s.P, x)
}

func (e *elab) applyLayer(f frame, l *Layer, label string, pos diag.Pos, x *ir.Node) *ir.Node {
	if l.Builtin != nil {
		if l.Builtin.name == "fc" && x.Op == ir.OpGemm {
			e.prog.warnf(pos, e.chain, "fc follows the fully connected layer %s: it classifies the first one's outputs; for two heads, name each with an output statement", x.Name)
		}
		args := newEnv(nil)
		if !e.fillDefaults(l.Name, l.Params, l.Bound, args, nil, pos) {
			return nil
		}
		name := e.style.join(f.scope, label)
		if label == "" {
			// An unlabeled layer gets a fresh name; its weights are named after it.
			name = e.freshName(e.style.join(f.scope, l.Builtin.name))
		}
		lw := &lowering{e: e, b: l.Builtin, scope: f.scope, name: name, args: args.vars, given: l.Bound, x: x, pos: pos}
		before := len(e.g.Nodes)
		l.Builtin.lower(lw)
		if len(e.g.Nodes) == before {
			return nil
		}
		return e.g.Nodes[len(e.g.Nodes)-1]
	}
	if len(e.chain) >= maxDepth {
		e.errorf(pos, "blocks nested deeper than %d (does %s instantiate itself?)", maxDepth, l.Name)
		return nil
	}
	inner := f.sub(label)
	what := "block " + l.Name
	if len(inner.scope) > 0 {
		what += fmt.Sprintf(" %q", e.style.join(inner.scope, ""))
	}
	e.chain = append([]diag.Frame{{What: what, Pos: pos}}, e.chain...)
	savedMark := e.outputMark
	e.outputMark = len(e.outputs)
	defer func() { e.chain, e.outputMark = e.chain[1:], savedMark }()
	local := newEnv(l.Env)
	if x != nil && len(x.Shape) == 4 {
		local.vars["channels"] = int64(x.Shape[1])
		local.vars["height"] = int64(x.Shape[2])
		local.vars["width"] = int64(x.Shape[3])
	}
	if !e.fillDefaults(l.Name, l.Params, l.Bound, local, local, pos) {
		return nil
	}
	return e.stmts(frame{env: local, scope: inner.scope}, l.Block.Body, x)
}

func (e *elab) residual(f frame, s *lang.ResidualStmt, x *ir.Node) *ir.Node {
	if x == nil {
		e.needInput(s.P)
		return nil
	}
	rf := f.sub(e.label(f, s.Label))
	body, pre := s.Body, x
	if len(body) > 0 {
		if p, ok := body[0].(*lang.PreactStmt); ok {
			pre = e.stmts(rf.sub(e.label(rf, p.Label)).child(), p.Body, x)
			body = body[1:]
		}
	}
	out := e.stmts(rf.child(), body, pre)
	var kind *ShortcutKind
	scLabel := ""
	scPos := s.P
	if s.Shortcut != nil && s.Shortcut.Body != nil {
		return e.customShortcut(rf, s, x, out)
	}
	if s.Shortcut == nil {
		kind = &ShortcutKind{Kind: "auto", Inner: &ShortcutKind{Kind: "projection"}}
	} else {
		scPos = s.Shortcut.P
		scLabel = e.label(rf, s.Shortcut.Label)
		v := e.eval(s.Shortcut.Kind, rf.env)
		k, ok := v.(*ShortcutKind)
		if !ok {
			if !isPoison(v) {
				e.errorf(s.Shortcut.Kind.Pos(), "%s %s is not a shortcut kind (identity, projection(), avg_projection(), pad_shortcut, pool_shortcut or auto(...))", typeName(v), show(v))
			}
			return nil
		}
		kind = k
	}
	if out == nil || pre == nil {
		return nil
	}
	sc := e.shortcut(rf, kind, scLabel, scPos, x, pre, out)
	if sc == nil {
		return nil
	}
	if !sc.Shape.Equal(out.Shape) {
		e.errorf(s.P, "shape mismatch at the residual merge: the branch gives %v, the %s shortcut gives %v", out.Shape, kind.Kind, sc.Shape)
		return nil
	}
	return e.node(ir.OpAdd, rf.scope, e.style.join(rf.scope, "add"), []*ir.Node{out, sc}, ir.Attrs{}, nil, s.P)
}

func (e *elab) gate(f frame, s *lang.GateStmt, x *ir.Node) *ir.Node {
	if x == nil {
		e.needInput(s.P)
		return nil
	}
	gf := f.sub(e.label(f, s.Label))
	g := e.stmts(gf.child(), s.Body, x)
	if g == nil {
		return nil
	}
	return e.node(ir.OpMul, gf.scope, e.style.join(gf.scope, "scale"), []*ir.Node{x, g}, ir.Attrs{}, nil, s.P)
}

func (e *elab) paths(f frame, s *lang.PathsStmt, x *ir.Node) *ir.Node {
	if x == nil {
		e.needInput(s.P)
		return nil
	}
	v := e.eval(s.Count, f.env)
	n, ok := v.(int64)
	if !ok || n < 1 {
		if !isPoison(v) {
			e.errorf(s.Count.Pos(), "paths needs a positive int count, got %s %s", typeName(v), show(v))
		}
		return nil
	}
	if n > maxPaths {
		e.errorf(s.Count.Pos(), "paths count %d is more than %d", n, maxPaths)
		return nil
	}
	pf := f.sub(e.label(f, s.Label))
	var outs []*ir.Node
	for i := int64(0); i < n; i++ {
		if e.tick(s.P) {
			return nil
		}
		c := pf.sub(strconv.FormatInt(i, 10)).child()
		if s.Var != "" {
			c.env.vars[s.Var] = i
		}
		out := e.stmts(c, s.Body, x)
		if out == nil {
			return nil
		}
		outs = append(outs, out)
	}
	if n == 1 {
		return outs[0]
	}
	for _, o := range outs[1:] {
		if !o.Shape.Equal(outs[0].Shape) {
			e.errorf(s.P, "paths give different shapes %v and %v", outs[0].Shape, o.Shape)
			return nil
		}
	}
	return e.node(ir.OpAdd, pf.scope, e.style.join(pf.scope, "sum"), outs, ir.Attrs{}, nil, s.P)
}

// customShortcut merges a residual whose shortcut is a body of statements,
// run on the residual's raw input in the shortcut's scope.
func (e *elab) customShortcut(rf frame, s *lang.ResidualStmt, x, out *ir.Node) *ir.Node {
	sf := rf.sub(e.label(rf, s.Shortcut.Label)).child()
	sc := e.stmts(sf, s.Shortcut.Body, x)
	if out == nil || sc == nil {
		return nil
	}
	if !sc.Shape.Equal(out.Shape) {
		e.errorf(s.P, "shape mismatch at the residual merge: the branch gives %v, the shortcut body gives %v", out.Shape, sc.Shape)
		return nil
	}
	return e.node(ir.OpAdd, rf.scope, e.style.join(rf.scope, "add"), []*ir.Node{out, sc}, ir.Attrs{}, nil, s.P)
}

// forList runs a for statement's body once per element of a list.
func (e *elab) forList(f frame, s *lang.ForStmt, x *ir.Node) *ir.Node {
	v := e.eval(s.From, f.env)
	l, ok := v.([]Value)
	if !ok {
		if !isPoison(v) {
			e.errorf(s.From.Pos(), "for needs a range FROM..TO or a list, got %s %s", typeName(v), show(v))
		}
		return nil
	}
	for _, el := range l {
		if e.tick(s.P) {
			return nil
		}
		c := f.child()
		c.env.vars[s.Var] = el
		x = e.stmts(c, s.Body, x)
	}
	return x
}

// assign gives a name bound in the enclosing block body a new value. The
// global scope (constants, blocks, builtins) is not assignable: a block
// applied twice must build the same thing.
func (e *elab) assign(f frame, s *lang.AssignStmt) {
	v := e.eval(s.Value, f.env)
	for en := f.env; en != nil; en = en.parent {
		if en == e.prog.genv || en == builtinEnv {
			break
		}
		if _, ok := en.vars[s.Name]; ok {
			en.vars[s.Name] = v
			return
		}
	}
	if _, ok := f.env.lookup(s.Name); ok {
		e.errorf(s.P, "cannot assign to %s: it is declared outside this block; declare a local copy with let %s = %s", s.Name, s.Name, s.Name)
		return
	}
	e.errorf(s.P, "undefined: %s (declare it with let %s = ... before assigning to it)", s.Name, s.Name)
}

// A namedOutput is a tensor an output statement named.
type namedOutput struct {
	name string
	node *ir.Node
	pos  diag.Pos
}

// output records the current tensor as a network output.
func (e *elab) output(f frame, s *lang.OutputStmt, x *ir.Node) {
	name := e.label(f, s.Name)
	if name == "" {
		return
	}
	if x == nil {
		e.needInput(s.P)
		return
	}
	for _, o := range e.outputs {
		if o.name == name {
			e.errorf(s.P, "output %s is named twice (first at %s)", name, o.pos)
			return
		}
	}
	e.outputs = append(e.outputs, namedOutput{name: name, node: x, pos: s.P})
}
