package lang

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/resc-dev/resc/diag"
)

// Parse parses one .res source. On failure it returns the first syntax error
// as a *diag.Error.
// A UTF-8 byte-order mark at the start is skipped.
func Parse(name, text string) (*File, error) {
	src := diag.NewSource(name, text)
	base := 0
	if strings.HasPrefix(text, byteOrderMark) {
		base = len(byteOrderMark)
	}
	body := text[base:]
	if len(text) > MaxSource {
		return nil, &diag.Error{Pos: diag.Pos{Src: src, Offset: 0},
			Msg: fmt.Sprintf("source of %d bytes is larger than the limit of %d (1 MiB)", len(text), MaxSource)}
	}
	if off, msg := checkLimits(body); off >= 0 {
		return nil, &diag.Error{Pos: diag.Pos{Src: src, Offset: base + off}, Msg: msg}
	}
	g, err := fileParser.ParseString(name, body)
	if err != nil {
		return nil, syntaxError(src, base, err)
	}
	c := &converter{src: src, base: base}
	f := c.file(g)
	if c.err != nil {
		return nil, c.err
	}
	f.Comments = comments(body, base)
	return f, nil
}

// clip shortens a long literal for a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:30] + "..."
	}
	return s
}

// MaxSource bounds a source file: parsing costs a few microseconds a
// byte, so a hostile multi-megabyte file would take seconds. The largest
// stdlib file has 7 KB.
const MaxSource = 1 << 20

// byteOrderMark is U+FEFF in UTF-8, which some editors put at the start of
// a file.
const byteOrderMark = "\uFEFF"

// syntaxError turns a participle error into a diagnostic; base shifts
// offsets for text parsed out of a string interpolation.
func syntaxError(src *diag.Source, base int, err error) error {
	var perr participle.Error
	if errors.As(err, &perr) {
		msg := grammarNames.Replace(perr.Message())
		return &diag.Error{Pos: diag.Pos{Src: src, Offset: base + perr.Position().Offset}, Msg: "syntax error: " + msg}
	}
	return &diag.Error{Pos: diag.Pos{Src: src, Offset: base}, Msg: "syntax error: " + err.Error()}
}

// grammarNames turns the parser's internal rule names into words.
var grammarNames = strings.NewReplacer(
	`unexpected token "<EOF>"`, "unexpected end of file",
	`"Ident"`, "a name", "GExpr", "an expression", "GBinary", "an expression", "GUnary", "an expression",
	"GPostfix", "an expression", "GPrimary", "an expression", "GList", "a list", "GArg", "an argument",
	"GStmt", "a statement", "GLabel", "a label", "GParam", "a parameter", "GType", "a type",
	"GBody", "{", "GDecl", "a declaration", "GShortcut", "a shortcut kind", "GIf", "if",
)

// comments lexes text again to recover the comments the parser elided;
// base shifts their offsets.
func comments(text string, base int) []Comment {
	lx, err := resLexer.Lex("", strings.NewReader(text))
	if err != nil {
		return nil
	}
	commentType := resLexer.Symbols()["Comment"]
	var out []Comment
	for {
		t, err := lx.Next()
		if err != nil || t.EOF() {
			return out
		}
		if t.Type == commentType {
			out = append(out, Comment{Offset: base + t.Pos.Offset, Text: strings.TrimRight(t.Value, " \t\r")})
		}
	}
}

type converter struct {
	src  *diag.Source
	base int // offset added to positions (string interpolation)
	err  error
}

func (c *converter) at(p lexer.Position) At {
	return At{diag.Pos{Src: c.src, Offset: c.base + p.Offset}}
}

func (c *converter) fail(p lexer.Position, format string, args ...any) {
	if c.err == nil {
		c.err = &diag.Error{Pos: c.at(p).P, Msg: fmt.Sprintf(format, args...)}
	}
}

// failAt records an error at an absolute offset.
func (c *converter) failAt(offset int, format string, args ...any) {
	if c.err == nil {
		c.err = &diag.Error{Pos: diag.Pos{Src: c.src, Offset: offset}, Msg: fmt.Sprintf(format, args...)}
	}
}

