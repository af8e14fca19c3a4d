package compiler

import (
	"fmt"
	"strings"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/lang"
)

// resolve checks names statically, in code that elaboration might never
// reach (a block no network uses, the untaken side of an if): every
// identifier must be bound, every type known, and every named argument of
// a direct call to a known block or builtin must exist.
func (p *Program) resolve(f *lang.File, errs *diag.List) {
	r := &resolver{p: p, errs: errs}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *lang.ConstDecl:
			r.expr(d.Value, r.global())
		case *lang.FnDecl:
			sc := r.params(d.Params, r.global())
			r.expr(d.Body, sc)
		case *lang.BlockDecl:
			if d.Alias != nil {
				r.expr(d.Alias, r.global())
				continue
			}
			// A block sees its input's shape, in defaults too.
			outer := r.global().child()
			for _, n := range []string{"channels", "height", "width"} {
				outer.names[n] = true
			}
			sc := r.params(d.Params, outer)
			r.stmts(d.Body, sc)
		}
	}
}

type resolver struct {
	p    *Program
	errs *diag.List
}

type rscope struct {
	names  map[string]bool
	parent *rscope
}

func (s *rscope) has(n string) bool {
	for ; s != nil; s = s.parent {
		if s.names[n] {
			return true
		}
	}
	return false
}

func (s *rscope) all() []string {
	var out []string
	for ; s != nil; s = s.parent {
		for n := range s.names {
			out = append(out, n)
		}
	}
	return out
}

func (s *rscope) child() *rscope { return &rscope{names: map[string]bool{}, parent: s} }

func (r *resolver) global() *rscope {
	sc := &rscope{names: map[string]bool{}}
	for n := range builtinEnv.vars {
		sc.names[n] = true
	}
	for n := range r.p.globals {
		sc.names[n] = true
	}
	return sc
}

func (r *resolver) params(ps []*lang.Param, outer *rscope) *rscope {
	sc := outer.child()
	for _, q := range ps {
		r.typ(q.Type)
		if q.Default != nil {
			r.expr(q.Default, sc)
		}
		if sc.names[q.Name] {
			r.errs.Add(q.P, nil, "parameter %s declared twice", q.Name)
		}
		r.notKeyword(q.P, q.Name)
		sc.names[q.Name] = true
	}
	return sc
}

func (r *resolver) notKeyword(pos diag.Pos, name string) {
	if lang.Keywords[name] {
		r.errs.Add(pos, nil, "%s is a keyword and cannot name a parameter or binding", name)
	}
}

func (r *resolver) typ(t *lang.Type) {
	if t.Name == "list" {
		if t.Elem == nil {
			r.errs.Add(t.P, nil, "list needs an element type, e.g. list[int]")
			return
		}
		r.typ(t.Elem)
		return
	}
	for _, v := range validTypes {
		if t.Name == v && t.Elem == nil {
			return
		}
	}
	msg := fmt.Sprintf("unknown type %s (types: %s)", t, strings.Join(validTypes, ", "))
	if s := diag.Suggest(t.Name, validTypes); s != "" {
		msg = fmt.Sprintf("unknown type %s (did you mean %s?)", t, s)
	}
	r.errs.Add(t.P, nil, "%s", msg)
}

func (r *resolver) label(l *lang.Label, sc *rscope) {
	if l != nil {
		r.expr(l.Value, sc)
	}
}

func (r *resolver) stmts(body []lang.Stmt, sc *rscope) {
	for _, s := range body {
		switch s := s.(type) {
		case *lang.LetStmt:
			r.expr(s.Value, sc)
			r.notKeyword(s.P, s.Name)
			sc.names[s.Name] = true
		case *lang.AssertStmt:
			r.expr(s.Cond, sc)
			if s.Message != nil {
				r.expr(s.Message, sc)
			}
		case *lang.InputStmt:
			for _, a := range s.Args {
				r.expr(a.Value, sc)
			}
		case *lang.ApplyStmt:
			r.label(s.Label, sc)
			r.expr(s.Layer, sc)
		case *lang.AssignStmt:
			r.expr(s.Value, sc)
			if !sc.has(s.Name) {
				r.errs.Add(s.P, nil, "%s (declare it with let %s = ... before assigning to it)", unknownName(s.Name, sc.all()), s.Name)
			}
		case *lang.OutputStmt:
			r.label(s.Name, sc)
		case *lang.ResidualStmt:
			r.label(s.Label, sc)
			r.stmts(s.Body, sc.child())
			if s.Shortcut != nil {
				r.label(s.Shortcut.Label, sc)
				if s.Shortcut.Body != nil {
					r.stmts(s.Shortcut.Body, sc.child())
				} else {
					r.expr(s.Shortcut.Kind, sc)
				}
			}
		case *lang.PreactStmt:
			r.label(s.Label, sc)
			r.stmts(s.Body, sc.child())
		case *lang.GateStmt:
			r.label(s.Label, sc)
			r.stmts(s.Body, sc.child())
		case *lang.PathsStmt:
			r.label(s.Label, sc)
			r.expr(s.Count, sc)
			c := sc.child()
			if s.Var != "" {
				r.notKeyword(s.P, s.Var)
				c.names[s.Var] = true
			}
			r.stmts(s.Body, c)
		case *lang.ForStmt:
			r.expr(s.From, sc)
			if s.To != nil {
				r.expr(s.To, sc)
			}
			c := sc.child()
			c.names[s.Var] = true
			r.shadowedLets(s.Body, c)
			r.stmts(s.Body, c)
		case *lang.IfStmt:
			r.expr(s.Cond, sc)
			r.stmts(s.Then, sc.child())
			r.stmts(s.Else, sc.child())
		}
	}
}

