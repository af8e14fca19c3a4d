// Package lang is the front end of the .res language: its grammar, its
// syntax tree, the parser that builds one from source, and the canonical
// printer behind `resc fmt`.
//
// A .res file holds imports, constants, functions, blocks and networks. A
// block is a function from one tensor to another whose body is a sequence of
// statements applied to a "current" tensor; residual, gate and paths
// statements branch and merge. See docs/language.md.
package lang

import "github.com/resc-dev/resc/diag"

// A Node is any syntax tree node; Pos is where its text starts.
type Node interface{ Pos() diag.Pos }

// At carries a node's position; embedding it implements Node.
type At struct{ P diag.Pos }

// Pos returns the position of the node.
func (a At) Pos() diag.Pos { return a.P }

// A File is one parsed .res source.
type File struct {
	At
	Src      *diag.Source
	Imports  []*Import
	Decls    []Decl
	Comments []Comment
}

// A Comment is a line comment, kept for the formatter.
type Comment struct {
	Offset int    // byte offset of the leading "#"
	Text   string // including the leading "#"
}

// An Import names a stdlib module ("resnet") or a file path ending in ".res",
// relative to the importing file.
type Import struct {
	At
	Path string
}

// A Decl is a top-level declaration.
type Decl interface {
	Node
	DeclName() string
	decl()
}

// A ConstDecl is `const NAME = EXPR`.
type ConstDecl struct {
	At
	Name  string
	Value Expr
}

// A FnDecl is `fn NAME(PARAMS) = EXPR`, a pure function of its parameters.
type FnDecl struct {
	At
	Name   string
	Params []*Param
	Body   Expr
}

// A BlockDecl is a block or a network (Network set): a named, parameterised
// sequence of statements. A network is a block that starts from an input.
// A network may instead be an instance of a block, `network NAME = EXPR`:
// then Alias is set, and its parameters are the block's unbound ones.
type BlockDecl struct {
	At
	Network bool
	Name    string
	Alias   Expr
	Params  []*Param
	Body    []Stmt
	End     diag.Pos // the closing brace
}

func (d *ConstDecl) DeclName() string { return d.Name }
func (d *FnDecl) DeclName() string    { return d.Name }
func (d *BlockDecl) DeclName() string { return d.Name }
func (*ConstDecl) decl()              {}
func (*FnDecl) decl()                 {}
func (*BlockDecl) decl()              {}

// A Param is `NAME: TYPE [= DEFAULT]`.
type Param struct {
	At
	Name    string
	Type    *Type
	Default Expr // nil when required
}

// A Type is int, float, bool, string, block, or list[T].
type Type struct {
	At
	Name string
	Elem *Type // for list
}

func (t *Type) String() string {
	if t.Elem != nil {
		return t.Name + "[" + t.Elem.String() + "]"
	}
	return t.Name
}

// A Stmt is one statement of a block body.
type Stmt interface {
	Node
	stmt()
}

// A Label names the layer or scope a statement creates; it becomes one
// segment of the reference parameter names (e.g. "layer1", "0", "conv1").
type Label struct {
	At
	Kind  LabelKind
	Value *StringLit // for ident and int labels, a single literal part
}

// LabelKind records how a label was written, so fmt writes it back the same way.
type LabelKind int

const (
	LabelIdent LabelKind = iota
	LabelInt
	LabelString
)

// LetStmt binds a local name: `let NAME = EXPR`.
type LetStmt struct {
	At
	Name  string
	Value Expr
}

// InputStmt declares a network's input: `input(channels, height, width)`.
type InputStmt struct {
	At
	Args []*Arg
}

// NamingStmt selects how parameter names are composed: `naming torch|keras`.
type NamingStmt struct {
	At
	Style string
}

// AssertStmt is `assert COND [, MESSAGE]`: a user-defined check.
type AssertStmt struct {
	At
	Cond    Expr
	Message Expr
}

// AssignStmt is `NAME = EXPR`: it gives a name already bound in the block
// (a let, a parameter) a new value, so that loops can carry state.
type AssignStmt struct {
	At
	Name  string
	Value Expr
}

// OutputStmt is `output NAME`: the current tensor becomes one of the
// network's named outputs.
type OutputStmt struct {
	At
	Name *Label
}

// ApplyStmt applies a layer or block to the current tensor: `[label:] EXPR`.
type ApplyStmt struct {
	At
	Label *Label
	Layer Expr
}

// ResidualStmt is `residual { BRANCH } [shortcut [label:] KIND]`: the output
// is branch(x) + shortcut(x).
type ResidualStmt struct {
	At
	Label    *Label
	Body     []Stmt
	End      diag.Pos
	Shortcut *Shortcut // nil: chosen automatically
}

// A Shortcut is the shortcut clause of a residual statement: a kind
// (`identity`, `projection()`, ...) or a body of statements run on the
// residual's input.
type Shortcut struct {
	At
	Label *Label
	Kind  Expr   // nil when Body is set
	Body  []Stmt // a custom shortcut
	End   diag.Pos
}

