package compiler

import (
	"fmt"
	"math"
	"strings"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/lang"
)

// An evaluator computes expression values, reporting errors into errs with
// the current instantiation chain.
type evaluator struct {
	prog  *Program
	errs  *diag.List
	chain []diag.Frame
	depth int
	steps int // expressions evaluated and statements run so far
	// reported holds each error reported, by position and message: a
	// loop that fails the same way a million times records it once.
	reported map[errorKey]bool
	// tooMany: maxReported distinct errors were reached and elaboration stops.
	tooMany bool
	// ts is where tensor expressions build nodes (tensors.go).
	ts tensorScope
}

type errorKey struct {
	pos diag.Pos
	msg string
}

// maxReported bounds the distinct errors one elaboration records; only
// diag.MaxErrors are shown, and a runaway loop could make millions.
const maxReported = 1000

// maxDepth bounds fn recursion and block nesting.
const maxDepth = 64

// maxSteps bounds the work of one elaboration, so that a runaway loop or
// recursion is an error rather than a hang. The largest stdlib model,
// cifar_resnet1202, takes about 30,000.
const maxSteps = 2_000_000

// maxString bounds a string's length: a recursive fn that doubles a string
// would otherwise reach gigabytes in 40 steps. Strings are labels and
// messages; the longest in the standard library has 40 bytes.
const maxString = 64 << 10

// opPos0 is where a binary expression's operator is.
func opPos0(e *lang.BinaryExpr) diag.Pos {
	if e.OpPos.IsValid() {
		return e.OpPos
	}
	return e.P
}

// tick counts one step and reports whether the budget is exhausted (saying
// so once).
func (ev *evaluator) tick(pos diag.Pos) bool {
	ev.steps++
	limit := maxSteps
	if ev.prog != nil && ev.prog.Limits.steps > 0 {
		limit = ev.prog.Limits.steps
	}
	if ev.steps == limit {
		ev.errorf(pos, "elaboration takes more than %d steps: is there a runaway loop or recursion?", limit)
	}
	return ev.steps >= limit || ev.tooMany
}

func (ev *evaluator) errorf(pos diag.Pos, format string, args ...any) poison {
	if ev.tooMany {
		return poison{}
	}
	k := errorKey{pos, fmt.Sprintf(format, args...)}
	if ev.reported[k] {
		return poison{}
	}
	if ev.reported == nil {
		ev.reported = map[errorKey]bool{}
	}
	ev.reported[k] = true
	ev.errs.Add(pos, ev.chain, "%s", k.msg)
	if len(ev.reported) == maxReported {
		ev.tooMany = true // Build says so
	}
	return poison{}
}

// unknownName is the one message for an unresolved name, shared with the
// resolver so duplicates collapse.
func unknownName(name string, candidates []string) string {
	msg := "undefined: " + name
	if s := diag.Suggest(name, candidates); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return msg
}

func (ev *evaluator) lookup(id *lang.Ident, en *env) Value {
	v, ok := en.lookup(id.Name)
	if !ok {
		if lang.Keywords[id.Name] {
			return ev.errorf(id.P, "%s is a keyword and cannot be used as a value", id.Name)
		}
		return ev.errorf(id.P, "%s", unknownName(id.Name, en.names()))
	}
	switch t := v.(type) {
	case *constThunk:
		return ev.forceConst(t)
	case currentTensor:
		return ev.current(id.P)
	}
	return v
}

func (ev *evaluator) forceConst(t *constThunk) Value {
	if t.visiting {
		return ev.errorf(t.decl.P, "constant %s depends on itself", t.decl.Name)
	}
	t.visiting = true
	saved, savedTS := ev.chain, ev.ts
	ev.chain, ev.ts = nil, tensorScope{} // a constant is no tensor
	v := ev.eval(t.decl.Value, ev.prog.genv)
	ev.chain, ev.ts = saved, savedTS
	t.visiting = false
	ev.prog.genv.vars[t.decl.Name] = v
	return v
}

