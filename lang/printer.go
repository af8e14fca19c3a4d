package lang

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/diag"
)

// Format prints f in canonical form: two-space indentation, one statement
// per line, a blank line between declarations, minimal parentheses, and
// every comment kept (own-line comments before the next construct, end of
// line comments after it). Formatting formatted output changes nothing.
func Format(f *File) []byte {
	p := &printer{src: f.Src, comments: f.Comments, lastLine: -1}
	for _, im := range f.Imports {
		p.leading(im.P)
		p.line("import " + strconv.Quote(im.Path))
		p.mark(im.P)
	}
	for i, d := range f.Decls {
		// One-line declarations stay grouped as written; blocks are set apart.
		if i == 0 && len(f.Imports) > 0 || i > 0 && (!oneLine(f.Decls[i-1]) || !oneLine(d) || p.blankBefore(d)) {
			p.blank()
		}
		p.leading(d.Pos())
		p.decl(d)
	}
	p.rest(len(f.Src.Text) + 1)
	return p.b.Bytes()
}

func oneLine(d Decl) bool {
	b, ok := d.(*BlockDecl)
	return !ok || b.Alias != nil
}

// blankBefore reports whether the source has a blank line before d and the
// comments that lead it.
func (p *printer) blankBefore(d Decl) bool {
	start := d.Pos().Offset
	if p.next < len(p.comments) && p.comments[p.next].Offset < start {
		start = p.comments[p.next].Offset
	}
	line, _ := p.src.LineCol(start)
	return line > 1 && strings.TrimSpace(p.src.Line(line-1)) == ""
}

// FormatExpr prints one expression canonically.
func FormatExpr(e Expr) string { return exprString(e, 0) }

type printer struct {
	b        bytes.Buffer
	src      *diag.Source
	comments []Comment
	next     int // first comment not yet printed
	indent   int
	lastLine int // source line of the last printed construct
	// afterStmt is set while a statement that follows another in the
	// same body is printed.
	afterStmt bool
}

// continuesExpr reports whether a statement printed as t would, at the
// start of a line, parse as the continuation of an expression that ends
// the line before ("x = a" then "-(b)" is "x = a - (b)"), so that the
// statements need the ";" between them that the source had.
func continuesExpr(t string) bool {
	return t != "" && strings.ContainsRune("-+([", rune(t[0]))
}

func (p *printer) line(s string) {
	p.b.WriteString(strings.Repeat("  ", p.indent))
	p.b.WriteString(s)
	p.b.WriteByte('\n')
}

func (p *printer) blank() {
	if p.b.Len() > 0 && !bytes.HasSuffix(p.b.Bytes(), []byte("\n\n")) {
		p.b.WriteByte('\n')
	}
}

func (p *printer) srcLine(pos diag.Pos) int {
	if pos.Src == nil {
		return -1
	}
	l, _ := pos.Src.LineCol(pos.Offset)
	return l
}

// mark records that the construct at pos has been printed and appends the
// comments that end its source line to its output line.
func (p *printer) mark(pos diag.Pos) {
	p.lastLine = p.srcLine(pos)
	for p.next < len(p.comments) {
		c := p.comments[p.next]
		if c.Offset < pos.Offset || p.srcLine(diag.Pos{Src: p.src, Offset: c.Offset}) != p.lastLine {
			return
		}
		// With "a; b  # c" the comment ends b's line, not a's.
		if strings.Contains(p.src.Text[pos.Offset:c.Offset], ";") && !strings.Contains(p.src.Text[pos.Offset:c.Offset], "{") {
			return
		}
		p.next++
		p.appendToLast("  " + c.Text)
	}
}

// leading prints the comments that come before pos: a comment on the line
// of the previous construct goes at that line's end, the others on their
// own lines (a blank line in the source before one is kept).
func (p *printer) leading(pos diag.Pos) { p.rest(pos.Offset) }

func (p *printer) rest(offset int) {
	for p.next < len(p.comments) && p.comments[p.next].Offset < offset {
		// Comments before the last mark belong nowhere better; keep them here.
		c := p.comments[p.next]
		p.next++
		line, _ := p.src.LineCol(c.Offset)
		if line > 1 && strings.TrimSpace(p.src.Line(line-1)) == "" && p.b.Len() > 0 {
			p.blank()
		}
		p.line(c.Text)
		p.lastLine = line
	}
}