// PreactStmt is `preact { ... }` at the start of a residual body: the
// pre-activation shared by the branch and (for projections) the shortcut.
type PreactStmt struct {
	At
	Label *Label
	Body  []Stmt
	End   diag.Pos
}

// GateStmt is `gate { ... }`: the output is x * body(x), with body(x)
// broadcast over space (squeeze-and-excitation, ECA).
type GateStmt struct {
	At
	Label *Label
	Body  []Stmt
	End   diag.Pos
}

// PathsStmt is `paths N { ... }`: N parallel copies of the body, summed
// (ResNeXt's aggregated transformations).
type PathsStmt struct {
	At
	Label *Label
	Count Expr
	Var   string // `as VAR`: the copy's index, or ""
	Body  []Stmt
	End   diag.Pos
}

// ForStmt is `for VAR in FROM..TO { ... }`, over the half-open range, or
// `for VAR in LIST { ... }` over a list's elements (To is nil).
type ForStmt struct {
	At
	Var      string
	From, To Expr
	Body     []Stmt
	End      diag.Pos
}

// IfStmt is `if COND { ... } [else ...]`; Else holds a single *IfStmt for
// an else-if chain.
type IfStmt struct {
	At
	Cond    Expr
	Then    []Stmt
	ThenEnd diag.Pos
	Else    []Stmt
	ElseEnd diag.Pos
	ElseIf  bool
}

func (*LetStmt) stmt()      {}
func (*InputStmt) stmt()    {}
func (*NamingStmt) stmt()   {}
func (*ApplyStmt) stmt()    {}
func (*AssignStmt) stmt()   {}
func (*OutputStmt) stmt()   {}
func (*AssertStmt) stmt()   {}
func (*ResidualStmt) stmt() {}
func (*PreactStmt) stmt()   {}
func (*GateStmt) stmt()     {}
func (*PathsStmt) stmt()    {}
func (*ForStmt) stmt()      {}
func (*IfStmt) stmt()       {}

// An Expr is an expression.
type Expr interface {
	Node
	expr()
}

type (
	// Ident is a name reference.
	Ident struct {
		At
		Name string
	}
	// IntLit is an integer literal.
	IntLit struct {
		At
		Value int64
	}
	// FloatLit is a float literal; Text keeps its spelling for fmt.
	FloatLit struct {
		At
		Value float64
		Text  string
	}
	// BoolLit is true or false.
	BoolLit struct {
		At
		Value bool
	}
	// StringLit is a string, possibly with "{expr}" interpolations.
	StringLit struct {
		At
		Parts []StrPart
	}
	// ListLit is [a, b, c].
	ListLit struct {
		At
		Elems []Expr
	}
	// CallExpr is f(args): a builtin function, a fn, a layer or a block.
	CallExpr struct {
		At
		Fn   Expr
		Args []*Arg
	}
	// IndexExpr is x[i].
	IndexExpr struct {
		At
		X, Index Expr
	}
	// SliceExpr is x[lo:hi]; a missing bound is nil.
	SliceExpr struct {
		At
		X, Lo, Hi Expr
	}
	// UnaryExpr is -x or not x.
	UnaryExpr struct {
		At
		Op string
		X  Expr
	}
	// BinaryExpr is x OP y.
	BinaryExpr struct {
		At
		Op    string
		OpPos diag.Pos // where the operator is, for errors such as an overflow
		X, Y  Expr
	}
	// CondExpr is c ? a : b.
	CondExpr struct {
		At
		Cond, Then, Else Expr
	}
)

// A StrPart is literal text, or an interpolated expression when Expr is set.
type StrPart struct {
	Lit  string
	Expr Expr
}

// An Arg is a call argument, named when Name is set.
type Arg struct {
	At
	Name  string
	Value Expr
}

func (*Ident) expr()      {}
func (*IntLit) expr()     {}
func (*FloatLit) expr()   {}
func (*BoolLit) expr()    {}
func (*StringLit) expr()  {}
func (*ListLit) expr()    {}
func (*CallExpr) expr()   {}
func (*IndexExpr) expr()  {}
func (*SliceExpr) expr()  {}
func (*UnaryExpr) expr()  {}
func (*BinaryExpr) expr() {}
func (*CondExpr) expr()   {}

// Keywords are reserved and cannot name anything.
var Keywords = map[string]bool{
	"import": true, "const": true, "fn": true, "block": true, "network": true,
	"let": true, "assert": true, "input": true, "naming": true, "residual": true, "shortcut": true,
	"preact": true, "gate": true, "paths": true, "as": true, "for": true, "in": true, "output": true,
	"if": true, "else": true, "true": true, "false": true, "and": true, "or": true, "not": true,
}

// precedence gives binary operator binding strength; higher binds tighter.
var precedence = map[string]int{
	"or": 1, "and": 2,
	"==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
	"+": 4, "-": 4,
	"*": 5, "/": 5, "//": 5, "%": 5,
	"**": 7, // above unary minus (6), right-associative: 2 ** 3 ** 2 is 2 ** 9
}