func (ev *evaluator) eval(e lang.Expr, en *env) Value {
	if ev.tick(e.Pos()) {
		return poison{}
	}
	switch e := e.(type) {
	case *lang.IntLit:
		return e.Value
	case *lang.FloatLit:
		return e.Value
	case *lang.BoolLit:
		return e.Value
	case *lang.StringLit:
		return ev.str(e, en)
	case *lang.Ident:
		return ev.lookup(e, en)
	case *lang.ListLit:
		out := make([]Value, len(e.Elems))
		for i, x := range e.Elems {
			out[i] = ev.eval(x, en)
		}
		return out
	case *lang.UnaryExpr:
		return ev.unary(e, ev.eval(e.X, en))
	case *lang.BinaryExpr:
		if e.Op == "and" || e.Op == "or" {
			return ev.logic(e, en)
		}
		return ev.binary(e, ev.eval(e.X, en), ev.eval(e.Y, en))
	case *lang.CondExpr:
		c := ev.eval(e.Cond, en)
		b, ok := c.(bool)
		if !ok {
			if _, bad := c.(poison); !bad {
				ev.errorf(e.Cond.Pos(), "condition must be a bool, got %s %s", typeName(c), show(c))
			}
			return poison{}
		}
		if b {
			return ev.eval(e.Then, en)
		}
		return ev.eval(e.Else, en)
	case *lang.IndexExpr:
		return ev.index(e, en)
	case *lang.SliceExpr:
		return ev.slice(e, en)
	case *lang.CallExpr:
		return ev.call(e, en)
	}
	return ev.errorf(e.Pos(), "cannot evaluate %T", e)
}

func (ev *evaluator) str(s *lang.StringLit, en *env) Value {
	var b strings.Builder
	for _, p := range s.Parts {
		if p.Expr == nil {
			b.WriteString(p.Lit)
			continue
		}
		v := ev.eval(p.Expr, en)
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case poison:
			return v
		default:
			b.WriteString(format(v, false))
		}
		if b.Len() > maxString {
			return ev.errorf(p.Expr.Pos(), "string longer than %d bytes", maxString)
		}
	}
	return b.String()
}

func isPoison(vs ...Value) bool {
	for _, v := range vs {
		if _, ok := v.(poison); ok {
			return true
		}
	}
	return false
}

func (ev *evaluator) unary(e *lang.UnaryExpr, x Value) Value {
	if isPoison(x) {
		return x
	}
	switch e.Op {
	case "-":
		switch x := x.(type) {
		case int64:
			if x == math.MinInt64 {
				return ev.errorf(e.P, "integer overflow: -(%d) is out of the int range", x)
			}
			return -x
		case float64:
			return -x
		}
	case "not":
		if b, ok := x.(bool); ok {
			return !b
		}
	}
	return ev.errorf(e.P, "operator %s does not apply to %s %s", e.Op, typeName(x), show(x))
}

func (ev *evaluator) logic(e *lang.BinaryExpr, en *env) Value {
	x := ev.eval(e.X, en)
	xb, ok := x.(bool)
	if !ok {
		if isPoison(x) {
			return x
		}
		return ev.errorf(e.X.Pos(), "operator %s needs bools, got %s %s", e.Op, typeName(x), show(x))
	}
	if e.Op == "and" && !xb || e.Op == "or" && xb {
		return xb
	}
	y := ev.eval(e.Y, en)
	if _, ok := y.(bool); !ok && !isPoison(y) {
		return ev.errorf(e.Y.Pos(), "operator %s needs bools, got %s %s", e.Op, typeName(y), show(y))
	}
	return y
}

