package lang

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The concrete grammar, as participle structs. It is converted into the AST
// (ast.go) right after parsing; nothing outside this package sees it.
// Binary expressions are parsed flat and folded by precedence in convert.go.

var resLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `#[^\n]*`},
	{Name: "String", Pattern: `"(\\.|[^"\\\n])*"`},
	{Name: "Float", Pattern: `\d+\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+`},
	{Name: "Int", Pattern: `\d+`},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Punct", Pattern: `//|==|!=|<=|>=|\.\.|\*\*|[-+*/%<>=!?:;,.()\[\]{}]`},
	{Name: "Whitespace", Pattern: `\s+`},
})

var fileParser = participle.MustBuild[gFile](
	participle.Lexer(resLexer),
	participle.Elide("Whitespace", "Comment"),
	participle.UseLookahead(2),
)

var exprParser = participle.MustBuild[gExpr](
	participle.Lexer(resLexer),
	participle.Elide("Whitespace", "Comment"),
	participle.UseLookahead(2),
)

type gFile struct {
	Imports []*gImport `parser:"@@*"`
	Decls   []*gDecl   `parser:"@@*"`
}

type gImport struct {
	Pos  lexer.Position
	Path string `parser:"'import' @String"`
}

type gDecl struct {
	Pos   lexer.Position
	Const *gConst `parser:"@@"`
	Fn    *gFn    `parser:"| @@"`
	Block *gBlock `parser:"| @@"`
}

type gConst struct {
	Pos   lexer.Position
	Name  string `parser:"'const' @Ident '='"`
	Value *gExpr `parser:"@@"`
}

type gFn struct {
	Pos    lexer.Position
	Name   string    `parser:"'fn' @Ident '('"`
	Params []*gParam `parser:"( @@ ( ',' @@ )* ','? )? ')' '='"`
	Body   *gExpr    `parser:"@@"`
}

type gBlock struct {
	Pos    lexer.Position
	Kind   string    `parser:"@('block' | 'network')"`
	Name   string    `parser:"@Ident"`
	Alias  *gExpr    `parser:"( '=' @@"`
	Params []*gParam `parser:"| '(' ( @@ ( ',' @@ )* ','? )? ')'"`
	Body   *gBody    `parser:"@@ )"`
}

type gParam struct {
	Pos     lexer.Position
	Name    string `parser:"@Ident ':'"`
	Type    *gType `parser:"@@"`
	Default *gExpr `parser:"( '=' @@ )?"`
}

type gType struct {
	Pos  lexer.Position
	Name string `parser:"@Ident"`
	Elem *gType `parser:"( '[' @@ ']' )?"`
}

type gBody struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Stmts  []*gStmt `parser:"'{' ( @@ ';'? )* '}'"`
}

type gLabel struct {
	Pos    lexer.Position
	Ident  *string `parser:"@Ident"`
	Int    *string `parser:"| @Int"`
	String *string `parser:"| @String"`
}

type gStmt struct {
	Pos      lexer.Position
	Label    *gLabel    `parser:"( @@ ':' )?"`
	Let      *gLet      `parser:"( @@"`
	Input    *gInput    `parser:"| @@"`
	Naming   *gNaming   `parser:"| @@"`
	Output   *gOutput   `parser:"| @@"`
	Assert   *gAssert   `parser:"| @@"`
	Residual *gResidual `parser:"| @@"`
	Preact   *gBody     `parser:"| 'preact' @@"`
	Gate     *gBody     `parser:"| 'gate' @@"`
	Paths    *gPaths    `parser:"| @@"`
	For      *gFor      `parser:"| @@"`
	If       *gIf       `parser:"| @@"`
	Assign   *gAssign   `parser:"| @@"`
	Apply    *gExpr     `parser:"| @@ )"`
}

type gLet struct {
	Name  string `parser:"'let' @Ident '='"`
	Value *gExpr `parser:"@@"`
}

// gAssign is `NAME = EXPR`: a new value for a let, parameter or loop
// state already bound.
type gAssign struct {
	Name  string `parser:"@Ident '='"`
	Value *gExpr `parser:"@@"`
}

