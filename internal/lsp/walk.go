package lsp

import (
	"strings"

	"github.com/resc-dev/resc/lang"
)

// stmts calls visit on every statement of body, depth first, in source
// order, a custom shortcut's after its residual's body.
func stmts(body []lang.Stmt, visit func(lang.Stmt)) {
	for _, s := range body {
		visit(s)
		switch s := s.(type) {
		case *lang.ResidualStmt:
			stmts(s.Body, visit)
			if s.Shortcut != nil {
				stmts(s.Shortcut.Body, visit) // a custom shortcut
			}
		case *lang.PreactStmt:
			stmts(s.Body, visit)
		case *lang.GateStmt:
			stmts(s.Body, visit)
		case *lang.PathsStmt:
			stmts(s.Body, visit)
		case *lang.ForStmt:
			stmts(s.Body, visit)
		case *lang.IfStmt:
			stmts(s.Then, visit)
			stmts(s.Else, visit)
		}
	}
}

// enclosing returns the declaration of f whose text holds offset: the
// last one starting at or before it.
func enclosing(f *lang.File, off int) lang.Decl {
	var out lang.Decl
	for _, d := range f.Decls {
		if d.Pos().Offset <= off {
			out = d
		}
	}
	return out
}

// nameOffset is where the name a construct at offset at declares is
// written: the first whole-word occurrence after its keyword (block,
// network, fn, const, let, for).
func nameOffset(text string, at int, name string) int {
	i := at
	// Skip the keyword.
	for i < len(text) && isWordByte(text[i]) {
		i++
	}
	for i < len(text) {
		j := strings.Index(text[i:], name)
		if j < 0 {
			return at
		}
		k := i + j
		if (k == 0 || !isWordByte(text[k-1])) && (k+len(name) == len(text) || !isWordByte(text[k+len(name)])) {
			return k
		}
		i = k + len(name)
	}
	return at
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// signature is a declaration's first line as fmt writes it, without a
// block's body: `block bottleneck(planes: int, stride: int = 1)`.
func signature(d lang.Decl) string {
	switch d := d.(type) {
	case *lang.ConstDecl:
		return "const " + d.Name + " = " + lang.FormatExpr(d.Value)
	case *lang.FnDecl:
		return "fn " + d.Name + "(" + params(d.Params) + ") = " + lang.FormatExpr(d.Body)
	case *lang.BlockDecl:
		kw := "block "
		if d.Network {
			kw = "network "
		}
		if d.Alias != nil {
			return kw + d.Name + " = " + lang.FormatExpr(d.Alias)
		}
		return kw + d.Name + "(" + params(d.Params) + ")"
	}
	return ""
}

func params(ps []*lang.Param) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, param(p))
	}
	return strings.Join(parts, ", ")
}

func param(p *lang.Param) string {
	s := p.Name + ": " + p.Type.String()
	if p.Default != nil {
		s += " = " + lang.FormatExpr(p.Default)
	}
	return s
}

// docComment is the comment written on the lines just above a
// declaration, without its "#"s: what the declaration is for.
func docComment(f *lang.File, dc lang.Decl) string {
	line, _ := f.Src.LineCol(dc.Pos().Offset)
	var lines []string
	for i := len(f.Comments) - 1; i >= 0; i-- {
		c := f.Comments[i]
		if c.Offset >= dc.Pos().Offset {
			continue
		}
		l, _ := f.Src.LineCol(c.Offset)
		if l != line-1 || strings.TrimSpace(f.Src.Line(l)) != c.Text {
			break // not right above, or at the end of code
		}
		lines = append([]string{strings.TrimSpace(strings.TrimPrefix(c.Text, "#"))}, lines...)
		line = l
	}
	return strings.Join(lines, "\n")
}