func (ev *evaluator) binary(e *lang.BinaryExpr, x, y Value) Value {
	if isPoison(x, y) {
		return poison{}
	}
	switch e.Op {
	case "==", "!=":
		eq, ok := equal(x, y)
		if !ok {
			return ev.errorf(e.P, "cannot compare %s %s with %s %s", typeName(x), show(x), typeName(y), show(y))
		}
		return eq == (e.Op == "==")
	}
	_, xt := x.(*ir.Node)
	_, yt := y.(*ir.Node)
	if xt || yt {
		return ev.tensorBinary(e, x, y)
	}
	if xl, ok := x.([]Value); ok {
		if yl, ok := y.([]Value); ok && e.Op == "+" {
			return append(append(make([]Value, 0, len(xl)+len(yl)), xl...), yl...)
		}
	}
	if xs, ok := x.(string); ok {
		if ys, ok := y.(string); ok && e.Op == "+" {
			if len(xs)+len(ys) > maxString {
				return ev.errorf(opPos0(e), "string longer than %d bytes", maxString)
			}
			return xs + ys
		}
	}
	xi, xInt := x.(int64)
	yi, yInt := y.(int64)
	xf, xok := toFloat(x)
	yf, yok := toFloat(y)
	if !xok || !yok {
		return ev.errorf(e.P, "operator %s does not apply to %s %s and %s %s", e.Op, typeName(x), show(x), typeName(y), show(y))
	}
	both := xInt && yInt
	opPos := opPos0(e)
	overflow := func() Value {
		return ev.errorf(opPos, "integer overflow: %d %s %d is out of the int range", xi, e.Op, yi)
	}
	checked := func(v int64, ok bool) Value {
		if !ok {
			return overflow()
		}
		return v
	}
	switch e.Op {
	case "+":
		if both {
			return checked(addInt(xi, yi))
		}
		return xf + yf
	case "-":
		if both {
			return checked(subInt(xi, yi))
		}
		return xf - yf
	case "*":
		if both {
			return checked(mulInt(xi, yi))
		}
		return xf * yf
	case "/":
		if yf == 0 {
			return ev.errorf(e.P, "division by zero")
		}
		// Exact integer division stays an int; anything else is a float,
		// so a non-integer channel count is caught where it is used.
		if both && xi%yi == 0 {
			if xi == math.MinInt64 && yi == -1 {
				return overflow()
			}
			return xi / yi
		}
		return xf / yf
	case "//", "%":
		if yf == 0 {
			return ev.errorf(e.P, "division by zero")
		}
		if both {
			q, r, ok := floorDivInt(xi, yi)
			if !ok && e.Op == "//" {
				return overflow()
			}
			if e.Op == "//" {
				return q
			}
			return r
		}
		q := math.Floor(xf / yf)
		if e.Op == "//" {
			return q
		}
		return xf - q*yf
	case "**":
		if both && yi >= 0 {
			return checked(powInt(xi, yi))
		}
		r := math.Pow(xf, yf)
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return ev.errorf(opPos, "%s ** %s is not a finite real number", show(x), show(y))
		}
		return r
	case "<":
		return xf < yf
	case "<=":
		return xf <= yf
	case ">":
		return xf > yf
	case ">=":
		return xf >= yf
	}
	return ev.errorf(e.P, "unknown operator %s", e.Op)
}

func toFloat(v Value) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

func equal(x, y Value) (bool, bool) {
	if xf, ok := toFloat(x); ok {
		if yf, ok := toFloat(y); ok {
			return xf == yf, true
		}
		return false, false
	}
	switch x := x.(type) {
	case bool:
		y, ok := y.(bool)
		return x == y, ok
	case string:
		y, ok := y.(string)
		return x == y, ok
	}
	return false, false
}