// gOutput is `output NAME`: the current tensor is a network output.
type gOutput struct {
	Name *gLabel `parser:"'output' @@"`
}

type gInput struct {
	Args []*gArg `parser:"'input' '(' ( @@ ( ',' @@ )* ','? )? ')'"`
}

type gAssert struct {
	Cond    *gExpr `parser:"'assert' @@"`
	Message *gExpr `parser:"( ',' @@ )?"`
}

type gNaming struct {
	Style string `parser:"'naming' @Ident"`
}

type gResidual struct {
	Body     *gBody     `parser:"'residual' @@"`
	Shortcut *gShortcut `parser:"( 'shortcut' @@ )?"`
}

type gShortcut struct {
	Pos   lexer.Position
	Label *gLabel `parser:"( @@ ':' )?"`
	Body  *gBody  `parser:"( @@"`
	Kind  *gExpr  `parser:"| @@ )"`
}

type gPaths struct {
	Count *gExpr `parser:"'paths' @@"`
	Var   string `parser:"( 'as' @Ident )?"`
	Body  *gBody `parser:"@@"`
}

// gFor is `for VAR in FROM..TO { }` or, without "..", `for VAR in LIST { }`.
type gFor struct {
	Var  string `parser:"'for' @Ident 'in'"`
	From *gExpr `parser:"@@"`
	To   *gExpr `parser:"( '..' @@ )?"`
	Body *gBody `parser:"@@"`
}

type gIf struct {
	Cond   *gExpr `parser:"'if' @@"`
	Then   *gBody `parser:"@@"`
	ElseIf *gIf   `parser:"( 'else' ( @@"`
	Else   *gBody `parser:"| @@ ) )?"`
}

type gExpr struct {
	Pos  lexer.Position
	Cond *gBinary `parser:"@@"`
	Then *gExpr   `parser:"( '?' @@"`
	Else *gExpr   `parser:"':' @@ )?"`
}

type gBinary struct {
	Pos  lexer.Position
	Left *gUnary    `parser:"@@"`
	Rest []*gOpRest `parser:"@@*"`
}

type gOpRest struct {
	Pos   lexer.Position
	Op    string  `parser:"@('**' | '//' | '==' | '!=' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%' | '<' | '>' | 'and' | 'or')"`
	Right *gUnary `parser:"@@"`
}

type gUnary struct {
	Pos  lexer.Position
	Op   string    `parser:"( @('-' | 'not')"`
	X    *gUnary   `parser:"@@ )"`
	Post *gPostfix `parser:"| @@"`
}

type gPostfix struct {
	Pos    lexer.Position
	Prim   *gPrimary  `parser:"@@"`
	Suffix []*gSuffix `parser:"@@*"`
}

type gSuffix struct {
	Pos   lexer.Position
	Call  bool    `parser:"(  @'('"`
	Args  []*gArg `parser:"( @@ ( ',' @@ )* ','? )? ')'"`
	Index *gIndex `parser:"| '[' @@ ']' )"`
}

// gIndex is x[i] or a slice x[lo:hi], either bound optional.
type gIndex struct {
	Lo    *gExpr `parser:"@@?"`
	Colon bool   `parser:"@':'?"`
	Hi    *gExpr `parser:"@@?"`
}

type gArg struct {
	Pos   lexer.Position
	Name  *string `parser:"( @Ident ':' )?"`
	Value *gExpr  `parser:"@@"`
}

type gPrimary struct {
	Pos    lexer.Position
	Float  *string `parser:"@Float"`
	Int    *string `parser:"| @Int"`
	String *string `parser:"| @String"`
	Bool   *string `parser:"| @('true' | 'false')"`
	List   *gList  `parser:"| @@"`
	Paren  *gExpr  `parser:"| '(' @@ ')'"`
	Ident  *string `parser:"| @Ident"`
}

type gList struct {
	Elems []*gExpr `parser:"'[' ( @@ ( ',' @@ )* ','? )? ']'"`
}
