package lang

// Inspect walks n and everything under it in source order, calling f on
// each node; when f returns false the node's children are skipped. It
// visits statements, expressions, labels' interpolations and the
// expressions of string literals.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	stmts := func(ss []Stmt) {
		for _, s := range ss {
			Inspect(s, f)
		}
	}
	expr := func(e Expr) {
		if e != nil {
			Inspect(e, f)
		}
	}
	label := func(l *Label) {
		if l != nil && l.Value != nil {
			Inspect(l.Value, f)
		}
	}
	args := func(as []*Arg) {
		for _, a := range as {
			expr(a.Value)
		}
	}
	switch n := n.(type) {
	case *LetStmt:
		expr(n.Value)
	case *AssignStmt:
		expr(n.Value)
	case *OutputStmt:
		label(n.Name)
	case *InputStmt:
		args(n.Args)
	case *AssertStmt:
		expr(n.Cond)
		expr(n.Message)
	case *ApplyStmt:
		label(n.Label)
		expr(n.Layer)
	case *ResidualStmt:
		label(n.Label)
		stmts(n.Body)
		if s := n.Shortcut; s != nil {
			label(s.Label)
			expr(s.Kind)
			stmts(s.Body)
		}
	case *PreactStmt:
		label(n.Label)
		stmts(n.Body)
	case *GateStmt:
		label(n.Label)
		stmts(n.Body)
	case *PathsStmt:
		label(n.Label)
		expr(n.Count)
		stmts(n.Body)
	case *ForStmt:
		expr(n.From)
		expr(n.To)
		stmts(n.Body)
	case *IfStmt:
		expr(n.Cond)
		stmts(n.Then)
		stmts(n.Else)
	case *StringLit:
		for _, p := range n.Parts {
			expr(p.Expr)
		}
	case *ListLit:
		for _, e := range n.Elems {
			expr(e)
		}
	case *CallExpr:
		expr(n.Fn)
		args(n.Args)
	case *IndexExpr:
		expr(n.X)
		expr(n.Index)
	case *SliceExpr:
		expr(n.X)
		expr(n.Lo)
		expr(n.Hi)
	case *UnaryExpr:
		expr(n.X)
	case *BinaryExpr:
		expr(n.X)
		expr(n.Y)
	case *CondExpr:
		expr(n.Cond)
		expr(n.Then)
		expr(n.Else)
	}
}