func (c *converter) file(g *gFile) *File {
	f := &File{At: At{diag.Pos{Src: c.src}}, Src: c.src}
	for _, im := range g.Imports {
		f.Imports = append(f.Imports, &Import{At: c.at(im.Pos), Path: c.unquote(im.Pos, im.Path)})
	}
	for _, d := range g.Decls {
		switch {
		case d.Const != nil:
			f.Decls = append(f.Decls, &ConstDecl{At: c.at(d.Pos), Name: d.Const.Name, Value: c.expr(d.Const.Value)})
		case d.Fn != nil:
			f.Decls = append(f.Decls, &FnDecl{At: c.at(d.Pos), Name: d.Fn.Name, Params: c.params(d.Fn.Params), Body: c.expr(d.Fn.Body)})
		case d.Block != nil:
			b := d.Block
			if b.Alias != nil {
				if b.Kind != "network" {
					c.fail(b.Pos, "only a network can be defined as an instance (network %s = ...)", b.Name)
				}
				f.Decls = append(f.Decls, &BlockDecl{At: c.at(d.Pos), Network: true, Name: b.Name, Alias: c.expr(b.Alias)})
				continue
			}
			f.Decls = append(f.Decls, &BlockDecl{
				At: c.at(d.Pos), Network: b.Kind == "network", Name: b.Name,
				Params: c.params(b.Params), Body: c.body(b.Body), End: c.at(b.Body.EndPos).P,
			})
		}
	}
	return f
}

func (c *converter) unquote(p lexer.Position, s string) string {
	u, err := strconv.Unquote(s)
	if err != nil {
		c.fail(p, "invalid string %s", s)
	}
	return u
}

func (c *converter) params(gs []*gParam) []*Param {
	var out []*Param
	for _, g := range gs {
		p := &Param{At: c.at(g.Pos), Name: g.Name, Type: c.typ(g.Type)}
		if g.Default != nil {
			p.Default = c.expr(g.Default)
		}
		out = append(out, p)
	}
	return out
}

func (c *converter) typ(g *gType) *Type {
	t := &Type{At: c.at(g.Pos), Name: g.Name}
	if g.Elem != nil {
		t.Elem = c.typ(g.Elem)
	}
	return t
}

func (c *converter) body(g *gBody) []Stmt {
	var out []Stmt
	for _, s := range g.Stmts {
		if st := c.stmt(s); st != nil {
			out = append(out, st)
		}
	}
	return out
}

func (c *converter) label(g *gLabel) *Label {
	if g == nil {
		return nil
	}
	at := c.at(g.Pos)
	switch {
	case g.Ident != nil:
		return &Label{At: at, Kind: LabelIdent, Value: &StringLit{At: at, Parts: []StrPart{{Lit: *g.Ident}}}}
	case g.Int != nil:
		return &Label{At: at, Kind: LabelInt, Value: &StringLit{At: at, Parts: []StrPart{{Lit: *g.Int}}}}
	default:
		return &Label{At: at, Kind: LabelString, Value: c.stringLit(g.Pos, *g.String)}
	}
}

func (c *converter) stmt(g *gStmt) Stmt {
	at := c.at(g.Pos)
	lbl := c.label(g.Label)
	noLabel := func(what string) {
		if lbl != nil {
			c.fail(g.Label.Pos, "a %s statement cannot have a label", what)
		}
	}
	switch {
	case g.Let != nil:
		noLabel("let")
		return &LetStmt{At: at, Name: g.Let.Name, Value: c.expr(g.Let.Value)}
	case g.Input != nil:
		noLabel("input")
		return &InputStmt{At: at, Args: c.args(g.Input.Args)}
	case g.Naming != nil:
		noLabel("naming")
		return &NamingStmt{At: at, Style: g.Naming.Style}
	case g.Output != nil:
		noLabel("output")
		return &OutputStmt{At: at, Name: c.label(g.Output.Name)}
	case g.Assign != nil:
		noLabel("assignment")
		return &AssignStmt{At: at, Name: g.Assign.Name, Value: c.expr(g.Assign.Value)}
	case g.Assert != nil:
		noLabel("assert")
		a := &AssertStmt{At: at, Cond: c.expr(g.Assert.Cond)}
		if g.Assert.Message != nil {
			a.Message = c.expr(g.Assert.Message)
		}
		return a
	case g.Residual != nil:
		r := &ResidualStmt{At: at, Label: lbl, Body: c.body(g.Residual.Body), End: c.at(g.Residual.Body.EndPos).P}
		if s := g.Residual.Shortcut; s != nil {
			r.Shortcut = &Shortcut{At: c.at(s.Pos), Label: c.label(s.Label)}
			if s.Body != nil {
				r.Shortcut.Body, r.Shortcut.End = c.body(s.Body), c.at(s.Body.EndPos).P
				if r.Shortcut.Body == nil {
					r.Shortcut.Body = []Stmt{} // "shortcut {}": a body, empty, not a kind
				}
			} else {
				r.Shortcut.Kind = c.expr(s.Kind)
			}
		}
		return r
	case g.Preact != nil:
		return &PreactStmt{At: at, Label: lbl, Body: c.body(g.Preact), End: c.at(g.Preact.EndPos).P}
	case g.Gate != nil:
		return &GateStmt{At: at, Label: lbl, Body: c.body(g.Gate), End: c.at(g.Gate.EndPos).P}
	case g.Paths != nil:
		return &PathsStmt{At: at, Label: lbl, Count: c.expr(g.Paths.Count), Var: g.Paths.Var, Body: c.body(g.Paths.Body), End: c.at(g.Paths.Body.EndPos).P}
	case g.For != nil:
		noLabel("for")
		f := &ForStmt{At: at, Var: g.For.Var, From: c.expr(g.For.From), Body: c.body(g.For.Body), End: c.at(g.For.Body.EndPos).P}
		if g.For.To != nil {
			f.To = c.expr(g.For.To)
		}
		return f
	case g.If != nil:
		noLabel("if")
		return c.ifStmt(g.Pos, g.If)
	default:
		return &ApplyStmt{At: at, Label: lbl, Layer: c.expr(g.Apply)}
	}
}