func (ev *evaluator) index(e *lang.IndexExpr, en *env) Value {
	x, i := ev.eval(e.X, en), ev.eval(e.Index, en)
	if isPoison(x, i) {
		return poison{}
	}
	l, ok := x.([]Value)
	if !ok {
		return ev.errorf(e.X.Pos(), "cannot index %s %s", typeName(x), show(x))
	}
	n, ok := i.(int64)
	if !ok {
		return ev.errorf(e.Index.Pos(), "index must be an int, got %s %s", typeName(i), show(i))
	}
	if n < 0 || n >= int64(len(l)) {
		return ev.errorf(e.Index.Pos(), "index %d out of range for a list of %d", n, len(l))
	}
	return l[n]
}

func (ev *evaluator) call(e *lang.CallExpr, en *env) Value {
	fn := ev.eval(e.Fn, en)
	if isPoison(fn) {
		return fn
	}
	switch f := fn.(type) {
	case *Func:
		return ev.callFunc(f, e, en)
	case *Layer:
		return ev.bind(f, e, en)
	case *ShortcutKind:
		return ev.bindShortcut(f, e, en)
	}
	return ev.errorf(e.P, "%s %s is not callable", typeName(fn), show(fn))
}

func (ev *evaluator) callFunc(f *Func, e *lang.CallExpr, en *env) Value {
	if f.Builtin != nil {
		args := make([]Value, 0, len(e.Args))
		for _, a := range e.Args {
			if a.Name != "" {
				return ev.errorf(a.P, "%s takes no named arguments", f.Name)
			}
			args = append(args, ev.eval(a.Value, en))
		}
		if len(args) < f.MinArgs || f.MaxArgs >= 0 && len(args) > f.MaxArgs {
			return ev.errorf(e.P, "%s takes %s, got %d", f.Name, arity(f.MinArgs, f.MaxArgs), len(args))
		}
		if isPoison(args...) {
			return poison{}
		}
		return f.Builtin(&callCtx{ev: ev, pos: e.P}, args)
	}
	if ev.depth >= maxDepth {
		return ev.errorf(e.P, "recursion deeper than %d calling %s", maxDepth, f.Name)
	}
	specs := make([]paramSpec, len(f.Decl.Params))
	for i, p := range f.Decl.Params {
		specs[i] = paramSpec{Name: p.Name, Type: p.Type.String(), Default: p.Default, Required: p.Default == nil, Pos: p.P}
	}
	bound, ok := ev.bindArgs(f.Name, specs, nil, e.Args, en, e.P)
	if !ok {
		return poison{}
	}
	local := newEnv(ev.prog.genv)
	if !ev.fillDefaults(f.Name, specs, bound, local, ev.prog.genv, e.P) {
		return poison{}
	}
	ev.depth++
	defer func() { ev.depth-- }()
	return ev.eval(f.Decl.Body, local)
}