func (r *resolver) expr(e lang.Expr, sc *rscope) {
	switch e := e.(type) {
	case *lang.Ident:
		if lang.Keywords[e.Name] {
			r.errs.Add(e.P, nil, "%s is a keyword and cannot be used as a value", e.Name)
		} else if !sc.has(e.Name) {
			r.errs.Add(e.P, nil, "%s", unknownName(e.Name, sc.all()))
		}
	case *lang.StringLit:
		for _, part := range e.Parts {
			if part.Expr != nil {
				r.expr(part.Expr, sc)
			}
		}
	case *lang.ListLit:
		for _, x := range e.Elems {
			r.expr(x, sc)
		}
	case *lang.UnaryExpr:
		r.expr(e.X, sc)
	case *lang.BinaryExpr:
		r.expr(e.X, sc)
		r.expr(e.Y, sc)
	case *lang.CondExpr:
		r.expr(e.Cond, sc)
		r.expr(e.Then, sc)
		r.expr(e.Else, sc)
	case *lang.IndexExpr:
		r.expr(e.X, sc)
		r.expr(e.Index, sc)
	case *lang.SliceExpr:
		r.expr(e.X, sc)
		for _, b := range []lang.Expr{e.Lo, e.Hi} {
			if b != nil {
				r.expr(b, sc)
			}
		}
	case *lang.CallExpr:
		r.expr(e.Fn, sc)
		for _, a := range e.Args {
			r.expr(a.Value, sc)
		}
		r.namedArgs(e, sc)
	}
}

// namedArgs checks the argument names of a call whose callee is a global
// block or builtin known statically (not shadowed by a local).
func (r *resolver) namedArgs(e *lang.CallExpr, sc *rscope) {
	id, ok := e.Fn.(*lang.Ident)
	if !ok {
		return
	}
	for s := sc; s != nil && s.parent != nil; s = s.parent {
		if s.names[id.Name] {
			return // a parameter or local shadows the global
		}
	}
	var specs []paramSpec
	callee := id.Name
	if d, ok := r.p.globals[id.Name].(*lang.BlockDecl); ok && d.Alias == nil {
		specs = blockParams(d)
	} else if b, ok := builtinLayers[id.Name]; ok {
		specs = b.params
	} else if sp, ok := shortcutParams[id.Name]; ok {
		specs = sp
	} else {
		return
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	for _, a := range e.Args {
		if a.Name == "" {
			continue
		}
		found := false
		for _, n := range names {
			found = found || n == a.Name
		}
		if !found {
			msg := fmt.Sprintf("%s has no parameter %s", callee, a.Name)
			if s := diag.Suggest(a.Name, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			r.errs.Add(a.P, nil, "%s", msg)
		}
	}
}

// CheckNames resolves the names of the program's own (non-stdlib) files.
func (p *Program) CheckNames() error {
	var errs diag.List
	for _, f := range p.Files {
		if !strings.HasPrefix(f.Src.Name, StdlibPrefix) {
			p.resolve(f, &errs)
		}
	}
	return errs.Err()
}

// Check resolves the program's own files and elaborates every network of
// the root file with its default arguments, returning every error found
// (sorted, deduplicated, capped) or nil.
func (p *Program) Check() error {
	var errs diag.List
	for _, f := range p.Files {
		if !strings.HasPrefix(f.Src.Name, StdlibPrefix) {
			p.resolve(f, &errs)
		}
	}
	for _, n := range p.Networks() {
		if _, err := p.Build(n.Name, nil); err != nil {
			if l, ok := err.(diag.List); ok {
				errs = append(errs, l...)
			} else {
				return err
			}
		}
	}
	return errs.Err()
}

// shadowedLets warns of a let in a loop body that declares a name the
// loop can already see and that nothing after it reads: the user meant to
// update the outer name, which `let` does not do.
func (r *resolver) shadowedLets(body []lang.Stmt, sc *rscope) {
	for i, s := range body {
		let, ok := s.(*lang.LetStmt)
		if !ok || !sc.has(let.Name) {
			continue
		}
		read := false
		for _, later := range body[i+1:] {
			lang.Inspect(later, func(n lang.Node) bool {
				if id, ok := n.(*lang.Ident); ok && id.Name == let.Name {
					read = true
				}
				return !read
			})
		}
		if !read {
			r.p.warnf(let.P, nil, "let %s declares a new %s for one iteration of the loop, and nothing reads it: to update the outer %s, write %s = ...", let.Name, let.Name, let.Name, let.Name)
		}
	}
}