func (c *converter) ifStmt(p lexer.Position, g *gIf) *IfStmt {
	s := &IfStmt{At: c.at(p), Cond: c.expr(g.Cond), Then: c.body(g.Then), ThenEnd: c.at(g.Then.EndPos).P}
	switch {
	case g.ElseIf != nil:
		s.Else = []Stmt{c.ifStmt(g.ElseIf.Cond.Pos, g.ElseIf)}
		s.ElseIf = true
	case g.Else != nil:
		s.Else = c.body(g.Else)
		s.ElseEnd = c.at(g.Else.EndPos).P
	}
	return s
}

func (c *converter) args(gs []*gArg) []*Arg {
	var out []*Arg
	for _, g := range gs {
		a := &Arg{At: c.at(g.Pos), Value: c.expr(g.Value)}
		if g.Name != nil {
			a.Name = *g.Name
		}
		out = append(out, a)
	}
	return out
}

func (c *converter) expr(g *gExpr) Expr {
	x := c.binary(g.Cond)
	if g.Then != nil {
		return &CondExpr{At: c.at(g.Pos), Cond: x, Then: c.expr(g.Then), Else: c.expr(g.Else)}
	}
	return x
}

// binary folds a flat operator chain into a tree by precedence climbing;
// all binary operators are left-associative.
func (c *converter) binary(g *gBinary) Expr {
	operands := []Expr{c.unary(g.Left)}
	var ops []*gOpRest
	for _, r := range g.Rest {
		ops = append(ops, r)
		operands = append(operands, c.unary(r.Right))
	}
	for j, op := range ops {
		left := g.Left
		if j > 0 {
			left = g.Rest[j-1].Right
		}
		if op.Op == "**" && left.Op != "" {
			c.fail(left.Pos, "%s before ** is ambiguous: write (%sx) ** y or %s(x ** y)", left.Op, left.Op, left.Op)
		}
	}
	i := 0
	var climb func(minPrec int) Expr
	climb = func(minPrec int) Expr {
		lhs := operands[i]
		for i < len(ops) && precedence[ops[i].Op] >= minPrec {
			op := ops[i]
			i++
			next := precedence[op.Op] + 1
			if op.Op == "**" {
				next-- // right-associative
			}
			rhs := climb(next)
			lhs = &BinaryExpr{At: At{lhs.Pos()}, Op: op.Op, OpPos: c.at(op.Pos).P, X: lhs, Y: rhs}
		}
		return lhs
	}
	// climb reads operands[i] as the left operand; advancing i past an
	// operator makes operands[i] the next right operand.
	return climb(0)
}

func (c *converter) unary(g *gUnary) Expr {
	if g.X != nil {
		return &UnaryExpr{At: c.at(g.Pos), Op: g.Op, X: c.unary(g.X)}
	}
	x := c.primary(g.Post.Prim)
	for _, s := range g.Post.Suffix {
		if s.Call {
			x = &CallExpr{At: At{x.Pos()}, Fn: x, Args: c.args(s.Args)}
		} else {
			x = c.index(x, s)
		}
	}
	return x
}