func arity(min, max int) string {
	switch {
	case max < 0:
		return fmt.Sprintf("at least %d arguments", min)
	case min == max && min == 1:
		return "1 argument"
	case min == max:
		return fmt.Sprintf("%d arguments", min)
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

// bindArgs matches call arguments to parameters: named ones by name,
// positional ones to the parameters not yet bound, in order. Types are
// checked here, at the argument, so the error points at it.
func (ev *evaluator) bindArgs(callee string, specs []paramSpec, already map[string]Value, args []*lang.Arg, en *env, at diag.Pos) (map[string]Value, bool) {
	bound := map[string]Value{}
	for k, v := range already {
		bound[k] = v
	}
	ok := true
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	next := 0
	for _, a := range args {
		var spec *paramSpec
		if a.Name != "" {
			for i := range specs {
				if specs[i].Name == a.Name {
					spec = &specs[i]
				}
			}
			if spec == nil {
				msg := fmt.Sprintf("%s has no parameter %s", callee, a.Name)
				if s := diag.Suggest(a.Name, names); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				ev.errorf(a.P, "%s", msg)
				ok = false
				continue
			}
			if _, dup := bound[a.Name]; dup {
				ev.errorf(a.P, "argument %s of %s given twice", a.Name, callee)
				ok = false
				continue
			}
		} else {
			for next < len(specs) {
				if _, taken := bound[specs[next].Name]; !taken {
					break
				}
				next++
			}
			if next >= len(specs) {
				if len(specs) == 0 {
					ev.errorf(a.P, "%s takes no arguments", callee)
				} else {
					ev.errorf(a.P, "too many arguments to %s: it takes %d (%s)", callee, len(specs), strings.Join(names, ", "))
				}
				ok = false
				break
			}
			spec = &specs[next]
			next++
		}
		v := ev.eval(a.Value, en)
		if isPoison(v) {
			ok = false
			bound[spec.Name] = v
			continue
		}
		c, good := convert(v, spec.Type)
		if !good {
			ev.errorf(a.Value.Pos(), "argument %s of %s must be %s, got %s %s%s", spec.Name, callee, article(spec.Type), typeName(v), show(v), nonInteger(spec.Type, v))
			ok = false
			continue
		}
		bound[spec.Name] = c
	}
	return bound, ok
}

func nonInteger(typ string, v Value) string {
	if typ == "int" {
		if f, ok := v.(float64); ok {
			if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				return fmt.Sprintf(" (a float: write %d, or convert with int(...) or round(...))", int64(f))
			}
			return " (a non-integer value)"
		}
	}
	return ""
}

func article(typ string) string {
	switch typ[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + typ
	}
	return "a " + typ
}

// fillDefaults binds every parameter into local: the bound value, else the
// default evaluated in defEnv (where earlier parameters are visible). A
// missing required argument is an error.
func (ev *evaluator) fillDefaults(callee string, specs []paramSpec, bound map[string]Value, local, defEnv *env, at diag.Pos) bool {
	ok := true
	scope := newEnv(defEnv)
	for _, s := range specs {
		v, has := bound[s.Name]
		switch {
		case has:
		case s.Default != nil:
			v = ev.eval(s.Default, scope)
			if c, good := convert(v, s.Type); good {
				v = c
			} else {
				ev.errorf(s.Default.Pos(), "default of %s must be %s, got %s %s", s.Name, article(s.Type), typeName(v), show(v))
				v = poison{}
			}
		case s.Value != nil:
			v = s.Value
		default:
			ev.errorf(at, "missing argument %s (%s) of %s", s.Name, s.Type, callee)
			v, ok = poison{}, false
		}
		local.vars[s.Name] = v
		scope.vars[s.Name] = v
	}
	return ok
}

// bind partially applies a layer.
func (ev *evaluator) bind(l *Layer, e *lang.CallExpr, en *env) Value {
	bound, ok := ev.bindArgs(l.Name, l.Params, l.Bound, e.Args, en, e.P)
	if !ok {
		return poison{}
	}
	return &Layer{Name: l.Name, Block: l.Block, Builtin: l.Builtin, Params: l.Params, Bound: bound, Env: l.Env}
}

func (ev *evaluator) bindShortcut(k *ShortcutKind, e *lang.CallExpr, en *env) Value {
	specs := shortcutParams[k.Kind]
	bound, ok := ev.bindArgs(k.Kind, specs, k.Args, e.Args, en, e.P)
	if !ok {
		return poison{}
	}
	return &ShortcutKind{Kind: k.Kind, Args: bound, Inner: k.Inner}
}

// callCtx is what a builtin function sees of its caller.
type callCtx struct {
	ev  *evaluator
	pos diag.Pos
}

func (c *callCtx) errorf(format string, args ...any) Value {
	return c.ev.errorf(c.pos, format, args...)
}

// powInt is x**y for y >= 0, and whether it fits in an int.
func powInt(x, y int64) (int64, bool) {
	r := int64(1)
	for ; y > 0; y-- {
		var ok bool
		if r, ok = mulInt(r, x); !ok {
			return 0, false
		}
		if r == 0 || r == 1 && x == 1 {
			return r, true
		}
	}
	return r, true
}