func (p *printer) decl(d Decl) {
	switch d := d.(type) {
	case *ConstDecl:
		p.line("const " + d.Name + " = " + exprString(d.Value, 0))
		p.mark(d.P)
	case *FnDecl:
		p.line("fn " + d.Name + "(" + paramsString(d.Params) + ") = " + exprString(d.Body, 0))
		p.mark(d.P)
	case *BlockDecl:
		if d.Alias != nil {
			p.line("network " + d.Name + " = " + exprString(d.Alias, 0))
			p.mark(d.P)
			return
		}
		kw := "block"
		if d.Network {
			kw = "network"
		}
		p.line(kw + " " + d.Name + "(" + paramsString(d.Params) + ") {")
		p.mark(d.P)
		p.body(d.Body, d.End)
		p.line("}")
		p.mark(d.End)
	}
}

func paramsString(ps []*Param) string {
	parts := make([]string, len(ps))
	for i, q := range ps {
		s := q.Name + ": " + q.Type.String()
		if q.Default != nil {
			s += " = " + exprString(q.Default, 0)
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

// body prints statements one level deeper, then the comments before end.
func (p *printer) body(stmts []Stmt, end diag.Pos) {
	p.indent++
	for i, s := range stmts {
		p.leading(s.Pos())
		p.afterStmt = i > 0
		p.stmt(s)
	}
	p.afterStmt = false
	p.rest(end.Offset)
	p.indent--
}

func labelPrefix(l *Label) string {
	if l == nil {
		return ""
	}
	if l.Kind == LabelString {
		return quoteString(l.Value) + ": "
	}
	return l.Value.Parts[0].Lit + ": "
}

func (p *printer) open(s string, pos diag.Pos) {
	p.line(s + " {")
	p.mark(pos)
}

func (p *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *LetStmt:
		p.line("let " + s.Name + " = " + exprString(s.Value, 0))
	case *AssertStmt:
		t := "assert " + exprString(s.Cond, 0)
		if s.Message != nil {
			t += ", " + exprString(s.Message, 0)
		}
		p.line(t)
	case *InputStmt:
		p.line("input(" + argsString(s.Args) + ")")
	case *NamingStmt:
		p.line("naming " + s.Style)
	case *ApplyStmt:
		t := labelPrefix(s.Label) + exprString(s.Layer, 0)
		if p.afterStmt && continuesExpr(t) {
			t = "; " + t // on its own line it would continue the statement before
		}
		p.line(t)
	case *AssignStmt:
		p.line(s.Name + " = " + exprString(s.Value, 0))
	case *OutputStmt:
		p.line("output " + strings.TrimSuffix(labelPrefix(s.Name), ": "))
	case *ResidualStmt:
		p.open(labelPrefix(s.Label)+"residual", s.P)
		p.body(s.Body, s.End)
		close := "}"
		if sc := s.Shortcut; sc != nil && sc.Body != nil {
			p.line(close + " shortcut " + labelPrefix(sc.Label) + "{")
			p.mark(s.End)
			p.body(sc.Body, sc.End)
			p.line("}")
			p.mark(sc.End)
			return
		}
		if s.Shortcut != nil {
			close += " shortcut " + labelPrefix(s.Shortcut.Label) + exprString(s.Shortcut.Kind, 0)
		}
		p.line(close)
		p.mark(s.End)
		return
	case *PreactStmt:
		p.open(labelPrefix(s.Label)+"preact", s.P)
		p.body(s.Body, s.End)
		p.line("}")
		p.mark(s.End)
		return
	case *GateStmt:
		p.open(labelPrefix(s.Label)+"gate", s.P)
		p.body(s.Body, s.End)
		p.line("}")
		p.mark(s.End)
		return
	case *PathsStmt:
		head := labelPrefix(s.Label) + "paths " + exprString(s.Count, 0)
		if s.Var != "" {
			head += " as " + s.Var
		}
		p.open(head, s.P)
		p.body(s.Body, s.End)
		p.line("}")
		p.mark(s.End)
		return
	case *ForStmt:
		head := "for " + s.Var + " in " + exprString(s.From, 0)
		if s.To != nil {
			head += ".." + exprString(s.To, 0)
		}
		p.open(head, s.P)
		p.body(s.Body, s.End)
		p.line("}")
		p.mark(s.End)
		return
	case *IfStmt:
		p.ifStmt(s, "if ")
		return
	}
	p.mark(s.Pos())
}

func (p *printer) ifStmt(s *IfStmt, prefix string) {
	head := prefix + exprString(s.Cond, 0) + " {"
	if prefix == "if " {
		p.line(head)
	} else {
		p.appendToLast(head)
	}
	p.mark(s.P)
	p.body(s.Then, s.ThenEnd)
	switch {
	case s.ElseIf:
		p.line("}")
		p.mark(s.ThenEnd)
		p.ifStmt(s.Else[0].(*IfStmt), " else if ")
		return
	case s.Else != nil:
		p.line("} else {")
		p.mark(s.ThenEnd)
		p.body(s.Else, s.ElseEnd)
		p.line("}")
		p.mark(s.ElseEnd)
	default:
		p.line("}")
		p.mark(s.ThenEnd)
	}
}

// appendToLast continues the previous output line ("}" + " else if ...").
// It truncates the buffer rather than copy it, so that it costs the same
// at the end of a megabyte of output as at the start.
func (p *printer) appendToLast(s string) {
	if bytes.HasSuffix(p.b.Bytes(), []byte("\n")) {
		p.b.Truncate(p.b.Len() - 1)
	}
	p.b.WriteString(s)
	p.b.WriteByte('\n')
}

func argsString(args []*Arg) string {
	parts := make([]string, len(args))
	for i, a := range args {
		if a.Name != "" {
			parts[i] = a.Name + ": " + exprString(a.Value, 0)
		} else {
			parts[i] = exprString(a.Value, 0)
		}
	}
	return strings.Join(parts, ", ")
}

// quoteString writes a string literal back, with "{expr}" parts and literal
// braces doubled.
func quoteString(s *StringLit) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, part := range s.Parts {
		if part.Expr != nil {
			b.WriteString("{" + exprString(part.Expr, 0) + "}")
			continue
		}
		q := strconv.Quote(part.Lit)
		q = q[1 : len(q)-1]
		q = strings.ReplaceAll(q, "{", "{{")
		q = strings.ReplaceAll(q, "}", "}}")
		b.WriteString(q)
	}
	b.WriteByte('"')
	return b.String()
}

// exprString prints e inside a context of binding strength prec,
// parenthesising where the tree needs it. Conditionals bind loosest (0),
// then or (1) ... multiplicative (5), unary (6).
func exprString(e Expr, prec int) string {
	var b strings.Builder
	writeExpr(&b, e, prec)
	return b.String()
}

// writeExpr appends exprString(e, prec) to b: building each operand's
// string and concatenating would copy a long chain once per operator.
func writeExpr(b *strings.Builder, e Expr, prec int) {
	switch e := e.(type) {
	case *Ident:
		b.WriteString(e.Name)
	case *IntLit:
		b.WriteString(strconv.FormatInt(e.Value, 10))
	case *FloatLit:
		b.WriteString(e.Text)
	case *BoolLit:
		b.WriteString(strconv.FormatBool(e.Value))
	case *StringLit:
		b.WriteString(quoteString(e))
	case *ListLit:
		b.WriteByte('[')
		for i, x := range e.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, x, 0)
		}
		b.WriteByte(']')
	case *CallExpr:
		writeExpr(b, e.Fn, 8)
		b.WriteByte('(')
		b.WriteString(argsString(e.Args))
		b.WriteByte(')')
	case *IndexExpr:
		writeExpr(b, e.X, 8)
		b.WriteByte('[')
		writeExpr(b, e.Index, 0)
		b.WriteByte(']')
	case *SliceExpr:
		writeExpr(b, e.X, 8)
		b.WriteByte('[')
		if e.Lo != nil {
			writeExpr(b, e.Lo, 0)
		}
		b.WriteByte(':')
		if e.Hi != nil {
			writeExpr(b, e.Hi, 0)
		}
		b.WriteByte(']')
	case *UnaryExpr:
		openParen(b, prec > 6)
		b.WriteString(e.Op)
		if e.Op == "not" {
			b.WriteByte(' ')
		}
		if x, ok := e.X.(*BinaryExpr); ok && x.Op == "**" {
			writeExpr(b, e.X, 8) // -(x ** y): without parentheses it would not parse
		} else {
			writeExpr(b, e.X, 6)
		}
		closeParen(b, prec > 6)
	case *BinaryExpr:
		q := precedence[e.Op]
		// Left-associative: the right operand needs parentheses at equal
		// strength; ** is right-associative, the other way round.
		left, right := q, q+1
		if e.Op == "**" {
			left, right = q+1, q
		}
		openParen(b, prec > q)
		writeExpr(b, e.X, left)
		b.WriteString(" " + e.Op + " ")
		writeExpr(b, e.Y, right)
		closeParen(b, prec > q)
	case *CondExpr:
		openParen(b, prec > 0)
		writeExpr(b, e.Cond, 1)
		b.WriteString(" ? ")
		writeExpr(b, e.Then, 0)
		b.WriteString(" : ")
		writeExpr(b, e.Else, 0)
		closeParen(b, prec > 0)
	default:
		b.WriteByte('?')
	}
}

func openParen(b *strings.Builder, paren bool) {
	if paren {
		b.WriteByte('(')
	}
}

func closeParen(b *strings.Builder, paren bool) {
	if paren {
		b.WriteByte(')')
	}
}