func (c *converter) primary(g *gPrimary) Expr {
	at := c.at(g.Pos)
	switch {
	case g.Float != nil:
		v, err := strconv.ParseFloat(*g.Float, 64)
		if err != nil {
			c.fail(g.Pos, "invalid number %s", clip(*g.Float))
		}
		return &FloatLit{At: at, Value: v, Text: *g.Float}
	case g.Int != nil:
		v, err := strconv.ParseInt(*g.Int, 10, 64)
		if err != nil {
			c.fail(g.Pos, "integer %s is out of range (at most 9223372036854775807)", clip(*g.Int))
		}
		return &IntLit{At: at, Value: v}
	case g.String != nil:
		return c.stringLit(g.Pos, *g.String)
	case g.Bool != nil:
		return &BoolLit{At: at, Value: *g.Bool == "true"}
	case g.List != nil:
		l := &ListLit{At: at}
		for _, e := range g.List.Elems {
			l.Elems = append(l.Elems, c.expr(e))
		}
		return l
	case g.Paren != nil:
		return c.expr(g.Paren)
	default:
		return &Ident{At: at, Name: *g.Ident}
	}
}

// stringLit splits a quoted string into literal text and "{expr}" parts.
// "{{" and "}}" stand for literal braces.
func (c *converter) stringLit(p lexer.Position, quoted string) *StringLit {
	s := &StringLit{At: c.at(p)}
	raw := quoted[1 : len(quoted)-1]
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			u, err := strconv.Unquote(`"` + lit.String() + `"`)
			if err != nil {
				c.fail(p, "invalid string %s", quoted)
			}
			s.Parts = append(s.Parts, StrPart{Lit: u})
			lit.Reset()
		}
	}
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		switch {
		case ch == '\\' && i+1 < len(raw):
			lit.WriteByte(ch)
			lit.WriteByte(raw[i+1])
			i++
		case ch == '{' && i+1 < len(raw) && raw[i+1] == '{', ch == '}' && i+1 < len(raw) && raw[i+1] == '}':
			lit.WriteByte(ch)
			i++
		case ch == '{':
			end := strings.IndexByte(raw[i:], '}')
			if end < 0 {
				c.fail(p, "unclosed { in string %s", quoted)
				return s
			}
			flush()
			inner := raw[i+1 : i+end]
			base := c.base + p.Offset + 1 + i + 1
			if strings.TrimSpace(inner) == "" {
				c.failAt(base-1, "empty {} in string %s: put an expression inside, or write {{}} for braces", quoted)
				return s
			}
			// The lexer would take a # as the start of a comment and
			// silently drop the rest of the expression.
			if h := strings.IndexByte(inner, '#'); h >= 0 {
				c.failAt(base+h, "# cannot appear inside {} in a string")
				return s
			}
			if off, msg := checkLimits(inner); off >= 0 {
				c.failAt(base+off, "%s", msg)
				return s
			}
			g, err := exprParser.ParseString("", inner)
			if err != nil {
				if c.err == nil {
					c.err = syntaxError(c.src, base, err)
				}
				return s
			}
			sub := &converter{src: c.src, base: base}
			s.Parts = append(s.Parts, StrPart{Expr: sub.expr(g)})
			if sub.err != nil && c.err == nil {
				c.err = sub.err
			}
			i += end
		case ch == '}':
			c.fail(p, "unmatched } in string %s (write }} for a brace)", quoted)
			return s
		default:
			lit.WriteByte(ch)
		}
	}
	flush()
	return s
}

// index converts x[i] and the slices x[lo:hi], x[lo:], x[:hi], x[:].
func (c *converter) index(x Expr, s *gSuffix) Expr {
	ix := s.Index
	opt := func(g *gExpr) Expr {
		if g == nil {
			return nil
		}
		return c.expr(g)
	}
	if !ix.Colon {
		if ix.Lo == nil || ix.Hi != nil {
			c.fail(s.Pos, "an index needs an expression: x[i], or a slice x[i:j]")
			return x
		}
		return &IndexExpr{At: At{x.Pos()}, X: x, Index: c.expr(ix.Lo)}
	}
	return &SliceExpr{At: At{x.Pos()}, X: x, Lo: opt(ix.Lo), Hi: opt(ix.Hi)}
}
